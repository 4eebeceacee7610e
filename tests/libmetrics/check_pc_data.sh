#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# eosmetrics-0.pc has the Endless library's variables, and the interface XML is where that
# library installed it (${datadir}/eos-metrics/): a program that builds against the
# original the way its recorder does (gdbus-codegen on that file, the event id as a
# GVariant) builds against an install of ours.
# check_pc_data.sh BUILD_DIR SOURCE_DIR CLIENT_C
set -euo pipefail
build=$1
source=$2
client=$3
stage=$build/tests/libmetrics/pc-stage
rm -rf "$stage"
mkdir -p "$stage"
cmake --install "$build" --prefix "$stage/usr" --component eosmetrics >/dev/null
pc=$(find "$stage" -name eosmetrics-0.pc)
[[ -n "$pc" ]] || { echo "eosmetrics-0.pc not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
for variable in prefix exec_prefix datarootdir datadir libdir includedir; do
  value=$(pkg-config --variable="$variable" eosmetrics-0)
  [[ -n "$value" ]] || { echo "eosmetrics-0.pc has no $variable" >&2; exit 1; }
  echo "$variable=$value"
done
datadir=$(pkg-config --variable=datadir eosmetrics-0)
[[ "$datadir" == "$stage/usr/share" ]] || { echo "datadir is $datadir" >&2; exit 1; }
xml=$datadir/eos-metrics/com.endlessm.Metrics.xml
cmp "$xml" "$source/dbus/com.endlessm.Metrics.xml"
echo "interface XML at $xml"
# The original recorder's and library's code generation, then code that passes event ids
# as GVariants, as theirs does.
out=$stage/codegen
mkdir -p "$out"
(cd "$out" && gdbus-codegen --generate-c-code emer-event-recorder-server --c-namespace Emer \
  --interface-prefix com.endlessm.Metrics. "$xml")
cc -std=gnu11 -Werror=incompatible-pointer-types -Werror=implicit-function-declaration \
  -I"$out" "$client" "$out/emer-event-recorder-server.c" -o "$out/client" \
  $(pkg-config --cflags --libs gio-2.0)
echo "gdbus-codegen on the installed XML: code written for the original builds"
