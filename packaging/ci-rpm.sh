#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ci-rpm.sh BUILD_DIR: what CI does with packaging/fedora.spec on Debian.
#
#  1. the release tarball from BUILD_DIR's `dist` target;
#  2. `rpmbuild -bb --nodeps --without check` of every subpackage from it, with the
#     Fedora macros Debian's rpm lacks (debian-ci.macros); the test suite has run
#     already, so %check and the test targets are left out;
#  3. rpmlint on the spec and the packages: errors fail, the warnings left are explained
#     in eos-metrics.rpmlintrc;
#  4. check-upgrade.sh: an upgrade keeps /etc/metrics/eos-metrics-permissions.conf.
#
# Work trees go to /tmp/pkg-ci-*; set METRICS_KEEP_RPM=1 to keep them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
spec=$here/fedora.spec
version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")

top=$(mktemp -d /tmp/pkg-ci-XXXXXX)
if [[ ${METRICS_KEEP_RPM:-0} != 1 ]]; then
  trap 'rm -rf "$top"' EXIT
fi
mkdir -p "$top/SOURCES"

start=$SECONDS
cmake --build "$build" --target dist >/dev/null
cp "$build/eos-metrics-$version.tar.gz" "$top/SOURCES/"

# CI only checks that the spec builds and installs what it lists, so it compiles without
# optimisation and debug info (the optimised build and its tests ran before).
# --noclean keeps the build root for check-upgrade.sh.
rpm_args=(--define "_topdir $top" --define "buildroot $top/BUILDROOT/eos-metrics"
  --define "optflags -O0 -g0" --load "$here/debian-ci.macros")
if ! rpmbuild -bb --nodeps --noclean --without check "${rpm_args[@]}" "$spec" \
  >"$top/rpmbuild.log" 2>&1; then
  tail -n 60 "$top/rpmbuild.log" >&2
  echo "ci-rpm: rpmbuild failed (log: $top/rpmbuild.log)" >&2
  trap - EXIT
  exit 1
fi
built=$SECONDS
mapfile -t rpms < <(find "$top/RPMS" -name '*.rpm' | sort)
printf 'ci-rpm: built %s\n' "${rpms[@]##*/}"
for sub in "" -libs -devel -instrumentation -test-collector; do
  if ! printf '%s\n' "${rpms[@]##*/}" | grep -q "^eos-metrics$sub-$version-"; then
    echo "ci-rpm: the eos-metrics$sub package is missing" >&2
    exit 1
  fi
done

if command -v rpmlint >/dev/null; then
  if ! rpmlint -c "$here/rpmlint-fedora.toml" -r "$here/eos-metrics.rpmlintrc" "$spec" "${rpms[@]}"; then
    echo "ci-rpm: rpmlint reported errors" >&2
    exit 1
  fi
else
  echo "ci-rpm: rpmlint is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

"$here/check-upgrade.sh" "$top" "$spec" "${rpm_args[@]}"
echo "ci-rpm: done in $((SECONDS - start)) s (rpmbuild $((built - start)) s)"
