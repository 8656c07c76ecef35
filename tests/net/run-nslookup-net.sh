#!/bin/bash
# SPDX-License-Identifier: MIT
# execute nslookup / nslookup-mx through a real router: appsh in the client
# namespace, dnsmasq in the server namespace (lib-topo.sh: client -> router
# -> server), and the faults made where they happen on a real network: the
# resolver's port 53 dropped or rejected at the router with nftables, no
# server in `config system dns`.  Root only.
#
#   dnsmasq A  10.99.2.2 and fd99:2::2 (s0): mail.example.test and friends
#   dnsmasq B  10.99.2.3 (a second address on s0): other answers for the
#              same names, so the server that answered shows in the output
#
# usage: run-nslookup-net.sh path/to/appsh   (exit 0 pass, 1 fail, 77 skip)
# Checks are passed to eval in single quotes on purpose (and read variables
# that shellcheck therefore thinks unused):
# shellcheck disable=SC2016,SC2034
set -u
APPSH=${1:?usage: run-nslookup-net.sh path/to/appsh}
DNSMASQ=/usr/sbin/dnsmasq
P=ans$$-
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, DNS servers on port 53)"; exit 77; }
[ -x "$DNSMASQ" ] || { echo "SKIP: dnsmasq not installed (package dnsmasq-base)"; exit 77; }
command -v ss >/dev/null || { echo "SKIP: ss not installed (iproute2)"; exit 77; }
# shellcheck source=tests/net/lib-topo.sh
. "$(dirname "$0")/lib-topo.sh"
export LC_ALL=C

A=10.99.2.2 A6=fd99:2::2 B=10.99.2.3
ip -n "$S" addr add "$B/24" dev s0

# ---- the DNS servers, in the server namespace --------------------------------
dnsmasq_start() { # NAME, then dnsmasq options
	local name=$1
	shift
	ip netns exec "$S" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --no-poll --bind-interfaces --port=53 --user=root --group=root \
		--pid-file="$T/dnsmasq-$name.pid" --log-facility="$T/dnsmasq-$name.log" \
		--log-queries --local=/example.test/ --local-ttl=300 "$@" 2>"$T/dnsmasq-$name.err" &
	bg_pids+=($!)
}
dnsmasq_start A --listen-address=$A --listen-address=$A6 \
	--host-record=mail.example.test,10.99.2.25,fd99:2::25 \
	--host-record=v4.example.test,10.99.2.26 \
	--mx-host=example.test,mail.example.test,10 \
	--mx-host=example.test,mx2.example.test,20 \
	--txt-record=txt.example.test,"text only"
dnsmasq_start B --listen-address=$B \
	--host-record=mail.example.test,10.99.2.35 \
	--mx-host=example.test,backup.example.test,30
up=0
for _ in $(seq 100); do
	l=$(ip netns exec "$S" ss -Hlun 2>/dev/null)
	case $l in *"$A:53 "*) case $l in *"[$A6]:53 "*) case $l in *"$B:53 "*) up=1 ;; esac ;; esac ;; esac
	[ $up = 1 ] && break
	sleep 0.05
done
if [ $up != 1 ]; then
	echo "FAIL dnsmasq did not start in the server namespace: $(cat "$T"/dnsmasq-*.err)"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---- helpers -----------------------------------------------------------------
# go DNS_SETS COMMAND: one appsh session in the client namespace, in its own
# state dir (lib-topo's run); DNS_SETS are the lines inside config system dns
# (none: the fresh default, no server).  Sets $line (the command's line in
# the script, which prefixes its errors) and $ms (wall time).
go() {
	local script='' t0
	[ -n "$1" ] && script=$(printf 'config system dns\n%s\nend' "$1")$'\n'
	script+=$2
	line=$(printf '%s\n' "$script" | wc -l)
	t0=${EPOCHREALTIME/./}
	run "$script"
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
}
err_has() { grep -qxF -- "$1" "$T/err"; }
# The failure as script mode reports it: the line, the return code, exit 1.
fails_with() {
	test "$rc" = 1 && err_has "line $line: $1" && err_has "line $line: Command fail. Return code -1"
}
addrs() { sed -n 's/^Address: //p' "$T/out" | tr '\n' ' '; }
asked() { # SERVER TYPE NAME: how many such questions from the client it logged
	grep -c "query\[$2\] $3 from 10\.99\.1\.2\$" "$T/dnsmasq-$1.log"
}
ANSWERED='^\(answered in [0-9]+ ms\)$'
# waited_once LINE: the timeout line of script line LINE reports one 2 s
# wait: at least the timeout, and less than two of them (a second wait, for
# AAAA after A timed out, would double it).  appsh measures the time itself;
# the test asserts on that event, not on the wall clock of a busy machine.
waited_once() {
	local n
	n=$(sed -nE "s/^line $1: ;; connection timed out after ([0-9]+) ms; no servers could be reached\$/\1/p" "$T/err")
	[ -n "$n" ] && [ "$n" -ge 1990 ] && [ "$n" -lt 4000 ]
}
PRI="set primary $A"

# Router firewall for the faults: forwarded traffic to port 53.
ip netns exec "$R" nft add table inet ans
ip netns exec "$R" nft add chain inet ans fw '{ type filter hook forward priority 0; }'
dropped() { # how many packets the router's rules have matched
	ip netns exec "$R" nft list chain inet ans fw | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# 1. An A and AAAA answer, from the primary, across the router.
go "$PRI" "execute nslookup mail.example.test"
check "answer: exit 0, nothing on stderr" eval 'test "$rc" = 0 && test ! -s "$T/err"'
check "answer: names the answering server and its role" has "Server:  $A (system dns primary)"
check "answer: the name" has "Name:    mail.example.test"
check "answer: the A then the AAAA record, nothing else" \
	eval 'test "$(addrs)" = "10.99.2.25 fd99:2::25 "'
check "answer: the time taken, last" eval 'tail -n1 "$T/out" | grep -qE "$ANSWERED"'
check "answer: 5 lines" test "$(wc -l <"$T/out")" = 5
check "answer: dnsmasq A got both questions from the client's address" \
	eval 'test "$(asked A A mail.example.test)" = 1 && test "$(asked A AAAA mail.example.test)" = 1'

# 2. A only: NODATA for AAAA is no failure and no note.
go "$PRI" "execute nslookup v4.example.test"
check "A only: exit 0, the one address" \
	eval 'test "$rc" = 0 && test "$(addrs)" = "10.99.2.26 " && lacks "lookup:"'

# 3. MX.
go "$PRI" "execute nslookup-mx example.test"
check "MX: exit 0" test "$rc" = 0
check "MX: server line" has "Server:  $A (system dns primary)"
check "MX: both exchangers, preference first" \
	eval 'has "Mail exchanger: 10 mail.example.test" && has "Mail exchanger: 20 mx2.example.test"'
check "MX: the time taken" re "$ANSWERED"
check "MX: no Address lines" lacks '^Address:'

# 4. NXDOMAIN.
go "$PRI" "execute nslookup nosuch.example.test"
check "NXDOMAIN: one line, Return code -1, exit 1" \
	fails_with "** server can't find nosuch.example.test: NXDOMAIN (no such name)"
check "NXDOMAIN: the server that said so" has "Server:  $A (system dns primary)"
check "NXDOMAIN: nothing but the server line" test "$(wc -l <"$T/out")" = 1
check "NXDOMAIN: not asked again for AAAA" \
	eval 'test "$(asked A AAAA nosuch.example.test)" = 0'
go "$PRI" "execute nslookup-mx nosuch.example.test"
check "NXDOMAIN, MX form" fails_with "** server can't find nosuch.example.test: NXDOMAIN (no such name)"

# 5. NODATA: the name exists, with no record of the type asked.
go "$PRI" "execute nslookup txt.example.test"
check "NODATA (TXT only): told apart from NXDOMAIN" \
	fails_with "** server can't find txt.example.test: NODATA (the name has no A or AAAA record)"
check "NODATA: the server that said so" has "Server:  $A (system dns primary)"
check "NODATA: both types were asked" \
	eval 'test "$(asked A A txt.example.test)" = 1 && test "$(asked A AAAA txt.example.test)" = 1'
go "$PRI" "execute nslookup example.test"
check "NODATA (MX only)" \
	fails_with "** server can't find example.test: NODATA (the name has no A or AAAA record)"
go "$PRI" "execute nslookup-mx mail.example.test"
check "NODATA, MX form (a host without MX)" \
	fails_with "** server can't find mail.example.test: NODATA (the name has no MX record)"

# 6. An explicit server overrides config system dns.
before=$(asked A A mail.example.test)
go "$PRI" "execute nslookup mail.example.test $B"
check "explicit server: exit 0, its own answer" \
	eval 'test "$rc" = 0 && test "$(addrs)" = "10.99.2.35 "'
check "explicit server: named, without a system dns role" has "Server:  $B"
check "explicit server: the primary was not asked" \
	eval 'sleep 0.2; test "$(asked A A mail.example.test)" = "$before"'
go "" "execute nslookup-mx example.test $B"
check "explicit server with no DNS configured, MX form" \
	eval 'test "$rc" = 0 && has "Server:  $B" && has "Mail exchanger: 30 backup.example.test" && lacks "mx2"'
go "" "execute nslookup mail.example.test $A6"
check "explicit IPv6 server: answers, named" \
	eval 'test "$rc" = 0 && has "Server:  $A6" && test "$(addrs)" = "10.99.2.25 fd99:2::25 "'
go "set ip6-primary $A6" "execute nslookup mail.example.test"
check "ip6-primary only: used and named" \
	eval 'test "$rc" = 0 && has "Server:  $A6 (system dns ip6-primary)"'

# 7. No DNS configured: fresh, and primary/secondary set then unset.
qa=$(grep -c 'query\[' "$T/dnsmasq-A.log") qb=$(grep -c 'query\[' "$T/dnsmasq-B.log")
go "" "execute nslookup mail.example.test"
check "no DNS configured (fresh): the clear line, exit 1" \
	fails_with "no DNS server is configured (config system dns)"
check "no DNS configured: nothing on stdout" test ! -s "$T/out"
go "$(printf 'set primary %s\nset secondary %s\nunset primary\nunset secondary' $A $B)" \
	"execute nslookup mail.example.test"
check "no DNS configured (primary and secondary unset)" \
	fails_with "no DNS server is configured (config system dns)"
go "$(printf 'set primary 0.0.0.0\nset secondary 0.0.0.0')" "execute nslookup-mx example.test"
check "no DNS configured (0.0.0.0), MX form" \
	fails_with "no DNS server is configured (config system dns)"
check "no DNS configured: no server was asked" \
	eval 'test "$(grep -c "query\[" "$T/dnsmasq-A.log")" = "$qa" &&
	      test "$(grep -c "query\[" "$T/dnsmasq-B.log")" = "$qb"'

# 8. The resolver dropped at the router (UDP and TCP 53): the timeout, with
# the time it took; nothing printed as if a server had answered.
ip netns exec "$R" nft add rule inet ans fw meta l4proto '{ udp, tcp }' th dport 53 counter drop
go "$PRI" "execute nslookup mail.example.test"
check "dropped: the timeout line with the time taken (one 2 s wait)" \
	eval 'test "$rc" = 1 && waited_once "$line"'
check "dropped: Return code -1" err_has "line $line: Command fail. Return code -1"
check "dropped: no Server line (nobody answered)" test ! -s "$T/out"
check "dropped: the router dropped the query" eval 'test "$(dropped)" -ge 1'
go "$PRI" "execute nslookup-mx example.test"
check "dropped, MX form: the timeout line" \
	eval 'test "$rc" = 1 && waited_once "$line"'
go "$PRI" "execute nslookup mail.example.test $B"
check "dropped, explicit server: the timeout line" \
	eval 'test "$rc" = 1 && grep -qE "^line $line: ;; connection timed out after [0-9]+ ms" "$T/err"'
ip netns exec "$R" nft flush chain inet ans fw

# 9. Only the primary dropped: the secondary answers after the primary's
# 2 s, and is the one named.
ip netns exec "$R" nft add rule inet ans fw ip daddr "$A" meta l4proto '{ udp, tcp }' th dport 53 counter drop
go "$(printf 'set primary %s\nset secondary %s' $A $B)" "execute nslookup mail.example.test
execute nslookup-mx example.test"
check "primary dropped: exit 0, nothing on stderr" eval 'test "$rc" = 0 && test ! -s "$T/err"'
check "primary dropped: the secondary answers both and is named" \
	count "^Server:  $B \(system dns secondary\)\$" 2
check "primary dropped: the secondary's records" \
	eval 'test "$(addrs)" = "10.99.2.35 " && has "Mail exchanger: 30 backup.example.test"'
check "primary dropped: the time taken includes the primary's 2 s, both forms" \
	eval 'sed -n "s/^(answered in \([0-9]*\) ms)$/\1/p" "$T/out" >"$T/times" &&
	      test "$(wc -l <"$T/times")" = 2 && test "$(sort -n "$T/times" | head -n1)" -ge 1990'
ip netns exec "$R" nft flush chain inet ans fw

# 10. The router rejects (ICMP port unreachable): told apart from silence,
# and at once.
ip netns exec "$R" nft add rule inet ans fw udp dport 53 reject with icmp type port-unreachable
go "$PRI" "execute nslookup mail.example.test"
check "rejected: unreachable, not timed out" \
	fails_with ";; $A unreachable (Connection refused); no servers could be reached"
ip netns exec "$R" nft delete table inet ans

# 11. After the faults are gone, the same lookup works again.
go "$PRI" "execute nslookup mail.example.test"
check "faults removed: answers again" eval 'test "$rc" = 0 && has "Server:  $A (system dns primary)"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
