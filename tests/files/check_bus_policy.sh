#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dbus-daemon must accept the installed bus policy: start a system-like bus that
# includes it and check that it comes up.
set -euo pipefail
policy=$1
work=$(mktemp -d)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
source "$(dirname "$0")/../../scripts/private-bus.sh"
# The closed default of a system bus, and the policy under test.
private_bus_start "$work" "<policy context=\"default\"><allow user=\"*\"/></policy>
  <include>$policy</include>" || { echo "dbus-daemon refused the policy $policy" >&2; exit 1; }
pid=$PRIVATE_BUS_PID
# It exits at once on a policy it cannot parse; warnings (unknown user, fd limit) are fine.
sleep 0.2
if ! kill -0 "$pid" 2>/dev/null; then
  echo "dbus-daemon refused the policy $policy:" >&2
  cat "$work/bus.log" >&2
  exit 1
fi
echo "dbus-daemon accepted $policy"
