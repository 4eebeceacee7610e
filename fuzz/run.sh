#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every libFuzzer harness of fuzz/ for RUNS executions each, one after the other,
# starting from its checked-in seed corpus (fuzz/corpus/NAME). CI runs it with a few
# thousand runs (scripts/test.sh), bench/run_fuzz.sh with 10^7. Exits non-zero at the
# first harness that finds a crash; the input is left in BUILD/fuzz-artifacts/.
#
#   fuzz/run.sh RUNS [HARNESS...]        (BUILD: $METRICS_FUZZ_BUILD_DIR, default build-fuzz)
#
# METRICS_FUZZ_MAX_SECONDS=N also stops each harness after N seconds (libFuzzer's
# -max_total_time), for a run that must fit a time budget.
#
# New inputs a run finds go to BUILD/fuzz-corpus/NAME, never into the source tree; a
# crash input worth keeping is copied to fuzz/corpus/NAME/ by hand, with the fix.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${METRICS_FUZZ_BUILD_DIR:-$here/../build-fuzz}
runs=${1:?usage: fuzz/run.sh RUNS [HARNESS...]}
shift
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for dir in "$here"/corpus/*/; do harnesses+=("$(basename "$dir")"); done
fi

# A GLib critical aborts (fatal_criticals.hpp); leaks fail the run; UBSan findings abort
# (the build has -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../tests/lsan.supp:print_suppressions=0}
mkdir -p "$build/fuzz-artifacts"
for name in "${harnesses[@]}"; do
  binary="$build/fuzz/$name"
  [[ -x $binary ]] || { echo "fuzz/run.sh: $binary is not built (cmake --build $build --target fuzzers)" >&2; exit 2; }
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  echo "== $name: $runs runs"
  # -seed fixed: a CI failure is the same failure when run again.
  limit=()
  [[ -n ${METRICS_FUZZ_MAX_SECONDS:-} ]] && limit=(-max_total_time="$METRICS_FUZZ_MAX_SECONDS")
  "$binary" -runs="$runs" "${limit[@]}" -seed=1 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$name-" "$work" "$here/corpus/$name"
done
