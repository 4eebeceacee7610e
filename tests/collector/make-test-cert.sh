#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Creates a throw-away CA and a server certificate for metrics-test-collector: valid for
# 127.0.0.1 and localhost, and for each NAME given (a DNS name or an IP address), for two
# days. Installed as metrics-test-collector-cert; tests run it from the source tree in a
# temporary directory, so nothing it writes is ever committed.
# Usage: make-test-cert.sh OUTDIR [NAME...]
# Writes OUTDIR/ca.pem (trust this), OUTDIR/ca.key, OUTDIR/server.pem, OUTDIR/server.key.
set -eu

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: $(basename "$0") OUTDIR [NAME...]" >&2
  exit 2
fi
out=$1
shift
names="IP:127.0.0.1, DNS:localhost"
for name in "$@"; do
  case $name in
    *[!A-Za-z0-9.:-]* | "" | -* | .* | *..*)
      echo "$(basename "$0"): '$name' is neither a DNS name nor an IP address" >&2
      exit 2 ;;
    *[!0-9.]* )
      case $name in
        *:*) names="$names, IP:$name" ;;  # IPv6
        *) names="$names, DNS:$name" ;;
      esac ;;
    *) names="$names, IP:$name" ;;  # IPv4
  esac
done
if ! command -v openssl >/dev/null 2>&1; then
  echo "$(basename "$0"): needs the openssl command" >&2
  exit 1
fi
mkdir -p "$out"
cd "$out"

cat > server.ext <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $names
EXT

# The keys are created readable by the owner only.
umask 077
openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 2 \
  -subj "/CN=metrics-test-collector CA" \
  -addext "basicConstraints = critical, CA:TRUE" \
  -addext "keyUsage = critical, keyCertSign, cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -sha256 \
  -subj "/CN=127.0.0.1" \
  -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days 2 -sha256 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
# The recorder (another user) and the collector read the certificates; the keys stay private.
chmod 644 ca.pem server.pem
chmod 600 ca.key server.key
