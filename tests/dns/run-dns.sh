#!/bin/bash
# The stub resolver (diag/dns.c) against real servers on 127.0.0.1: dnsmasq
# for the answers a healthy server gives, and dnsstub.py for the servers
# that fail (silent, SERVFAIL, REFUSED, decoy replies, truncation).  The
# unit test binary test_dns_wire is the driver (its --query mode).
set -u
DRV=${APPSH_BUILD:?}/tests/test_dns_wire
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
DNSMASQ=/usr/sbin/dnsmasq
[ -x "$DRV" ] || { echo "SKIP: $DRV not built"; exit 77; }
[ -x "$DNSMASQ" ] || { echo "SKIP: dnsmasq not installed (package dnsmasq-base)"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY not installed"; exit 77; }

T=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
check() { # name, then a command that must succeed
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "PASS $name"
	else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' <<<"$out"; fi
}

# q SERVERS NAME TYPE TIMEOUT_MS: runs one query, its output in $out.
q() { out=$("$DRV" --query "$@" 2>&1); }
field() { sed -n "s/^$1: //p" <<<"$out"; }
is() { test "$(field "$1")" = "$2"; }
is2() { is "$1" "$2" && is "$3" "$4"; }
has() { grep -qxF -- "$1" <<<"$out"; }
between() { local v; v=$(field elapsed_ms); test "$v" -ge "$1" -a "$v" -le "$2"; }
# The resolver's own elapsed_ms against the timeout given to it: "before
# the timeout" (an error known at once) or "one timeout, not two".  Never a
# wall-clock bound tighter than that timeout: the machine may be loaded.
before() { local v; v=$(field elapsed_ms); test "$v" -lt "$1"; }

free_port() {
	"$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stub MODE: starts dnsstub.py, its address in $stub.
stub() {
	local f=$T/stub.$1
	"$PY" "$HERE/dnsstub.py" "$1" "$f" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.02; done
	stub=127.0.0.1:$(cat "$f")
}

# dnsmasq: local data only, in the foreground, on a free port.
big=()
for i in $(seq 1 100); do big+=(--host-record=big.example.test,10.1.$((i / 200)).$((i % 200 + 1))); done
listen=(--listen-address=127.0.0.1)
have_v6=0
if [ -e /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
	listen+=(--listen-address=::1)
	have_v6=1
fi
for attempt in 1 2 3; do
	port=$(free_port)
	"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--port="$port" "${listen[@]}" --bind-interfaces \
		--user="$(id -un)" --group="$(id -gn)" --pid-file="$T/dnsmasq.pid" \
		--log-facility="$T/dnsmasq.log" --log-queries --local-ttl=300 \
		--local=/example.test/ \
		--host-record=mail.example.test,127.0.0.5 \
		--host-record=v6.example.test,127.0.0.6,fd00::6 \
		--mx-host=example.test,mail.example.test,10 \
		--mx-host=example.test,mx2.example.test,20 \
		--cname=www.example.test,mail.example.test \
		--cname=alias.example.test,www.example.test \
		"${big[@]}" 2>"$T/dnsmasq.err" &
	dpid=$!
	ok=0
	for _ in $(seq 100); do
		kill -0 "$dpid" 2>/dev/null || break
		q "127.0.0.1:$port" mail.example.test A 200
		if is status OK; then ok=1; break; fi
		sleep 0.02
	done
	[ "$ok" = 1 ] && break
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
done
if [ "$ok" != 1 ]; then
	echo "FAIL dnsmasq did not start: $(cat "$T/dnsmasq.err")"
	echo "0 passed, 1 failed"
	exit 1
fi
pids+=("$dpid")
D=127.0.0.1:$port
# Nothing listens on this port: the kernel answers with ICMP port unreachable.
DOWN=127.0.0.1:$(free_port)
TMO=600

q "$D" mail.example.test A 1000
check "A: OK from server 0" is status OK
check "A: answered_by 0" is answered_by 0
check "A: the record with its TTL and address" has "record: A 300 127.0.0.5 127.0.0.5"
check "A: one record" is n 1
q "$D" MAIL.Example.TEST. A 1000
check "A: case and trailing dot do not matter" has "record: A 300 127.0.0.5 127.0.0.5"

q "$D" v6.example.test AAAA 1000
check "AAAA: fd00::6" has "record: AAAA 300 fd00::6 fd00::6"
check "AAAA: only the AAAA" is n 1

q "$D" example.test MX 1000
check "MX: OK" is status OK
check "MX: 10 mail.example.test" has "record: MX 300 10 mail.example.test"
check "MX: 20 mx2.example.test" has "record: MX 300 20 mx2.example.test"
check "MX: two records" is n 2

q "$D" www.example.test A 1000
check "CNAME -> A: the target's address" has "record: A 300 127.0.0.5 127.0.0.5"
q "$D" alias.example.test A 1000
check "CNAME -> CNAME -> A" has "record: A 300 127.0.0.5 127.0.0.5"
q "$D" www.example.test AAAA 1000
check "CNAME -> nothing of the type: NODATA" is status NODATA

q "$D" nosuch.example.test A 1000
check "NXDOMAIN" is status NXDOMAIN
check "NXDOMAIN: answered_by 0, no records" is2 answered_by "0" n "0"
q "$D" mail.example.test AAAA 1000
check "NODATA: a name with only an A asked for AAAA" is status NODATA
q "$D" www.other.test A 1000
check "REFUSED from dnsmasq (not its zone, no upstream)" is status REFUSED
check "REFUSED: answered_by 0" is answered_by 0

# Truncation: 100 addresses do not fit 1232 bytes; dnsmasq sets TC and
# the same question is asked again over TCP (dnsmasq logs both).
q "$D" big.example.test A 2000
check "TC -> TCP: OK" is status OK
check "TC -> TCP: the first 16 records kept" is n 16
check "TC -> TCP: dnsmasq saw the question twice (UDP, then TCP)" \
	test "$(grep -c 'query\[A\] big.example.test' "$T/dnsmasq.log")" = 2

# A server that is down: refused at once, not after the timeout.
q "$DOWN" mail.example.test A 2000
check "down: UNREACHABLE" is status UNREACHABLE
check "down: errno ECONNREFUSED (111)" is errno 111
check "down: answered_by names it" is answered_by 0
check "down: before the timeout" before 2000

# A server that reads and never answers.
stub drop
DROP=$stub
q "$DROP" mail.example.test A $TMO
check "silent: TIMEOUT" is status TIMEOUT
check "silent: answered_by -1" is answered_by -1
check "silent: after the timeout, once" between $((TMO - 20)) $((2 * TMO - 1))

# Failing over.
q "$DROP,$D" mail.example.test A $TMO
check "silent then dnsmasq: OK" is status OK
check "silent then dnsmasq: answered_by 1" is answered_by 1
check "silent then dnsmasq: took the first server's timeout, once" between $((TMO - 20)) $((2 * TMO - 1))
q "$DOWN,$D" mail.example.test MX 1000
check "down then dnsmasq: answered_by 1" is answered_by 1
check "down then dnsmasq: before the timeout" before 1000
q "$DROP,$DOWN" mail.example.test A $TMO
check "silent and down: the network error is reported" is status UNREACHABLE
check "silent and down: answered_by 1, errno 111" is2 answered_by "1" errno "111"
check "silent and down: elapsed covers both (one timeout)" between $((TMO - 20)) $((2 * TMO - 1))
q "$D,$DROP" nosuch.example.test A $TMO
check "NXDOMAIN from server 0 ends the search" is2 status "NXDOMAIN" answered_by "0"

# SERVFAIL and REFUSED from a stub; the next server is still asked.
stub rcode=2
SERVFAIL=$stub
q "$SERVFAIL" mail.example.test A 1000
check "SERVFAIL" is status SERVFAIL
check "SERVFAIL: answered_by 0" is answered_by 0
stub rcode=5
q "$stub" mail.example.test A 1000
check "REFUSED (stub)" is status REFUSED
q "$SERVFAIL,$D" mail.example.test A 1000
check "SERVFAIL then dnsmasq: OK from server 1" is2 status "OK" answered_by "1"
stub rcode=4
q "$stub" mail.example.test A 1000
check "NOTIMP: BAD_REPLY" is status BAD_REPLY

# Replies that are not ours are ignored, the real one is taken.
stub decoys
q "$stub" mail.example.test A 1000
check "decoys (wrong ID, no QR, other question) ignored" has "record: A 60 192.0.2.1 192.0.2.1"
check "decoys: exactly the real record" is n 1

# Truncation from the stub: the TCP answer is used.
stub tc
q "$stub" mail.example.test A 1000
check "stub TC -> TCP: the TCP records" has "record: A 60 192.0.2.10 192.0.2.10"
check "stub TC -> TCP: one TCP query" test "$(cat "$T/stub.tc.tcp" 2>/dev/null | wc -l)" = 1
stub tc-hang
q "$stub" mail.example.test A $TMO
check "TC, then TCP never answers: TIMEOUT" is status TIMEOUT
check "TC, then TCP never answers: the timeout, once" between $((TMO - 20)) $((2 * TMO - 1))

# IPv6 transport.
if [ "$have_v6" = 1 ]; then
	q "[::1]:$port" v6.example.test A 1000
	check "IPv6 server: A over ::1" has "record: A 300 127.0.0.6 127.0.0.6"
else
	echo "SKIP IPv6 server: no ::1 on this machine"
fi

# No query at all: literals, bad names, no servers.
q "$DOWN" 192.0.2.80 A 1000
check "IPv4 literal answers itself" is2 record "A 0 192.0.2.80 192.0.2.80" answered_by "-1"
q "$DOWN" 2001:db8::80 A 1000
check "IPv6 literal asked for A: NODATA" is status NODATA
q "$DOWN" 'bad_name!' A 1000
check "bad name: BAD_NAME" is status BAD_NAME
q - mail.example.test A 1000
check "no servers: NO_SERVER" is status NO_SERVER

# No route at all (a network namespace with only lo): unreachable at once.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
	out=$(unshare -n sh -c 'ip link set lo up 2>/dev/null; "$0" --query 10.99.9.9:53 mail.example.test A 2000' "$DRV" 2>&1)
	check "no route: UNREACHABLE" is status UNREACHABLE
	check "no route: ENETUNREACH (101)" is errno 101
	check "no route: before the timeout" before 2000
else
	echo "SKIP no-route case: needs root and unshare -n"
fi

# ICMP host/net unreachable coming back after the send: reported only
# through IP_RECVERR (without it, a connected UDP socket hears of port
# unreachable alone, and these would time out).  The reject is on input,
# so the query leaves the socket and the ICMP error comes back over lo.
if [ "$(id -u)" = 0 ] && command -v nft >/dev/null && unshare -n true 2>/dev/null; then
	out=$(unshare -n sh -c 'ip link set lo up &&
		nft add table inet t &&
		nft add chain inet t in "{ type filter hook input priority 0; }" &&
		nft add rule inet t in ip daddr 127.0.0.99 udp dport 53 reject with icmp type host-unreachable &&
		nft add rule inet t in ip daddr 127.0.0.98 udp dport 53 reject with icmp type net-unreachable &&
		"$0" --query 127.0.0.99:53 mail.example.test A 2000 && echo --- &&
		"$0" --query 127.0.0.98:53,127.0.0.99:53 mail.example.test MX 2000' "$DRV" 2>&1)
	first=$(sed '/^---$/,$d' <<<"$out") second=$(sed '1,/^---$/d' <<<"$out")
	out=$first
	check "ICMP host unreachable: UNREACHABLE, EHOSTUNREACH (113)" is2 status UNREACHABLE errno 113
	check "ICMP host unreachable: before the timeout" before 2000
	out=$second
	check "ICMP net unreachable, then host unreachable: the first server's error" is2 errno 101 answered_by 0
	check "two unreachable servers: before the timeout" before 2000
else
	echo "SKIP ICMP unreachable cases: need root, nft (package nftables) and unshare -n"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
