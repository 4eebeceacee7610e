#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian 12 packages needed to build, test and run the demo. Idempotent.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format
  libglib2.0-dev libsystemd-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  libsoup-3.0-dev glib-networking
  libgtest-dev libgmock-dev libbenchmark-dev
  gobject-introspection libgirepository1.0-dev
  dbus dbus-daemon libglib2.0-bin
  python3 python3-dbusmock python3-dbus python3-gi gir1.2-glib-2.0
  libxml2-utils util-linux
  gjs gi-docgen
  # Packaging and hardening checks: systemd-analyze, the sandbox the units describe
  # (bubblewrap, libseccomp), the real polkitd, rpmbuild/rpmspec and rpmlint.
  systemd bubblewrap python3-seccomp polkitd rpm rpmlint
  # The fuzzers (fuzz/, docs/fuzzing.md): clang 14 and its runtime libraries, libFuzzer
  # (libclang_rt.fuzzer) among them.
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
