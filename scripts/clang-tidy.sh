#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs clang-tidy (the checks of .clang-tidy) over every source file of the project in the
# compile database(s) of the given build directories (default: build), two at a time
# (METRICS_TIDY_JOBS overrides), and fails when it finds anything. A file that is in more
# than one database is checked once, with the first one's flags: pass the normal build
# first, then e.g. build-fuzz (its clang build is the only one that has fuzz/).
#
#   scripts/clang-tidy.sh [BUILD_DIR...]
#   scripts/clang-tidy.sh build build-fuzz
#   METRICS_TIDY_SINCE=main scripts/clang-tidy.sh
#
# The build directories must be configured (cmake writes compile_commands.json); nothing
# needs to be built, the generated headers are written at configure time.
#
# METRICS_TIDY_SINCE=REF checks only the files that changed since the git revision REF,
# directly or through a header they include (ninja's dependency log: a file whose object
# was never built is checked); a change to .clang-tidy, this script or a build file
# checks every file.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${METRICS_TIDY_JOBS:-2}
tidy=${CLANG_TIDY:-clang-tidy}
(($#)) || set -- build

command -v "$tidy" >/dev/null || {
  echo "clang-tidy.sh: $tidy not found (Debian package clang-tidy)" >&2
  exit 1
}
for dir in "$@"; do
  if [[ ! -f "$dir/compile_commands.json" ]]; then
    echo "clang-tidy.sh: $dir/compile_commands.json is missing (configure $dir with cmake)" >&2
    exit 1
  fi
done

list=$(mktemp)
out=$(mktemp -d)
trap 'rm -rf "$list" "$out"' EXIT
# "BUILD_DIR<TAB>FILE" for each project source file to check, first database first.
python3 - "$root" "${METRICS_TIDY_SINCE:-}" "$@" >"$list" <<'PYTHON'
import json, os, shlex, subprocess, sys

root, since, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
ours = ('common', 'daemon', 'libmetrics', 'instrumentation', 'tests', 'bench', 'fuzz', 'tools')


def git(*args):
    return subprocess.run(['git', *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.split()


changed = None  # None: check every file
if since:
    names = git('diff', '--name-only', since, '--') + git('ls-files', '--others',
                                                          '--exclude-standard')
    if not any(n in ('.clang-tidy', 'scripts/clang-tidy.sh') or
               n.endswith(('CMakeLists.txt', '.cmake')) for n in names):
        changed = set(names)


def inputs(build, entry):
    """The files a compile read, relative to the repository: its source and the headers
    in ninja's log; None when the log does not know the object."""
    words = shlex.split(entry['command'])
    if '-o' not in words:
        return None
    obj = words[words.index('-o') + 1]
    log = subprocess.run(['ninja', '-C', build, '-t', 'deps', obj], capture_output=True,
                         text=True).stdout.splitlines()
    if not log or '(VALID)' not in log[0]:
        return None
    paths = (os.path.normpath(os.path.join(build, line.strip())) for line in log[1:])
    return {os.path.relpath(p, root) for p in paths}


seen = set()
for d in dirs:
    with open(os.path.join(d, 'compile_commands.json'), encoding='utf-8') as f:
        entries = json.load(f)
    for e in entries:
        rel = os.path.relpath(os.path.normpath(os.path.join(e['directory'], e['file'])), root)
        if rel.split(os.sep)[0] not in ours or rel in seen:
            continue
        seen.add(rel)
        if changed is not None and rel not in changed:
            read = inputs(d, e)
            if read is not None and not read & changed:
                continue
        print(f'{d}\t{rel}')
PYTHON
count=$(wc -l <"$list")
if ((count == 0)); then
  echo "clang-tidy.sh: nothing changed since ${METRICS_TIDY_SINCE:-} that a source file reads"
  exit 0
fi
echo "clang-tidy.sh: $count files, $jobs at a time ($("$tidy" --version | grep -o 'version [0-9.]*'))"

start=$SECONDS
# One clang-tidy per file; what it says goes to a file of its own, kept when it failed.
export tidy out
tr '\t' '\n' <"$list" | xargs -d '\n' -n 2 -P "$jobs" sh -c '
  log="$out/$(printf %s "$2" | tr / _)"
  if ! "$tidy" -p "$1" --quiet "$2" >"$log" 2>&1; then mv "$log" "$log.failed"; fi
' sh

failed=("$out"/*.failed)
if [[ -e "${failed[0]}" ]]; then
  cat "${failed[@]}"
  echo "clang-tidy.sh: findings in ${#failed[@]} of $count files ($((SECONDS - start)) s):" \
    "fix them, or where clang-tidy is wrong add NOLINT(check-name) with the reason" >&2
  exit 1
fi
echo "clang-tidy.sh: $count files clean ($((SECONDS - start)) s)"
