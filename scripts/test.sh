#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The full test suite, as CI runs it: dependencies, a normal build with every test,
# the formatting check, the fuzzers for a few thousand runs each (METRICS_SKIP_FUZZ=1
# skips them), clang-tidy over every source file (METRICS_SKIP_TIDY=1 skips it), the RPM
# packages built from the release tarball (rpmbuild, rpmlint, upgrade check), then the
# whole suite again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh

jobs=$(nproc)
# Most tests wait (a private dbus-daemon, timers, the test collector) as much as they
# compute: twice as many tests as cores keep the cores busy. METRICS_TEST_JOBS overrides.
test_jobs=${METRICS_TEST_JOBS:-$((2 * jobs))}

echo "== build (RelWithDebInfo)"
# -g1: line tables only (file:line in backtraces); full -g costs ~20 % more compile time
# and nothing here reads the rest. The RPM build has its own flags.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build build -j "$jobs"

echo "== format check"
scripts/check-format.sh

echo "== tests"
ctest --test-dir build --output-on-failure -j "$test_jobs"

if [[ "${METRICS_SKIP_FUZZ:-0}" != 1 ]]; then
  echo "== fuzzers (libFuzzer; fuzz/run.sh, docs/fuzzing.md)"
  # Every parser of outside input, from its seed corpus (past crashes included), for a
  # fixed number of runs: a regression fails here. clang, in its own build directory.
  fuzz_start=$SECONDS
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMETRICS_FUZZ=ON -DMETRICS_SANITIZE=ON -DMETRICS_BUILD_TESTS=OFF -DMETRICS_BUILD_BENCH=OFF
  cmake --build build-fuzz -j "$jobs" --target fuzzers
  fuzz/run.sh "${METRICS_FUZZ_RUNS:-20000}"
  echo "== fuzzers took $((SECONDS - fuzz_start)) s"
  fuzz_built=1
fi

if [[ "${METRICS_SKIP_TIDY:-0}" != 1 ]]; then
  echo "== clang-tidy (.clang-tidy, scripts/clang-tidy.sh)"
  # The normal build's compile database; fuzz/ is only in the fuzz build's (clang).
  tidy_start=$SECONDS
  tidy_dirs=(build)
  [[ "${fuzz_built:-0}" == 1 ]] && tidy_dirs+=(build-fuzz)
  METRICS_TIDY_JOBS=$jobs scripts/clang-tidy.sh "${tidy_dirs[@]}"
  echo "== clang-tidy took $((SECONDS - tidy_start)) s"
fi

if [[ "${METRICS_SKIP_RPM:-0}" != 1 ]]; then
  echo "== RPM packages (packaging/fedora.spec from the dist tarball)"
  rpm_start=$SECONDS
  packaging/ci-rpm.sh build
  echo "== RPM packages took $((SECONDS - rpm_start)) s"
fi

if [[ "${METRICS_SKIP_SANITIZERS:-0}" != 1 ]]; then
  echo "== build (ASan+UBSan)"
  # Precompiled headers and unity builds (cmake/PrecompiledHeaders.cmake, UnityBuild.cmake)
  # only here: the build above compiles file by file, as a developer's and the RPM's do.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMETRICS_SANITIZE=ON -DMETRICS_BUILD_BENCH=OFF \
    -DMETRICS_PCH=ON -DMETRICS_UNITY_BUILD=ON
  cmake --build build-asan -j "$jobs"
  echo "== tests under ASan+UBSan"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
  export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ctest --test-dir build-asan --output-on-failure -j "$test_jobs"
fi
