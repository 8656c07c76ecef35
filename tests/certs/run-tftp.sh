#!/usr/bin/env bash
# run-tftp.sh APPSH - certificates imported the appliance's way, from a TFTP
# server: Debian's tftpd-hpa (in.tftpd), started by this test in a network
# namespace of its own (so it has port 69 on its loopback), with appsh run
# in the same namespace:
#   execute certificate ca import <filename> <tftp_ip> <cert_name>
#   execute certificate local import <filename> <tftp_ip> <cert_name>
# A multi-block file (exactly 1024 bytes: the transfer ends with an empty
# block), a file the server does not have, no server at the address, a
# name that is not an address, and the local-file forms beside them.
set -u
APPSH=${1:?usage: run-tftp.sh APPSH}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (a network namespace for port 69)"
TFTPD=/usr/sbin/in.tftpd
[ -x "$TFTPD" ] || skip "in.tftpd missing (package tftpd-hpa; scripts/install-deps.sh)"
command -v openssl >/dev/null && command -v unshare >/dev/null || skip "openssl or unshare missing"
unshare -n true 2>/dev/null || skip "cannot make a network namespace"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir -m 755 "$T/srv"

# A CA, a client certificate signed by it, and the files the server offers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=TFTP test CA" -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=client.example.test" \
	-keyout "$T/client.key" -out "$T/client.csr" 2>/dev/null
openssl x509 -req -in "$T/client.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-days 30 -out "$T/client.pem" 2>/dev/null
cp "$T/ca.pem" "$T/srv/ca.pem"
cat "$T/client.pem" "$T/client.key" >"$T/srv/client-with-key.pem"
# Exactly two blocks of 512: text before the PEM block is ignored by PEM
# readers, so pad with it.
size=$(wc -c <"$T/ca.pem")
{ head -c $((1024 - size - 1)) /dev/zero | tr '\0' '#'; echo; cat "$T/ca.pem"; } >"$T/srv/ca-1024.pem"
printf 'not a certificate\n' >"$T/srv/junk.txt"
chmod 644 "$T"/srv/*

cat >"$T/inside.sh" <<'INSIDE'
set -u
APPSH=$1 T=$2 TFTPD=$3
ip link set lo up
# in.tftpd resolves its -a address with AI_ADDRCONFIG, which ignores the
# loopback: a veth pair (both ends in this namespace) gives it an IPv4
# address.
ip link add v0 type veth peer name v1 && ip addr add 198.18.0.1/32 dev v0 &&
	ip link set v0 up && ip link set v1 up
pass=0 fail=0
check() {
	local name=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "PASS $name"; else
		fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    out: /' "$T/out"; sed 's/^/    err: /' "$T/err"; fi
}
run() { "$APPSH" --state-dir "$T/state" -c "$1" >"$T/out" 2>"$T/err"; rc=$?; }
has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
# in.tftpd in the foreground (-L), chrooted (-s) to the files, as nobody.
"$TFTPD" -L -a 127.0.0.1:69 -u nobody -s "$T/srv" &
tftpd=$!
for _ in $(seq 200); do ss -lun | grep -q '127.0.0.1:69 ' && break; sleep 0.05; done

run "execute certificate ca import ca.pem 127.0.0.1 corp-ca
show system certificate ca"
check "ca import <filename> <tftp_ip> <cert_name>: exit 0" test "$rc" = 0
check "ca import from TFTP: imported, named, with its subject" has 'CA certificate "corp-ca" imported: subject /CN=TFTP test CA'
check "ca import from TFTP: stored as the appliance's 'ca' attribute" eval 'has "edit \"corp-ca\"" && has "set ca \"-----BEGIN CERTIFICATE-----"'
check "ca import from TFTP: the same certificate" eval "diff <(sed -n '/BEGIN/,/END/p' '$T/out' | sed 's/^.*set ca \"//') '$T/ca.pem' >/dev/null"

run "execute certificate ca import ca-1024.pem 127.0.0.1 padded"
check "a file of exactly 1024 bytes (two full blocks, then an empty one)" eval 'test "$rc" = 0 && has "CA certificate \"padded\" imported"'

run "execute certificate local import client-with-key.pem 127.0.0.1 client1
get system certificate local client1"
check "local import <filename> <tftp_ip> <cert_name>: certificate and key in one file" \
	eval 'test "$rc" = 0 && has "Local certificate \"client1\" imported: subject /CN=client.example.test"'
check "local import from TFTP: the key is a secret (*)" has "private-key"
run "config system mail
edit 1
set auth-type certificate
set local-cert client1
end
show system mail"
check "the imported local certificate can be named by local-cert" eval 'test "$rc" = 0 && has "set local-cert \"client1\""'

run "execute certificate ca import missing.pem 127.0.0.1 nothing"
check "a file the server lacks: exit 1" test "$rc" = 1
check "... the server's own error, named" err_has "TFTP server 127.0.0.1: File not found (TFTP error 1)"
check "... return code 3 (failed to connect host)" err_has "Command fail. Return code 3"

run "execute certificate ca import junk.txt 127.0.0.1 junk"
check "a file that is not PEM: refused, nothing stored" eval 'test "$rc" = 1 && grep -q "holds no PEM certificate" "$T/err"'

run "execute certificate ca import ca.pem 127.0.0.2 other"
check "no TFTP server at the address: exit 1, said so" \
	eval 'test "$rc" = 1 && grep -qE "TFTP server 127.0.0.2: (nothing listens on the TFTP port|no answer after)" "$T/err"'

run "execute certificate ca import ca.pem tftp.example.test named"
check "a host name where the address goes: refused, not looked up" \
	eval 'test "$rc" = 1 && err_has "is not the IP address of a TFTP server"'

run "execute certificate local import client-with-key.pem 127.0.0.1 client1"
check "an existing name: refused" eval 'test "$rc" = 1 && err_has "already exists"'

# appsh's local-file forms, beside the appliance's.
run "execute certificate ca import file-ca $T/ca.pem
execute certificate local import file-client $T/client.pem $T/client.key"
check "the local-file forms still work" eval 'test "$rc" = 0 && has "CA certificate \"file-ca\" imported" && has "Local certificate \"file-client\" imported"'

run "execute certificate ca import ?"
check "? names both forms" eval 'grep -q "filename|name" "$T/out"'

kill "$tftpd" 2>/dev/null
wait "$tftpd" 2>/dev/null
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
INSIDE
unshare -n bash "$T/inside.sh" "$APPSH" "$T" "$TFTPD"
