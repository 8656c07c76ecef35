#!/bin/bash
# execute ping / ping6 / ping-options against real network faults, in
# namespaces this script creates (client -> router -> server, as in
# ../shared/testenv.md §1) and deletes.  Root only.
# usage: run-ping.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-ping.sh path/to/appsh}
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip nft; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (iproute2, nftables)"; exit 77; }
done
unset APPSH_STATE_DIR

P=apg$$- # unique namespace names
C=${P}client R=${P}router S=${P}server
T=$(mktemp -d)
made=()
cleanup() {
	for ns in "${made[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

for ns in $C $R $S; do
	ip netns add "$ns" || { echo "SKIP: cannot create network namespaces"; exit 77; }
	made+=("$ns")
	ip -n "$ns" link set lo up
done
set -e
ip link add c0 netns $C type veth peer name r0 netns $R
ip link add s0 netns $S type veth peer name r1 netns $R
ip -n $C addr add 10.99.1.2/24 dev c0; ip -n $R addr add 10.99.1.1/24 dev r0
ip -n $R addr add 10.99.2.1/24 dev r1; ip -n $S addr add 10.99.2.2/24 dev s0
ip -n $C addr add fd99:1::2/64 dev c0 nodad; ip -n $R addr add fd99:1::1/64 dev r0 nodad
ip -n $R addr add fd99:2::1/64 dev r1 nodad; ip -n $S addr add fd99:2::2/64 dev s0 nodad
for l in $C:c0 $R:r0 $R:r1 $S:s0; do ip -n ${l%:*} link set ${l#*:} up; done
ip -n $C route add default via 10.99.1.1; ip -n $S route add default via 10.99.2.1
ip -n $C -6 route add default via fd99:1::1; ip -n $S -6 route add default via fd99:2::1
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for ns in $C $R $S; do ip netns exec $ns sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0; done
set +e
# IPv6: wait for duplicate address detection on the link-local addresses.
for _ in $(seq 50); do
	busy=0
	for ns in $C $R $S; do [ -n "$(ip -n $ns -6 addr show tentative)" ] && busy=1; done
	[ $busy = 0 ] && break
	sleep 0.1
done

pass=0 fail=0
# run COMMANDS: one appsh session in the client namespace (fast options
# first); output in $T/out, $T/err, status in $rc.
FAST=$'execute ping-options interval 0.1\nexecute ping-options timeout 0.5\n'
run() {
	local st
	st=$(mktemp -d "$T/state.XXXXXX")
	ip netns exec $C "$APPSH" --state-dir "$st" -c "$1" >"$T/out" 2>"$T/err"
	rc=$?
}
check() { # name, then a command that must succeed
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); echo "FAIL $name"
		sed 's/^/    out: /' "$T/out"; sed 's/^/    err: /' "$T/err"
	fi
}
has() { grep -qxF -- "$1" "$T/out"; }
re() { grep -qxE -- "$1" "$T/out"; }
lacks() { ! grep -qE -- "$1" "$T/out"; }
count() { test "$(grep -cE -- "$1" "$T/out")" = "$2"; }

# 1. Success, the spec §8.4 format line by line.
run "${FAST}execute ping 10.99.2.2"
check "success: exit 0" test "$rc" = 0
check "success: header" has "PING 10.99.2.2 (10.99.2.2): 56 data bytes"
check "success: 5 replies, seq from 0, ttl 63" count \
	'^64 bytes from 10\.99\.2\.2: icmp_seq=[0-4] ttl=63 time=[0-9]+\.[0-9] ms$' 5
check "success: icmp_seq=0 first" re "$(sed -n 2p "$T/out" | grep -E 'icmp_seq=0 ' || echo NOPE)"
check "success: blank line then title" \
	test "$(sed -n '7,8p' "$T/out")" = $'\n--- 10.99.2.2 ping statistics ---'
check "success: statistics" has "5 packets transmitted, 5 packets received, 0% packet loss"
check "success: round-trip" re 'round-trip min/avg/max = [0-9]+\.[0-9]/[0-9]+\.[0-9]/[0-9]+\.[0-9] ms'
check "success: 10 lines" test "$(wc -l <"$T/out")" = 10

# 2. repeat-count and data-size honoured.
run "${FAST}execute ping-options repeat-count 2
execute ping-options data-size 100
execute ping 10.99.2.2"
check "repeat-count 2" has "2 packets transmitted, 2 packets received, 0% packet loss"
check "data-size 100" has "PING 10.99.2.2 (10.99.2.2): 100 data bytes"
check "data-size 100: reply size" count '^108 bytes from 10\.99\.2\.2: icmp_seq=[01] ' 2

# 3. No reply: the router drops ICMP.
ip netns exec $R nft add table inet apgt
ip netns exec $R nft add chain inet apgt fw '{ type filter hook forward priority 0; }'
ip netns exec $R nft add rule inet apgt fw ip daddr 10.99.2.2 icmp type echo-request drop
run "${FAST}execute ping-options repeat-count 3
execute ping 10.99.2.2"
check "drop: 100% loss" has "3 packets transmitted, 0 packets received, 100% packet loss"
check "drop: no round-trip line" lacks '^round-trip'
check "drop: no reply lines" lacks 'bytes from'
ip netns exec $R nft flush chain inet apgt fw

# 4. An ICMP error from the router, per packet.
ip netns exec $R nft add rule inet apgt fw ip daddr 10.99.2.2 reject with icmp type host-unreachable
run "${FAST}execute ping-options repeat-count 3
execute ping 10.99.2.2"
check "reject: Destination Host Unreachable per packet" \
	count '^From 10\.99\.1\.1 icmp_seq=[0-2] Destination Host Unreachable$' 3
check "reject: 100% loss" has "3 packets transmitted, 0 packets received, 100% packet loss"
ip netns exec $R nft delete table inet apgt

# 5. ttl 1: the router says time exceeded.
run "${FAST}execute ping-options repeat-count 2
execute ping-options ttl 1
execute ping 10.99.2.2"
check "ttl 1: Time to live exceeded" \
	count '^From 10\.99\.1\.1 icmp_seq=[01] Time to live exceeded$' 2

# 6. IPv6 on the same topology.
# ping6 has its own options (ping6-options); ping's do not apply.
run "${FAST//ping-/ping6-}execute ping-options repeat-count 4
execute ping6-options repeat-count 2
execute ping6 fd99:2::2"
check "ping6: header" has "PING fd99:2::2 (fd99:2::2): 56 data bytes"
check "ping6: replies, hop limit 63" \
	count '^64 bytes from fd99:2::2: icmp_seq=[01] ttl=63 time=[0-9]+\.[0-9] ms$' 2
check "ping6: statistics" has "2 packets transmitted, 2 packets received, 0% packet loss"

# 7. The datagram socket path (no CAP_NET_RAW): needs ping_group_range.
if command -v setpriv >/dev/null; then
	ip netns exec $C sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	st=$(mktemp -d "$T/state.XXXXXX")
	ip netns exec $C setpriv --inh-caps=-all --bounding-set=-net_raw \
		"$APPSH" --state-dir "$st" -c "${FAST}execute ping-options repeat-count 2
execute ping 10.99.2.2" >"$T/out" 2>"$T/err"
	check "datagram socket: replies with ttl" \
		count '^64 bytes from 10\.99\.2\.2: icmp_seq=[01] ttl=63 ' 2
	ip netns exec $C sysctl -qw net.ipv4.ping_group_range="1 0"
	ip netns exec $C setpriv --inh-caps=-all --bounding-set=-net_raw \
		"$APPSH" --state-dir "$st" -c "execute ping 10.99.2.2" >"$T/out" 2>"$T/err"
	check "neither socket: names what is missing" \
		grep -q 'CAP_NET_RAW.*ping_group_range' "$T/err"
fi

# 8. No route at the client.
ip -n $C route del default
run "${FAST}execute ping-options repeat-count 2
execute ping 10.99.2.2"
check "no route: Network is unreachable per attempt" \
	count '^sendto failed: Network is unreachable$' 2
check "no route: statistics" has "2 packets transmitted, 0 packets received, 100% packet loss"
ip -n $C route add default via 10.99.1.1

# 9. An unknown host: one clear line, the command fails.
run "execute ping no-such-host.invalid"
check "unknown host: fails" test "$rc" != 0
check "unknown host: one clear line" grep -q 'unknown host no-such-host.invalid' "$T/err"
check "unknown host: no PING header" lacks '^PING'

# 10. ping-options view-settings and reset (golden).
run "execute ping-options repeat-count 3
execute ping-options data-size 100
execute ping-options interval 0.25
execute ping-options timeout 1
execute ping-options ttl 7
execute ping-options tos lowdelay
execute ping-options df-bit yes
execute ping-options source 10.99.1.2
execute ping-options pattern 00ffaabb
execute ping-options validate-reply yes
execute ping-options view-settings
execute ping-options reset
execute ping-options view-settings"
cat >"$T/want" <<'W'
Ping Options:
Repeat Count: 3
Data Size: 100
Timeout: 1
Interval: 0.25
TTL: 7
TOS: 16
DF bit: set
Source Address: 10.99.1.2
Pattern: 00ffaabb
Validate Reply: yes
Ping Options:
Repeat Count: 5
Data Size: 56
Timeout: 2
Interval: 1
TTL: 64
TOS: 0
DF bit: unset
Source Address: auto
Pattern:
Validate Reply: no
W
check "view-settings and reset (golden)" diff -u "$T/want" "$T/out"

# 11. The options reach the wire: pattern and validate-reply with a source.
run "${FAST}execute ping-options repeat-count 2
execute ping-options pattern 00ffaabb
execute ping-options validate-reply yes
execute ping-options source 10.99.1.2
execute ping 10.99.2.2"
check "pattern + validate-reply: clean replies" \
	count '^64 bytes from 10\.99\.2\.2: icmp_seq=[01] ttl=63 time=[0-9.]+ ms$' 2

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
