#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The library exports only the emtr_* C API (nm -D), the Endless library's exports exactly
# (emtr_aggregate_timer_new included: internal there, but exported), and has its soname.
set -euo pipefail
lib=$1
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
if [[ "$soname" != libeosmetrics-0.so.0 ]]; then
  echo "soname is '$soname', expected libeosmetrics-0.so.0" >&2
  exit 1
fi
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
stray=$(grep -v '^emtr_' <<<"$exported" || true)
if [[ -n "$stray" ]]; then
  echo "symbols other than emtr_* are exported:" >&2
  echo "$stray" >&2
  exit 1
fi
expected="emtr_aggregate_timer_get_type emtr_aggregate_timer_new emtr_aggregate_timer_stop
emtr_event_id_to_name
emtr_event_recorder_get_default emtr_event_recorder_get_type emtr_event_recorder_new
emtr_event_recorder_record_event emtr_event_recorder_record_event_sync
emtr_event_recorder_record_events emtr_event_recorder_record_events_sync
emtr_event_recorder_record_progress emtr_event_recorder_record_start
emtr_event_recorder_record_stop emtr_event_recorder_record_stop_sync
emtr_event_recorder_start_aggregate_timer emtr_event_recorder_start_aggregate_timer_with_uid
emtr_util_get_current_time"
if ! diff -u <(tr ' ' '\n' <<<"$expected" | sed '/^$/d' | sort) <(echo "$exported"); then
  echo "exported symbols differ from the Endless API (- expected, + exported)" >&2
  exit 1
fi
echo "exports: $(wc -l <<<"$exported") emtr_* symbols, soname $soname"
