#!/bin/bash
# execute ping / ping6 / ping-options against real network faults, in
# namespaces this script creates (client -> router -> server, as in
# ../shared/testenv.md §1) and deletes.  Root only.
# usage: run-ping.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-ping.sh path/to/appsh}
P=apg$$-
# shellcheck source=tests/net/lib-topo.sh
. "$(dirname "$0")/lib-topo.sh"

# Fast options first.
FAST=$'execute ping-options interval 0.1\nexecute ping-options timeout 0.5\n'

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

# 12. The options on the wire: a capture in the client namespace, read
# back with tcpdump -v (count, data-size, ttl, tos, df-bit; ping6's hop
# limit and traffic class).
if command -v tcpdump >/dev/null; then
	# capture FILTER: starts tcpdump on c0 and waits until it listens.
	capture() {
		rm -f "$T/cap.pcap" "$T/cap.err"
		ip netns exec $C tcpdump -i c0 -nn -U --immediate-mode -w "$T/cap.pcap" "$1" \
			2>"$T/cap.err" &
		cap_pid=$!
		bg_pids+=("$cap_pid")
		for _ in $(seq 100); do
			grep -q 'listening on' "$T/cap.err" 2>/dev/null && return
			sleep 0.05
		done
	}
	# captured: stops the capture; its packets, verbose, in $T/wire.
	captured() {
		sleep 0.2
		kill -INT "$cap_pid"
		wait "$cap_pid" 2>/dev/null
		tcpdump -r "$T/cap.pcap" -nn -v >"$T/wire" 2>/dev/null
	}
	wire() { grep -cE -- "$1" "$T/wire"; }

	capture 'icmp'
	run "${FAST}execute ping-options repeat-count 3
execute ping-options data-size 100
execute ping-options ttl 7
execute ping-options tos lowdelay
execute ping-options df-bit yes
execute ping 10.99.2.2"
	captured
	check "wire: repeat-count 3 = 3 requests" test "$(wire 'ICMP echo request')" = 3
	check "wire: data-size 100 = ICMP length 108" \
		test "$(wire 'ICMP echo request, id [0-9]+, seq [0-9]+, length 108$')" = 3
	check "wire: ttl 7, tos 0x10, DF set, IP length 128" \
		test "$(wire '^[0-9:.]+ IP \(tos 0x10, ttl 7, id [0-9]+, offset 0, flags \[DF\], proto ICMP \(1\), length 128\)$')" = 3
	check "wire: the replies came back" has "3 packets transmitted, 3 packets received, 0% packet loss"

	capture 'icmp'
	run "${FAST}execute ping-options repeat-count 2
execute ping 10.99.2.2"
	captured
	check "wire: defaults: tos 0, ttl 64, no DF (both requests)" \
		test "$(wire '^[0-9:.]+ IP \(tos 0x0, ttl 64, id [0-9]+, offset 0, flags \[none\], proto ICMP \(1\), length 84\)$')" = 2

	# The datagram socket (no CAP_NET_RAW) sets them too.
	if command -v setpriv >/dev/null; then
		ip netns exec $C sysctl -qw net.ipv4.ping_group_range="0 2147483647"
		capture 'icmp'
		st=$(mktemp -d "$T/state.XXXXXX")
		ip netns exec $C setpriv --inh-caps=-all --bounding-set=-net_raw \
			"$APPSH" --state-dir "$st" -c "${FAST}execute ping-options repeat-count 2
execute ping-options ttl 9
execute ping-options tos throughput
execute ping-options df-bit yes
execute ping 10.99.2.2" >"$T/out" 2>"$T/err"
		captured
		check "wire, datagram socket: ttl 9, tos 0x8, DF set" \
			test "$(wire '^[0-9:.]+ IP \(tos 0x8, ttl 9, id [0-9]+, offset 0, flags \[DF\], proto ICMP \(1\), length 84\)$')" = 2
		ip netns exec $C sysctl -qw net.ipv4.ping_group_range="1 0"
	fi

	capture 'icmp6 and ip6[40] == 128'
	run "${FAST//ping-/ping6-}execute ping6-options repeat-count 2
execute ping6-options data-size 200
execute ping6-options ttl 9
execute ping6-options tos reliability
execute ping6 fd99:2::2"
	captured
	check "wire, ping6: 2 requests, class 0x4, hop limit 9, payload 208" \
		test "$(wire '^[0-9:.]+ IP6 \(class 0x04, flowlabel 0x[0-9a-f]+, hlim 9, next-header ICMPv6 \(58\) payload length: 208\)')" = 2
else
	echo "SKIP wire checks: tcpdump not installed"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
