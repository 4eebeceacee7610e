#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-upgrade.sh TOPDIR SPEC RPMBUILD_ARGS...: upgrades and removal keep the user's
# consent and the administrator's URL in /etc/metrics/eos-metrics-permissions.conf.
#
# ci-rpm.sh has built release 1 with --noclean. Releases 1.2 (same default file) and
# 1.3 (a new default file) are packed from that build root again (--short-circuit, no
# compiling), then installed with `rpm --root` into a staging root (no scriptlets: they
# would run systemctl in it):
#   edited file, default unchanged -> kept as it is, no .rpmnew
#   edited file, new default       -> kept as it is, the new default in .rpmnew
#   untouched file, new default    -> replaced by the new default
#   package removed                -> the edited file kept as .rpmsave
set -euo pipefail
top=$1
spec=$2
shift 2
rpm_args=("$@")
buildroot=$top/BUILDROOT/eos-metrics
conf=etc/metrics/eos-metrics-permissions.conf

main_rpm() { find "$top/RPMS" -name "eos-metrics-[0-9]*$1.*.rpm" | head -n 1; }
repack() {
  rpmbuild -bb --short-circuit --nodeps --noclean --without check --define "dist $1" \
    "${rpm_args[@]}" "$spec" >>"$top/repack.log" 2>&1
}
fail() {
  echo "check-upgrade: FAIL: $*" >&2
  exit 1
}
new_root() {
  local root
  root=$(mktemp -d "$top/root-XXXXXX")
  rpm --root "$root" --initdb >"$top/rpm.log" 2>&1 || fail "rpm --initdb: $(cat "$top/rpm.log")"
  echo "$root"
}
rpm_in() {
  local root=$1
  shift
  # Quiet about the service user, which the staging root does not have, and about
  # Debian's advice to use alien.
  local status=0
  rpm --root "$root" --nodeps --noscripts --notriggers "$@" >"$top/rpm.log" 2>&1 || status=$?
  grep -v -e 'does not exist - using root' -e 'use Alien instead' \
    -e 'assuming you know what you are doing' "$top/rpm.log" || true
  ((status == 0)) || fail "rpm $* failed"
}
installed() { rpm --root "$1" -q eos-metrics 2>/dev/null; }

v1=$(main_rpm "-1")
[[ -f $v1 ]] || fail "release 1 of eos-metrics is not in $top/RPMS"
repack .2
v2=$(main_rpm "-1.2")
printf '# a new default\n' >>"$buildroot/$conf"
repack .3
v3=$(main_rpm "-1.3")
[[ -f $v2 && -f $v3 ]] || fail "repacking failed: $(tail -n 20 "$top/repack.log")"

edited=$top/edited.conf
cat >"$edited" <<'CONF'
# the administrator was here
[global]
enabled=true
uploading_enabled=true
environment=production
server_url=https://${environment}.metrics.example.org/
CONF

root=$(new_root)
rpm_in "$root" -i "$v1"
[[ -f $root/$conf ]] || fail "release 1 did not install /$conf"
cp "$edited" "$root/$conf"
rpm_in "$root" -U "$v2"
[[ $(installed "$root") == *-1.2.* ]] || fail "release 1.2 is not installed: $(installed "$root")"
cmp -s "$root/$conf" "$edited" || fail "the upgrade to 1.2 changed an edited /$conf"
[[ ! -e $root/$conf.rpmnew ]] || fail "an upgrade with the same default left /$conf.rpmnew"
rpm_in "$root" -U "$v3"
[[ $(installed "$root") == *-1.3.* ]] || fail "release 1.3 is not installed: $(installed "$root")"
cmp -s "$root/$conf" "$edited" || fail "the upgrade to 1.3 changed an edited /$conf"
cmp -s "$root/$conf.rpmnew" "$buildroot/$conf" ||
  fail "the upgrade to 1.3 did not put its new default in /$conf.rpmnew"
rpm_in "$root" -e eos-metrics
[[ ! -e $root/$conf ]] || fail "removing the package left /$conf in place"
cmp -s "$root/$conf.rpmsave" "$edited" ||
  fail "removing the package did not keep the edited file as /$conf.rpmsave"

root=$(new_root)
rpm_in "$root" -i "$v2"
rpm_in "$root" -U "$v3"
cmp -s "$root/$conf" "$buildroot/$conf" ||
  fail "an untouched /$conf was not replaced by the new default"
[[ ! -e $root/$conf.rpmnew ]] || fail "an untouched /$conf got a .rpmnew"

echo "check-upgrade: /$conf survives upgrades and removal (4 cases)"
