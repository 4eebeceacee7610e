#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian 12 packages needed to build, test and run the demo (the list, with
# what each is for, is scripts/dependencies.txt). Idempotent.
set -euo pipefail

# The Debian column of dependencies.txt (the README's dnf line is its Fedora column).
mapfile -t PACKAGES < <(awk '!/^#/ && NF { print $1 }' "$(dirname "$0")/dependencies.txt")

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
