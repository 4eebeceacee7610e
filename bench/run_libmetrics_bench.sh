#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs bench/libmetrics_bench.cpp on a private system-like bus (128 pending replies per
# connection) with metrics-bench-noop-service answering RecordSingularEvent.
#
# Usage: bench/run_libmetrics_bench.sh [google-benchmark flags...]
#   BUILD_DIR                    build tree with bench/ and libmetrics/ (default: build)
#   LIBMETRICS_BENCH_ITERATIONS  calls per run (default 200000)
# Examples:
#   bench/run_libmetrics_bench.sh --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#   LIBMETRICS_BENCH_ITERATIONS=1000000 bench/run_libmetrics_bench.sh --benchmark_filter=payload:0
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
work=$(mktemp -d)
cleanup() {
  [[ -n ${service:-} ]] && kill "$service" 2>/dev/null || true
  [[ -n ${bus:-} ]] && kill "$bus" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/bus.conf" <<CONF
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/socket</listen>
  <auth>EXTERNAL</auth>
  <limit name="max_replies_per_connection">128</limit>
  <policy context="default">
    <allow user="*"/> <allow own="*"/>
    <allow send_type="method_call"/> <allow send_type="method_return"/>
    <allow send_type="error"/> <allow send_type="signal"/>
    <allow receive_type="method_call"/> <allow receive_type="method_return"/>
    <allow receive_type="error"/> <allow receive_type="signal"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file="$work/bus.conf" --nofork --print-address=1 >"$work/address" &
bus=$!
for _ in $(seq 100); do [[ -s $work/address ]] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=$(head -1 "$work/address")
"$BUILD_DIR/bench/metrics-bench-noop-service" &
service=$!
for _ in $(seq 100); do
  gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner com.endlessm.Metrics 2>/dev/null | grep -q true && break
  sleep 0.05
done
"$BUILD_DIR/bench/libmetrics_bench" "$@"
