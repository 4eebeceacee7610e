#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fails when a tracked source, script, build or documentation file lacks an
# SPDX-License-Identifier line near its top, or names the wrong licence: the client library
# (libmetrics/ and its examples in docs/examples/) is LGPL-2.1-or-later, everything else
# GPL-2.0-or-later. Data files that cannot hold a comment (test fixtures, golden vectors,
# registry JSON, fuzz seed corpora, the generated docs/what-is-collected.md) and the licence
# texts are exempt.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "spdx check: not a git checkout (a release tarball); skipped"
  exit 77
fi

exempt='^(LICENSES/|tests/fixtures/|fuzz/corpus/|registry/.*\.json$|docs/what-is-collected\.md$)|\.(json|gz|body)$'
missing=0
checked=0
while IFS= read -r file; do
  [[ -f $file && ! -L $file ]] || continue
  [[ $file =~ $exempt ]] && continue
  case "$file" in
    libmetrics/* | docs/examples/*) want=LGPL-2.1-or-later ;;
    *) want=GPL-2.0-or-later ;;
  esac
  checked=$((checked + 1))
  if ! head -n 5 "$file" | grep -q "SPDX-License-Identifier: $want\b"; then
    echo "$file: no 'SPDX-License-Identifier: $want' line in its first 5 lines" >&2
    missing=$((missing + 1))
  fi
done < <(git ls-files)
if ((missing)); then
  echo "spdx check: $missing of $checked files lack their licence line" >&2
  exit 1
fi
echo "spdx check: $checked files carry their licence line"
