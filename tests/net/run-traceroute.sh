#!/bin/bash
# execute traceroute / traceroute6 / traceroute-options against real
# routers and faults, in namespaces this script creates (client -> router
# -> server, lib-topo.sh) and deletes.  Root only.
# usage: run-traceroute.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-traceroute.sh path/to/appsh}
P=atr$$-
# shellcheck source=tests/net/lib-topo.sh
. "$(dirname "$0")/lib-topo.sh"

HOP='[0-9]+\.[0-9]{3} ms' # one probe's time, three decimals
FAST=$'execute traceroute-options timeout 0.3\n'

# 1. The router has no route (first: the kernel's "no route" ICMP errors
# share a per-source token bucket with the other ICMP errors the router
# sends, so they are reliable only on a fresh namespace).
run "execute traceroute 10.99.3.3"
check "no route at the router: !N from the router, 3 times" \
	re " 1  10\.99\.1\.1  $HOP !N  $HOP !N  $HOP !N"
check "no route at the router: stops there" test "$(wc -l <"$T/out")" = 2

# 2. Success: the spec §8.6 format, the router then the server.
run "execute traceroute 10.99.2.2"
check "success: exit 0" test "$rc" = 0
check "success: header" \
	has "traceroute to 10.99.2.2 (10.99.2.2), 32 hops max, 3 probe packets per hop, 84 byte packets"
check "success: hop 1 is the router" re " 1  10\.99\.1\.1  $HOP  $HOP  $HOP"
check "success: hop 2 is the server" re " 2  10\.99\.2\.2  $HOP  $HOP  $HOP"
check "success: stops at the destination" test "$(wc -l <"$T/out")" = 3

# 3. A silent drop at the router: * per lost probe, up to max-hops.
ip netns exec $R nft add table inet atrt
ip netns exec $R nft add chain inet atrt fw '{ type filter hook forward priority 0; }'
ip netns exec $R nft add rule inet atrt fw ip daddr 10.99.2.2 drop
run "${FAST}execute traceroute-options max-hops 4
execute traceroute 10.99.2.2"
check "drop: header says 4 hops max" \
	has "traceroute to 10.99.2.2 (10.99.2.2), 4 hops max, 3 probe packets per hop, 84 byte packets"
check "drop: the router still answers" re " 1  10\.99\.1\.1  $HOP  $HOP  $HOP"
check "drop: * * * for hops 2 to 4" count '^ [2-4]  \* \* \*$' 3
check "drop: nothing after max-hops" test "$(wc -l <"$T/out")" = 5
check "drop: exit 0" test "$rc" = 0
ip netns exec $R nft flush chain inet atrt fw

# 4. One lost probe in a hop: the address is not repeated after the *.
ip netns exec $R nft add rule inet atrt fw udp dport 33438 drop
run "execute traceroute 10.99.2.2"
check "one probe lost: ' *' in its place" re " 2  10\.99\.2\.2  $HOP \*  $HOP"
ip netns exec $R nft flush chain inet atrt fw

# 5. The router rejects: each ICMP unreachable has its annotation.
for t in net-unreachable:N host-unreachable:H admin-prohibited:X; do
	ip netns exec $R nft add rule inet atrt fw ip daddr 10.99.2.2 reject with icmp type ${t%:*}
	run "execute traceroute 10.99.2.2"
	check "reject ${t%:*}: hop 2 is the router with !${t#*:}" \
		re " 2  10\.99\.1\.1  $HOP !${t#*:}  $HOP !${t#*:}  $HOP !${t#*:}"
	check "reject ${t%:*}: stops there" test "$(wc -l <"$T/out")" = 3
	ip netns exec $R nft flush chain inet atrt fw
done
ip netns exec $R nft delete table inet atrt

# 6. IPv6 on the same topology.
run "execute traceroute6 fd99:2::2"
check "traceroute6: header (40 + 8 + 56 bytes)" \
	has "traceroute to fd99:2::2 (fd99:2::2), 32 hops max, 3 probe packets per hop, 104 byte packets"
check "traceroute6: hop 1 is the router" re " 1  fd99:1::1  $HOP  $HOP  $HOP"
check "traceroute6: hop 2 is the server" re " 2  fd99:2::2  $HOP  $HOP  $HOP"
check "traceroute6: stops at the destination" test "$(wc -l <"$T/out")" = 3
run "execute traceroute6 fd99:3::3"
check "traceroute6, no route at the router: !N" \
	re " 1  fd99:1::1  $HOP !N  $HOP !N  $HOP !N"
run "execute traceroute 2001:db8::1"
check "an IPv6 address to traceroute: names traceroute6" \
	grep -q 'is an IPv6 address: use execute traceroute6' "$T/err"

# 7. queries and source.
run "execute traceroute-options queries 1
execute traceroute-options source 10.99.1.2
execute traceroute 10.99.2.2"
check "queries 1: header" \
	has "traceroute to 10.99.2.2 (10.99.2.2), 32 hops max, 1 probe packets per hop, 84 byte packets"
check "queries 1: one time per hop" re " 2  10\.99\.2\.2  $HOP"
run "execute traceroute-options source 10.99.2.2
execute traceroute 10.99.2.2"
check "a source that is not ours: fails with the reason" \
	grep -q 'cannot use source 10.99.2.2: Cannot assign requested address' "$T/err"

# 8. No route at the client: refused before anything is sent.
ip -n $C route del default
run "execute traceroute 10.99.2.2"
check "no route at the client: fails" test "$rc" != 0
check "no route at the client: Network is unreachable" \
	grep -q 'connect: Network is unreachable' "$T/err"
ip -n $C route add default via 10.99.1.1

# 9. An unknown host: one clear line, no header.
run "execute traceroute no-such-host.invalid"
check "unknown host: fails" test "$rc" != 0
check "unknown host: one clear line" grep -q 'unknown host no-such-host.invalid' "$T/err"
check "unknown host: no header" lacks '^traceroute to'

# 9b. A name, resolved through config system dns (dnsmasq in the server
# namespace), for traceroute (A) and traceroute6 (AAAA).
if [ -x /usr/sbin/dnsmasq ]; then
	ip netns exec $S /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --no-poll --bind-interfaces --listen-address=10.99.2.2 \
		--user=root --group=root --pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" \
		--local=/example.test/ --host-record=trace.example.test,10.99.2.2,fd99:2::2 &
	bg_pids+=($!)
	for _ in $(seq 50); do
		ip netns exec $S ss -lun 2>/dev/null | grep -q '10.99.2.2:53 ' && break
		sleep 0.1
	done
	DNS=$'config system dns\nset primary 10.99.2.2\nend\n'
	run "${DNS}execute traceroute trace.example.test
execute traceroute6 trace.example.test"
	check "by name: traceroute header with the A record" \
		has "traceroute to trace.example.test (10.99.2.2), 32 hops max, 3 probe packets per hop, 84 byte packets"
	check "by name: reaches the server" re " 2  10\.99\.2\.2  $HOP  $HOP  $HOP"
	check "by name: traceroute6 header with the AAAA record" \
		has "traceroute to trace.example.test (fd99:2::2), 32 hops max, 3 probe packets per hop, 104 byte packets"
	check "by name: traceroute6 reaches the server" re " 2  fd99:2::2  $HOP  $HOP  $HOP"
	run "${DNS}execute traceroute nosuch.example.test"
	check "by name: NXDOMAIN is one clear line" \
		grep -q 'unknown host nosuch.example.test: NXDOMAIN' "$T/err"
else
	echo "SKIP name checks: dnsmasq not installed (dnsmasq-base)"
fi

# 10. traceroute-options view-settings and reset (golden).
run "execute traceroute-options max-hops 10
execute traceroute-options queries 2
execute traceroute-options timeout 0.5
execute traceroute-options source 10.99.1.2
execute traceroute-options view-settings
execute traceroute-options reset
execute traceroute-options view-settings"
cat >"$T/want" <<'W'
Traceroute Options:
Max Hops: 10
Queries: 2
Timeout: 0.5
Source Address: 10.99.1.2
Traceroute Options:
Max Hops: 32
Queries: 3
Timeout: 3
Source Address: auto
W
check "view-settings and reset (golden)" diff -u "$T/want" "$T/out"

# 11. Ctrl-C stops a long trace at once (interactive, through tmux).
if command -v tmux >/dev/null; then
	ip netns exec $R nft add table inet atrt
	ip netns exec $R nft add chain inet atrt fw '{ type filter hook forward priority 0; }'
	ip netns exec $R nft add rule inet atrt fw ip daddr 10.99.2.2 drop
	st=$(mktemp -d "$T/state.XXXXXX")
	tm() { tmux -S "$T/tmux" "$@"; }
	tm new-session -d -s t -x 120 -y 40 "ip netns exec $C $APPSH --state-dir $st"
	screen() { tm capture-pane -p -t t >"$T/out" 2>/dev/null; }
	wait_screen() { # pattern: up to 30 s (a deadline, not a measure)
		local i
		for i in $(seq 600); do
			screen
			grep -qE -- "$1" "$T/out" && return 0
			sleep 0.05
		done
		return 1
	}
	wait_screen 'appsh #$'
	tm send-keys -t t 'execute traceroute 10.99.2.2' Enter
	wait_screen '^ 1  10\.99\.1\.1'
	tm send-keys -t t C-c
	# 30 hops of 3 probes into a blackhole would take minutes: the prompt
	# coming back is the event that shows Ctrl-C stopped the trace.
	check "Ctrl-C: back at the prompt" wait_screen 'appsh #$'
	check "Ctrl-C: no hop after the interruption" lacks '^ [3-9]|^[1-3][0-9] '
	tm kill-server 2>/dev/null
	ip netns exec $R nft delete table inet atrt
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
