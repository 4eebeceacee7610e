#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dbus-daemon must accept the installed bus policy: start a system-like bus that
# includes it and check that it comes up.
set -euo pipefail
policy=$1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow user="*"/></policy>
  <include>$policy</include>
</busconfig>
CONF
dbus-daemon --config-file="$work/bus.conf" --nofork --nopidfile --print-address=3 3>"$work/address" \
  2>"$work/err" &
pid=$!
for _ in $(seq 50); do [[ -s $work/address ]] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
# It exits at once on a policy it cannot parse; warnings (unknown user, fd limit) are fine.
sleep 0.2
if [[ ! -s $work/address ]] || ! kill -0 "$pid" 2>/dev/null; then
  echo "dbus-daemon refused the policy $policy:" >&2
  cat "$work/err" >&2
  exit 1
fi
echo "dbus-daemon accepted $policy"
