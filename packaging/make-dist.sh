#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-dist.sh SOURCE_DIR OUTPUT_DIR VERSION: the release tarball eos-metrics-VERSION.tar.gz.
# It holds the files git tracks (as they are in the working tree) and new files git does not
# ignore, so it works in a fresh clone and shows uncommitted work in a developer's tree.
# Reproducible: sorted, owned by root, every mtime the last commit's.
set -euo pipefail
src=$1
out=$2
version=$3
name=eos-metrics-$version
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "dist: $src is not a git checkout; make the tarball from a clone" >&2
  exit 1
fi
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# Deleted but still tracked files are left out; so are submodule-like entries.
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [[ -f $f || -L $f ]] && printf '%s\0' "$f"; done |
  sort -z -u) >"$list"
epoch=$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo 0)
tarball=$out/$name.tar.gz
tar -C "$src" --null --files-from="$list" --transform="flags=r;s|^|$name/|" --sort=name \
  --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu -cf - |
  gzip -9n >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
echo "dist: $tarball ($(tr -cd '\0' <"$list" | wc -c) files)"
