#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# certs.sh DIR - a throwaway PKI for the SMTP/TLS tests, openssl CLI only.
#
# Files made in DIR (every .key is PEM, unencrypted, mode 600):
#   ca.crt ca.key                  the test CA that clients are told to trust
#   untrusted-ca.crt .key          a second CA that nobody trusts
#   int-ca.crt .key                an intermediate CA signed by ca
#   server.crt .key                CN=mail.test, SAN DNS:mail.test DNS:localhost
#                                  IP:127.0.0.1 IP:10.99.2.2, signed by ca.
#                                  RSA-2048: the RSA-key-exchange ciphers of the
#                                  TLS 1.0 / old-cipher servers need an RSA key
#   server-chain.crt .key          same names, signed by int-ca; the .crt holds
#                                  leaf + int-ca (the server sends the chain)
#   server-untrusted.crt .key      same names, signed by untrusted-ca
#   server-wrongname.crt .key      CN/SAN other.test only, signed by ca
#   server-expired.crt .key        same names as server, valid 2020-01-01..2020-01-31
#   server-notyet.crt .key         same names as server, valid from 2099-01-01
#   client.crt .key                CN=testuser, clientAuth, signed by ca
#   client-untrusted.crt .key      CN=testuser, clientAuth, signed by untrusted-ca
# All keys but server.key are EC P-256 (fast to make).  client.key does not
# match server.crt, which gives a mismatched cert/key pair for import tests.
#
# Idempotent and safe to run concurrently on one DIR: an existing complete
# set is kept while its certificates stay valid for another day; otherwise
# the set is rebuilt in a temporary directory and moved in.
set -euo pipefail
D=${1:?usage: certs.sh DIR}
mkdir -p "$D"
D=$(cd "$D" && pwd)

exec 9>"$D/.lock"
flock 9

fresh() {
	[ -f "$D/.complete" ] || return 1
	local f
	for f in ca server client server-chain; do
		openssl x509 -in "$D/$f.crt" -noout -checkend 86400 >/dev/null 2>&1 || return 1
	done
}
fresh && exit 0

W=$(mktemp -d "$D/.build.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
DAYS=30
# Quiet unless a command fails; then show its output.
q() {
	local out
	out=$("$@" 2>&1) || {
		echo "certs.sh: failed: $*" >&2
		echo "$out" >&2
		exit 1
	}
}
eckey() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }

# mkca NAME CN [ISSUER]: a CA, self-signed or signed by ISSUER
mkca() {
	eckey "$1"
	if [ $# -eq 2 ]; then
		q openssl req -x509 -new -key "$1.key" -out "$1.crt" -days $DAYS -sha256 \
			-subj "/O=appsh test/CN=$2" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
	else
		q openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=appsh test/CN=$2"
		printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$1.ext"
		q openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial \
			-days $DAYS -sha256 -extfile "$1.ext" -out "$1.crt"
	fi
}

SERVER_EXT='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:mail.test,DNS:localhost,IP:127.0.0.1,IP:10.99.2.2'
CLIENT_EXT='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

# mkcert NAME ISSUER SUBJECT EXTENSIONS [KEYFILE]: a leaf signed by ISSUER
mkcert() {
	if [ $# -ge 5 ]; then [ "$5" = "$1.key" ] || cp "$5" "$1.key"; else eckey "$1"; fi
	q openssl req -new -key "$1.key" -out "$1.csr" -subj "$3"
	printf '%s\n' "$4" >"$1.ext"
	q openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-days $DAYS -sha256 -extfile "$1.ext" -out "$1.crt"
}

# mkdated NAME START END: like server.crt but valid only from START to END
# (YYYYMMDDHHMMSSZ).  OpenSSL 3.0's `x509 -req` cannot set dates in the past;
# `openssl ca` can, with a throwaway CA database.
mkdated() {
	eckey "$1"
	q openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=appsh test/CN=mail.test"
	mkdir -p db
	: >db/index.txt
	[ -f db/serial ] || echo 1000 >db/serial
	cat >db/ca.cnf <<-EOF
		[ca]
		default_ca = test
		[test]
		database = $W/db/index.txt
		serial = $W/db/serial
		new_certs_dir = $W/db
		default_md = sha256
		policy = any
		unique_subject = no
		copy_extensions = none
		x509_extensions = ext
		[any]
		commonName = supplied
		organizationName = optional
		[ext]
		$SERVER_EXT
	EOF
	q openssl ca -batch -config db/ca.cnf -cert ca.crt -keyfile ca.key -notext \
		-startdate "$2" -enddate "$3" -in "$1.csr" -out "$1.crt"
}

mkca ca "appsh test CA"
mkca untrusted-ca "untrusted CA"
mkca int-ca "appsh test intermediate CA" ca
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key
mkcert server ca "/O=appsh test/CN=mail.test" "$SERVER_EXT" server.key
mkcert server-chain int-ca "/O=appsh test/CN=mail.test" "$SERVER_EXT"
cat int-ca.crt >>server-chain.crt
mkcert server-untrusted untrusted-ca "/O=untrusted/CN=mail.test" "$SERVER_EXT"
mkcert server-wrongname ca "/O=appsh test/CN=other.test" \
	"$(printf '%s\n' "$SERVER_EXT" | sed 's/^subjectAltName=.*/subjectAltName=DNS:other.test/')"
mkdated server-expired 20200101000000Z 20200131000000Z
mkdated server-notyet 20990101000000Z 20991231000000Z
mkcert client ca "/O=appsh test/CN=testuser/emailAddress=testuser@mail.test" "$CLIENT_EXT"
mkcert client-untrusted untrusted-ca "/O=untrusted/CN=testuser" "$CLIENT_EXT"

q openssl verify -CAfile ca.crt server.crt client.crt
q openssl verify -CAfile ca.crt -untrusted int-ca.crt server-chain.crt
chmod 600 ./*.key
chmod 644 ./*.crt
rm -f "$D/.complete"
mv -f ./*.crt ./*.key "$D/"
touch "$D/.complete"
