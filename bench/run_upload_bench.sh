#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks the upload of a queued backlog to the local HTTPS collector.
#
# Usage: bench/run_upload_bench.sh [extra upload_bench.py options, e.g. --probe]
#
# Environment (all optional):
#   BUILD_DIR           build tree (default: build)
#   RECORDER            recorder binary  (default $BUILD_DIR/daemon/eos-metrics-event-recorder;
#                       its upload helper, eos-metrics-upload-helper, is taken from beside it)
#   COLLECTOR           collector binary (default $BUILD_DIR/tests/collector/metrics-test-collector)
#   EVENTS_LIST         space-separated backlog sizes            (default "20000 100000")
#   VARIANTS            queue contents: mix (realistic) unique   (default "mix unique")
#   MAX_REQUEST_BYTES   UploadMaxRequestBytes values, "default" = not set (default "default")
#   GRANULARITY         TimestampGranularitySeconds ("" = daemon default, 3600)
#   RUNS                runs per cell                             (default 3)
#   SERVER              collector (metrics-test-collector) or sink (a minimal HTTPS server
#                       that answers at once: the daemon's own cost) (default collector)
#   JSON_OUT            also append one JSON object per run to this file
# A private system-like dbus-daemon, dbusmock's NetworkManager (connected, unmetered), the
# collector with a fresh certificate; every run gets a fresh daemon whose queue is written
# into its store while it is stopped. Runs in which the daemon and the server waited for a
# CPU (other jobs) are repeated. The binaries are copied first, so a rebuild during the
# bench does not change what is measured. Prints markdown tables (bench/upload_bench.py).
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,24p' "$0" >&2
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
RECORDER=${RECORDER:-$BUILD_DIR/daemon/eos-metrics-event-recorder}
COLLECTOR=${COLLECTOR:-$BUILD_DIR/tests/collector/metrics-test-collector}
EVENTS_LIST=${EVENTS_LIST:-"20000 100000"}
VARIANTS=${VARIANTS:-"mix unique"}
MAX_REQUEST_BYTES=${MAX_REQUEST_BYTES:-default}
GRANULARITY=${GRANULARITY:-}
RUNS=${RUNS:-3}
SERVER=${SERVER:-collector}
python=/usr/bin/python3  # Debian's: has gi, dbus and dbusmock

for tool in dbus-daemon openssl "$python"; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
"$python" -c 'import gi, dbus, dbusmock' 2>/dev/null ||
  { echo "$python lacks gi, dbus or dbusmock (python3-gi python3-dbus python3-dbusmock)" >&2; exit 1; }
[[ -x $RECORDER ]] || { echo "recorder not built: $RECORDER" >&2; exit 1; }
[[ -x $COLLECTOR ]] || { echo "collector not built: $COLLECTOR" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/metrics-upload-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$RECORDER" "$tmp/eos-metrics-event-recorder"
cp "$(dirname "$RECORDER")/eos-metrics-upload-helper" "$tmp/eos-metrics-upload-helper"
cp "$COLLECTOR" "$tmp/metrics-test-collector"
echo "recorder: $RECORDER ($(stat -c %y "$RECORDER" | cut -d. -f1))," \
  "tree $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)" >&2

args=(--recorder "$tmp/eos-metrics-event-recorder" --collector "$tmp/metrics-test-collector"
  --make-cert "$repo/tests/collector/make-test-cert.sh" --runs "$RUNS" --server "$SERVER")
# The helper's peak RSS through GNU time (a wrapper around the copy), when installed.
[[ -x /usr/bin/time ]] && args+=(--measure-helper)
# shellcheck disable=SC2206  # word splitting of the lists is intended
args+=(--events $EVENTS_LIST --variants $VARIANTS --max-request-bytes $MAX_REQUEST_BYTES)
[[ -n $GRANULARITY ]] && args+=(--granularity "$GRANULARITY")
[[ -n ${JSON_OUT:-} ]] && args+=(--json-out "$JSON_OUT")

"$python" "$repo/bench/upload_bench.py" "${args[@]}" "$@" &
driver=$!
# Pass INT/TERM on to the driver, which stops its processes, then wait for it to finish.
trap 'kill -TERM "$driver" 2>/dev/null || true' INT TERM
rc=0
wait "$driver" || rc=$?
if kill -0 "$driver" 2>/dev/null; then
  rc=0
  wait "$driver" || rc=$?
fi
exit "$rc"
