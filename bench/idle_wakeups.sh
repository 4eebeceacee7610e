#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Counts wake-ups of a process over an interval: the delta of voluntary + nonvoluntary
# context switches summed over all its threads. An idle daemon should stay near zero.
# Usage: idle_wakeups.sh PID [SECONDS]   (default 60). Prints the number only.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 PID [SECONDS]" >&2
  exit 2
fi
pid=$1
seconds=${2:-60}

# Sum over /proc/PID/task/*/status so worker threads are counted too.
switches() {
  local total=0 key value _ f
  for f in /proc/"$pid"/task/*/status; do
    while read -r key value _; do
      case $key in
        voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) total=$((total + value)) ;;
      esac
    done <"$f" 2>/dev/null || true
  done
  echo "$total"
}

if [[ ! -d /proc/$pid ]]; then
  echo "no such process: $pid" >&2
  exit 1
fi
before=$(switches)
sleep "$seconds"
if [[ ! -d /proc/$pid ]]; then
  echo "process $pid exited during the measurement" >&2
  exit 1
fi
after=$(switches)
# Threads that exit mid-interval take their counts with them; clamp rather than go negative.
delta=$((after - before))
((delta < 0)) && delta=0
echo "$delta"
