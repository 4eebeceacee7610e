#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks a RecordSingularEvent service on a private, system-bus-like dbus-daemon.
#
# Usage: bench/run_recorder_bench.sh noop|recorder
#   noop      metrics-bench-noop-service (the bus's own ceiling)
#   recorder  $RECORDER (default $BUILD_DIR/daemon/eos-metrics-event-recorder)
#
# Environment (all optional):
#   BUILD_DIR           build tree with bench/ binaries (default: build, else build-bench)
#   BENCH_BIN_DIR       where metrics-bench-* live (default $BUILD_DIR/bench)
#   RECORDER            recorder binary for "recorder" mode
#   EVENTS_LIST         space-separated event totals   (default "20000 200000")
#   INFLIGHT_LIST       space-separated in-flight caps (default "1 64")
#   CONNECTIONS         client connections per run     (default 4)
#   PAYLOAD             none|small|1k                  (default small)
#   IDLE_SECONDS        idle wake-up window            (default 60)
#   IDLE_WARMUP_EVENTS  events sent before the idle window, so post-load timers count
#                       (default 1000; 0 measures a never-used service)
#   SERVICE_NAME        bus name to load               (default com.endlessm.Metrics)
#   RECORDER_SETTINGS   extra [Recorder] lines for recorder.conf, space-separated
#                       (e.g. "SyncIntervalMilliseconds=0")
#   DISK_LOAD           1: a disk-heavy job runs beside every cell (4 MiB synced writes
#                       in a loop, in the state directory's file system), as on a busy
#                       desktop
#   IDLE_SECONDS=0      skips the idle measurement
# Every cell restarts the service with fresh config/state dirs. Prints a markdown table.
set -euo pipefail

mode=${1:-}
if [[ $mode != noop && $mode != recorder ]]; then
  sed -n '2,26p' "$0" >&2
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$repo/build
  [[ -x $BUILD_DIR/bench/metrics-bench-load ]] || BUILD_DIR=$repo/build-bench
fi
BENCH_BIN_DIR=${BENCH_BIN_DIR:-$BUILD_DIR/bench}
RECORDER=${RECORDER:-$BUILD_DIR/daemon/eos-metrics-event-recorder}
EVENTS_LIST=${EVENTS_LIST:-"20000 200000"}
INFLIGHT_LIST=${INFLIGHT_LIST:-"1 64"}
CONNECTIONS=${CONNECTIONS:-4}
PAYLOAD=${PAYLOAD:-small}
IDLE_SECONDS=${IDLE_SECONDS:-60}
IDLE_WARMUP_EVENTS=${IDLE_WARMUP_EVENTS:-1000}
SERVICE_NAME=${SERVICE_NAME:-com.endlessm.Metrics}
RECORDER_SETTINGS=${RECORDER_SETTINGS:-}
DISK_LOAD=${DISK_LOAD:-0}

load_bin=$BENCH_BIN_DIR/metrics-bench-load
noop_bin=$BENCH_BIN_DIR/metrics-bench-noop-service
idle_script=$repo/bench/idle_wakeups.sh
for tool in dbus-daemon busctl jq; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
[[ -x $load_bin ]] || { echo "not built: $load_bin" >&2; exit 1; }
if [[ $mode == noop ]]; then
  [[ -x $noop_bin ]] || { echo "not built: $noop_bin" >&2; exit 1; }
else
  [[ -x $RECORDER ]] || { echo "recorder not found: $RECORDER" >&2; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/metrics-bench.XXXXXX")
bus_pid=""
svc_pid=""
load_pid=""

stop_pid() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  # Give a clean shutdown 5 s (the recorder may flush), then insist.
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_pid "$svc_pid"
  svc_pid=""
  stop_pid "$load_pid"
  load_pid=""
  stop_pid "$bus_pid"
  bus_pid=""
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A system-bus-like broker with an open policy (scripts/private-bus.sh).
source "$repo/scripts/private-bus.sh"
private_bus_start "$tmp" || exit 1
bus_pid=$PRIVATE_BUS_PID
address=$PRIVATE_BUS_ADDRESS
export DBUS_SYSTEM_BUS_ADDRESS=$address

cell=0
# Starts the service with fresh state in $tmp/cell$cell; sets svc_pid.
start_service() {
  cell=$((cell + 1))
  local dir=$tmp/cell$cell
  mkdir -p "$dir/config" "$dir/state"
  if [[ $mode == noop ]]; then
    "$noop_bin" --name "$SERVICE_NAME" >"$dir/service.log" 2>&1 &
  else
    printf '%s\n' 'NAME="Endless OS"' 'ID=endless' 'VERSION="40 (Workstation Edition)"' \
      >"$dir/os-release"
    # Room for the largest cell: the default 10 MB bound would refuse part of 200 000 events.
    printf '[persistent_cache_size]\nmaximum=%s\n' "${CACHE_MAXIMUM:-200000000}" \
      >"$dir/config/cache-size.conf"
    # The load generator records one unregistered UUID with every payload shape: the
    # registry is consulted (its cost is measured) but does not refuse the events.
    printf '[Recorder]\nRegistryMode=permissive\nRegistryDirectory=%s\n' "$repo/registry" \
      >"$dir/config/recorder.conf"
    local setting
    for setting in $RECORDER_SETTINGS; do echo "$setting" >>"$dir/config/recorder.conf"; done
    "$RECORDER" --config-dir "$dir/config" -c "$dir/config/eos-metrics-permissions.conf" \
      -p "$dir/state" --os-release "$dir/os-release" >"$dir/service.log" 2>&1 &
  fi
  svc_pid=$!
  # Only load once the name is owned; otherwise the first calls fail with ServiceUnknown.
  local i
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$svc_pid" 2>/dev/null; then
      echo "service exited during start-up; log:" >&2
      cat "$dir/service.log" >&2
      svc_pid=""
      return 1
    fi
    if busctl --address="$address" call org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus NameHasOwner s "$SERVICE_NAME" 2>/dev/null | grep -q true; then
      return 0
    fi
    sleep 0.05
  done
  echo "service did not own $SERVICE_NAME within 10 s" >&2
  return 1
}

if [[ $DISK_LOAD == 1 ]]; then
  # Another program using the disk: synced writes of 4 MiB, one after the other.
  (while :; do dd if=/dev/zero of="$tmp/disk-load" bs=1M count=4 oflag=dsync status=none; done) &
  load_pid=$!
fi

rows=()
for events in $EVENTS_LIST; do
  for inflight in $INFLIGHT_LIST; do
    start_service
    echo "== $mode: events=$events in-flight=$inflight connections=$CONNECTIONS payload=$PAYLOAD" >&2
    out=$tmp/cell$cell/load.out
    if "$load_bin" --events "$events" --in-flight "$inflight" --connections "$CONNECTIONS" \
      --payload "$PAYLOAD" --pid "$svc_pid" --dest "$SERVICE_NAME" >"$out"; then
      sed '$d' "$out" >&2
      # Last line is the JSON summary.
      rows+=("$(tail -n1 "$out" | jq -r '
        def n(d): if . == null then "n/a" else ((. * pow(10; d) | round) / pow(10; d) | tostring) end;
        "| \(.events) | \(.in_flight) | \(.connections) | \(.payload) | \(.seconds | n(3)) "
        + "| \(.events_per_s | n(0)) | \(.errors)"
        + (if .errors > 0 then " (" + ([.error_names | to_entries[] | "\(.key)×\(.value)"] | join(", ")) + ")" else "" end)
        + " | \(.cpu_us_per_event | n(2)) | \(.rss_kib // "n/a") "
        + "| \(.write_bytes_per_event | n(1)) | \(.wchar_per_event | n(1)) |"')")
    else
      cat "$out" >&2
      rows+=("| $events | $inflight | $CONNECTIONS | $PAYLOAD | failed | | | | | | |")
    fi
    stop_pid "$svc_pid"
    svc_pid=""
  done
done

stop_pid "$load_pid"
load_pid=""
idle="skipped"
settle="skipped"
if ((IDLE_SECONDS > 0)); then
start_service
if ((IDLE_WARMUP_EVENTS > 0)); then
  "$load_bin" --events "$IDLE_WARMUP_EVENTS" --in-flight 1 --connections 1 --payload "$PAYLOAD" \
    --dest "$SERVICE_NAME" >/dev/null
fi
echo "== $mode: measuring idle wake-ups for ${IDLE_SECONDS}s" >&2
# The sync that follows the last event (within SyncIntervalMilliseconds, 1 s by default)
# is counted apart: the idle window starts after it.
settle=$("$idle_script" "$svc_pid" 2)
idle=$("$idle_script" "$svc_pid" "$IDLE_SECONDS")
stop_pid "$svc_pid"
svc_pid=""
fi

echo
echo "### $mode ($(basename "$([[ $mode == noop ]] && echo "$noop_bin" || echo "$RECORDER")"))"
echo
echo "| events | in-flight | conns | payload | seconds | events/s | errors | CPU µs/event | RSS KiB | write_bytes/event | wchar/event |"
echo "|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Wake-ups in the 2 s after ${IDLE_WARMUP_EVENTS} warm-up events: $settle; then idle over ${IDLE_SECONDS} s: $idle"
