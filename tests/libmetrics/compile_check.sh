#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A program written against the Endless API builds with nothing but
# `pkg-config --cflags --libs eosmetrics-0` from an installed tree, and runs; so does the
# C example of docs/examples; the headers other than eosmetrics.h refuse direct inclusion.
set -euo pipefail
build=$1
program=$2
example=$3
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage/usr" --component eosmetrics >/dev/null
pc=$(find "$stage" -name eosmetrics-0.pc)
[[ -n "$pc" ]] || { echo "eosmetrics-0.pc not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
extra=()
# An ASan-built library needs the sanitizer runtimes in the program too.
[[ "${EMTR_SANITIZE:-0}" == 1 ]] && extra=(-fsanitize=address,undefined)
cc -std=gnu11 -Wall -Wextra -Werror "${extra[@]}" "$program" -o "$stage/program" \
  $(pkg-config --cflags --libs eosmetrics-0)
echo "compiled and linked: $(pkg-config --cflags --libs eosmetrics-0)"
# Runs against the installed library; metrics disabled, so no bus is needed.
EOS_DISABLE_METRICS=1 LD_LIBRARY_PATH=$(pkg-config --variable=libdir eosmetrics-0) "$stage/program"
echo "ran"
cc -std=gnu11 -Wall -Wextra -Werror "${extra[@]}" "$example" -o "$stage/example" \
  $(pkg-config --cflags --libs eosmetrics-0)
echo "compiled $(basename "$example")"
for header in emtr-event-recorder.h emtr-aggregate-timer.h emtr-types.h emtr-util.h; do
  if echo "#include <eosmetrics/$header>" |
      cc -x c -fsyntax-only $(pkg-config --cflags eosmetrics-0) - 2>/dev/null; then
    echo "<eosmetrics/$header> can be included directly" >&2
    exit 1
  fi
done
echo "direct inclusion of inner headers refused"
