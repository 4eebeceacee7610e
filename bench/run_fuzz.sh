#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzzing benchmark of docs/benchmarks.md ("Fuzzing"): every harness of fuzz/ for
# RUNS executions (default 10^7), one at a time on one core, at the lowest priority; each
# harness's libFuzzer output goes to OUT/NAME.log (default build-fuzz/fuzz-bench) and a
# summary line per harness to standard output.
#
#   bench/run_fuzz.sh [RUNS [HARNESS...]]
#
# METRICS_FUZZ_MAX_SECONDS=N stops each harness after N seconds when RUNS take longer
# (fuzz/run.sh): the summary line then says how many executions did run.
#
# Needs the fuzz build (docs/fuzzing.md):
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMETRICS_FUZZ=ON -DMETRICS_SANITIZE=ON \
#     -DMETRICS_BUILD_TESTS=OFF -DMETRICS_BUILD_BENCH=OFF && cmake --build build-fuzz --target fuzzers
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${METRICS_FUZZ_BUILD_DIR:-$root/build-fuzz}
runs=${1:-10000000}
shift || true
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for dir in "$root"/fuzz/corpus/*/; do harnesses+=("$(basename "$dir")"); done
fi
out=${METRICS_FUZZ_BENCH_DIR:-$build/fuzz-bench}
mkdir -p "$out"

status=0
for name in "${harnesses[@]}"; do
  start=$SECONDS
  if METRICS_FUZZ_BUILD_DIR=$build nice -n 19 "$root/fuzz/run.sh" "$runs" "$name" >"$out/$name.log" 2>&1; then
    result=ok
  else
    result="FAILED (see $out/$name.log)"
    status=1
  fi
  # libFuzzer's last status line: executions, coverage (edges), features, corpus, exec/s.
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$out/$name.log" | tail -1 || true)
  echo "$name: $result in $((SECONDS - start)) s; ${done_line:-no DONE line}"
done
exit $status
