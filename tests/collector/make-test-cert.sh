#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Creates a throw-away CA and a server certificate for 127.0.0.1 / localhost, for tests.
# Usage: make-test-cert.sh OUTDIR
# Writes OUTDIR/ca.pem (trust this), OUTDIR/ca.key, OUTDIR/server.pem, OUTDIR/server.key.
# Nothing here is ever committed: tests call this at run time in a temporary directory.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
mkdir -p "$out"
cd "$out"

cat > server.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
EXT

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
chmod 600 ca.key server.key
