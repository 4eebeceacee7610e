#!/usr/bin/env bash
# `cmake --install` into a staging root yields exactly the expected files.
set -euo pipefail
build=$1
expected=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR="$stage" cmake --install "$build" --prefix /usr >/dev/null
actual=$(cd "$stage" && find . -type f -o -type l | sed 's|^\./|/|' | sort)
if ! diff -u <(grep -v '^#' "$expected" | sed '/^$/d' | sort) <(echo "$actual"); then
  echo "installed files differ from $expected (- expected, + installed)" >&2
  exit 1
fi
echo "install layout matches ($(echo "$actual" | wc -l) files)"
