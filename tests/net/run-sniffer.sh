#!/bin/bash
# SPDX-License-Identifier: MIT
# diagnose sniffer packet against real packets, in namespaces this script
# creates (client -> router -> server, ../shared/testenv.md §1) and deletes:
# every verbosity level on a ping, the three time formats, a TCP handshake
# with its seq/ack, count, Ctrl-C, the banner and footer, a bad filter, an
# unknown interface, no permission, the pcap file read back by tcpdump,
# and a full disk (a small tmpfs).  Root only.
# usage: run-sniffer.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-sniffer.sh path/to/appsh}
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces, capture)"; exit 77; }
for t in ip tcpdump ping /usr/bin/python3; do
	command -v $t >/dev/null || {
		echo "SKIP: $t not installed (iproute2, tcpdump, iputils-ping, python3)"
		exit 77
	}
done
APPSH=$(cd "$(dirname "$APPSH")" && pwd)/$(basename "$APPSH")
P=asn$$- TOPO_IPV6=0 # unique namespace names; IPv4 keeps the counted captures quiet
# shellcheck source=tests/net/lib-topo.sh
. "$(dirname "$0")/lib-topo.sh"
# Resolve the neighbours first, so that ARP does not interleave with the
# packets a case counts.
ip netns exec $C ping -c1 -W2 -q 10.99.2.2 >/dev/null
MAC_C=$(ip -n $C -br link show c0 | awk '{print $3}')
MAC_R=$(ip -n $R -br link show r0 | awk '{print $3}')

pass=0 fail=0
STATE=$T/state
check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		sed 's/^/    out: /' "$T/out" | head -40
		sed 's/^/    err: /' "$T/err"
	fi
}
has() { grep -qxF -- "$1" "$T/out"; }
re() { grep -qxE -- "$1" "$T/out"; }
count() { test "$(grep -cE -- "$1" "$T/out")" = "$2"; }
err_is() { test "$(cat "$T/err")" = "$1"; }

# start NS 'COMMAND': appsh running the sniffer command in the background,
# once its banner is out (the capture is open then).
start() {
	local ns=$1
	shift
	: >"$T/out"
	# shellcheck disable=SC2086 # WRAP and TZ_ENV are words
	ip netns exec "$ns" env ${TZ_ENV:-} ${WRAP:-} "$APPSH" --state-dir "$STATE" -c "$1" >"$T/out" \
		2>"$T/err" &
	PID=$!
	for _ in $(seq 200); do
		grep -q '^filters=' "$T/out" && return 0
		kill -0 $PID 2>/dev/null || return 0
		sleep 0.02
	done
}
# finish [SECONDS]: waits for appsh to end by itself; rc in $rc (124: it did not).
finish() {
	local n=$((${1:-5} * 50))
	for _ in $(seq $n); do
		kill -0 $PID 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 $PID 2>/dev/null; then
		kill $PID
		wait $PID
		rc=124
	else
		wait $PID
		rc=$?
	fi
}
# run 'COMMAND': appsh in the client namespace, in the foreground.
run() {
	ip netns exec $C "$APPSH" --state-dir "$STATE" -c "$1" >"$T/out" 2>"$T/err"
	rc=$?
}
pingC() { ip netns exec $C ping -c "${1:-1}" -i 0.2 -W1 -q 10.99.2.2 >/dev/null; }

TS='[0-9]+\.[0-9]{6}'
REQ='10\.99\.1\.2 -> 10\.99\.2\.2: icmp: echo request'
REP='10\.99\.2\.2 -> 10\.99\.1\.2: icmp: echo reply'
# The hex dump line of the first 16 bytes of an IPv4 ICMP echo (84 bytes,
# id and checksum vary) and of the Ethernet header (c0 -> r0).
grouped() { echo "$1" | tr -d ':' | sed -E 's/(....)/\1 /g; s/ $//'; }
ETH_OUT="$(grouped "$MAC_R") $(grouped "$MAC_C") 0800 4500"
HEX_IP=$'^0x0000\t 4500 0054 [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} 0a63 0102\t'

# ---- each verbosity level on a ping --------------------------------------------
for v in 1 2 3 4 5 6; do
	start $C "diagnose sniffer packet c0 'icmp' $v 2"
	pingC
	finish
	check "verbose $v: exits by itself after count 2" test "$rc" = 0
	check "verbose $v: banner" test "$(head -2 "$T/out")" = $'interfaces=[c0]\nfilters=[icmp]'
	if [ $v -ge 4 ]; then
		check "verbose $v: request with interface and direction" re "$TS c0 out $REQ"
		check "verbose $v: reply with interface and direction" re "$TS c0 in $REP"
	else
		check "verbose $v: request header" re "$TS $REQ"
		check "verbose $v: reply header" re "$TS $REP"
	fi
	case $v in
	1 | 4) check "verbose $v: header lines only" test "$(wc -l <"$T/out")" = 7 ;;
	2 | 5)
		check "verbose $v: IP-level hex (starts at 4500)" count "$HEX_IP" 1
		# 84 bytes: 6 lines, the last with 4 bytes padded to the ASCII column
		check "verbose $v: 6 dump lines per packet, 0x0000-0x0050" count $'^0x00[0-5]0\t ' 12
		check "verbose $v: last line padded to 39 columns" \
			re $'0x0050\t [0-9a-f]{4} [0-9a-f]{4}                              \t.{4}'
		check "verbose $v: ASCII column (payload bytes 0x10-0x1f as dots)" \
			re $'0x0030\t 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223\t............ !"#'
		;;
	3 | 6)
		check "verbose $v: Ethernet-level hex (r0 <- c0, 0800)" \
			re $'0x0000\t '"$ETH_OUT"$'\t.*'
		check "verbose $v: 7 dump lines per packet (98 bytes)" count $'^0x00[0-6]0\t ' 14
		;;
	esac
	if [ $v != 1 ] && [ $v != 4 ]; then
		check "verbose $v: a blank line after each packet" \
			test "$(grep -c '^$' "$T/out")" = 3
	fi
	check "verbose $v: footer" \
		re '[0-9]+ packets received by filter'
	check "verbose $v: footer drops" has "0 packets dropped by kernel"
done

# "any": the interface of each packet from the cooked header.
start $C "diagnose sniffer packet any 'icmp and host 10.99.2.2' 4 2"
pingC
finish
check "any, verbose 4: c0 out / c0 in" \
	test "$(grep -cE "^$TS c0 (out $REQ|in $REP)$" "$T/out")" = 2
check "any: banner" has "interfaces=[any]"

# ---- timestamps ------------------------------------------------------------------
start $C "diagnose sniffer packet c0 icmp 1 1 a"
pingC
finish
day=$(date -u +%Y-%m-%d)
check "tsformat a: absolute UTC" re "$day [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} $REQ"
utc_h=$(sed -nE "s/^$day ([0-9]{2}):.*/\1/p" "$T/out")
TZ_ENV=TZ=UTC-9 start $C "diagnose sniffer packet c0 icmp 1 1 l"
pingC
finish
loc_h=$(sed -nE 's/^[0-9-]{10} ([0-9]{2}):.*/\1/p' "$T/out")
check "tsformat l: local time (TZ=UTC-9 is 9 hours ahead)" \
	test "$(((10#${utc_h:-99} + 9) % 24))" = "$((10#${loc_h:-0}))"
start $C "diagnose sniffer packet c0 icmp 1 1 x"
pingC
finish
check "tsformat other: relative seconds" re "0\.[0-9]{6} $REQ"

# ---- a TCP handshake -----------------------------------------------------------------
# A listener that accepts once; the client connects and waits for the close.
ip netns exec $S /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.99.2.2", 25)); s.listen(1); print("up", flush=True)
c, _ = s.accept(); c.recv(1); c.close()' >"$T/nc.out" 2>&1 &
NC=$!
for _ in $(seq 100); do grep -q up "$T/nc.out" && break; sleep 0.02; done
start $C "diagnose sniffer packet c0 'tcp port 25' 1 3"
ip netns exec $C timeout 3 bash -c 'exec 3<>/dev/tcp/10.99.2.2/25; sleep 0.2'
finish
kill $NC 2>/dev/null
wait $NC 2>/dev/null
syn=$(sed -nE "s/^$TS 10\.99\.1\.2\.[0-9]+ -> 10\.99\.2\.2\.25: syn ([0-9]+)$/\1/p" "$T/out")
synack=$(sed -nE "s/^$TS 10\.99\.2\.2\.25 -> 10\.99\.1\.2\.[0-9]+: syn ([0-9]+) ack ([0-9]+)$/\1 \2/p" "$T/out")
ack=$(sed -nE "s/^$TS 10\.99\.1\.2\.[0-9]+ -> 10\.99\.2\.2\.25: ack ([0-9]+)$/\1/p" "$T/out")
check "tcp: syn <seq>" test -n "$syn"
check "tcp: syn <seq> ack <syn+1>" test "${synack#* }" = "$(((${syn:-0} + 1) % 4294967296))"
check "tcp: ack <synack seq+1>" test "${ack:-x}" = "$(((${synack%% *} + 1) % 4294967296))"
check "tcp: exactly 3 packets (count 3)" count "^$TS " 3

# ---- count, Ctrl-C ---------------------------------------------------------------------
start $C "diagnose sniffer packet c0 icmp 1 3"
pingC 4
finish
check "count 3 of 8 packets: 3 lines" count "^$TS " 3
check "count 3: ended by itself" test "$rc" = 0

# count 0 runs until Ctrl-C (SIGINT; bash starts background jobs with it
# ignored, so a wrapper restores the default first) or, in a script, kill.
for sig in INT TERM; do
	if [ $sig = INT ]; then
		printf '%s\n' 'import os, signal, sys' 'signal.signal(signal.SIGINT, signal.SIG_DFL)' \
			'os.execv(sys.argv[1], sys.argv[1:])' >"$T/dfl.py"
		WRAP="/usr/bin/python3 $T/dfl.py"
	fi
	start $C "diagnose sniffer packet c0 icmp 1 0"
	WRAP=
	pingC 2
	# The stop comes once the four packets were shown (an event, with a
	# 20 s deadline): on a loaded machine the sniffer may not have been
	# scheduled yet when ping returns.
	for _ in $(seq 400); do [ "$(grep -c "^$TS " "$T/out")" -ge 4 ] && break; sleep 0.05; done
	kill -$sig $PID
	finish
	check "count 0, SIG$sig: stops cleanly (exit 0)" test "$rc" = 0
	check "count 0, SIG$sig: all 4 packets shown" count "^$TS " 4
	check "count 0, SIG$sig: blank line and footer" \
		test "$(tail -3 "$T/out" | head -1)" = ""
	check "count 0, SIG$sig: packets received by filter" re '4 packets received by filter'
done

# ---- errors ----------------------------------------------------------------------------
run "diagnose sniffer packet c0 'tcp prt 25' 1 1"
check "bad filter: libpcap's message" \
	err_is $'line 1: bad filter \'tcp prt 25\': can\'t parse filter expression: syntax error\nline 1: Command fail. Return code -1'
check "bad filter: exit 1, no banner" test "$rc" = 1 -a ! -s "$T/out"

run "diagnose sniffer packet nosuch0 none 1 1"
check "unknown interface: named, with the ones there are" \
	grep -qxE 'line 1: interface nosuch0 does not exist \(interfaces here: .*c0.*\)' "$T/err"
check "unknown interface: exit 1" test "$rc" = 1

ip netns exec $C setpriv --bounding-set -net_raw "$APPSH" --state-dir "$STATE" \
	-c "diagnose sniffer packet c0 none 1 1" >"$T/out" 2>"$T/err"
rc=$?
check "no CAP_NET_RAW: clear message" \
	grep -qxF 'line 1: capturing on c0 is not permitted (it needs root or CAP_NET_RAW)' "$T/err"
check "no CAP_NET_RAW: exit 1" test "$rc" = 1

run "diagnose sniffer packet c0 none 7 1"
check "verbose 7: out of range" grep -qxF 'line 1: verbose: 7 is out of range 1-6' "$T/err"

# ---- the pcap file ----------------------------------------------------------------------
start $C "diagnose sniffer packet c0 icmp 1 4 a write $T/c0.pcap"
pingC 2
finish
check "write: says how many packets went to the file" has "4 packets written to $T/c0.pcap"
tcpdump -r "$T/c0.pcap" -nn >"$T/td" 2>"$T/td.err"
check "write: tcpdump -r reads it (4 packets, Ethernet)" \
	test "$(grep -cE 'IP 10\.99\.(1\.2 > 10\.99\.2\.2: ICMP echo request|2\.2 > 10\.99\.1\.2: ICMP echo reply)' "$T/td")" = 4
check "write: link type Ethernet" grep -q 'link-type EN10MB' "$T/td.err"

start $C "diagnose sniffer packet any icmp 4 2 a write $T/any.pcap"
pingC
finish
ip netns exec $C tcpdump -r "$T/any.pcap" -nn >"$T/td" 2>"$T/td.err"
check "write any: tcpdump reads the cooked v2 file with the interface" \
	test "$(grep -cE 'c0 +(Out|In) +IP 10\.99\.' "$T/td")" = 2

run "diagnose sniffer packet c0 icmp 1 1 a write /nonexistent-dir/x.pcap"
check "write: unwritable path is named" \
	grep -qxF 'line 1: cannot write /nonexistent-dir/x.pcap: No such file or directory' "$T/err"

# A full disk: a 64 KiB tmpfs, and more traffic than fits.
mkdir -p "$T/full"
if mount -t tmpfs -o size=64k tmpfs "$T/full"; then
	on_exit+=("umount '$T/full'")
	start $C "diagnose sniffer packet c0 icmp 1 0 a write $T/full/big.pcap"
	ip netns exec $C ping -c 100 -i 0.002 -s 1400 -W1 -q 10.99.2.2 >/dev/null
	finish 5
	check "full disk: the capture stops by itself, exit 1" test "$rc" = 1
	check "full disk: the message names the file and the cause" \
		grep -qE "^line 1: cannot write $T/full/big\.pcap: No space left on device \(the capture stopped after [0-9]+ packets; the file holds fewer\)$" "$T/err"
	check "full disk: footer still printed" re '[0-9]+ packets dropped by kernel'
	tcpdump -r "$T/full/big.pcap" -nn >/dev/null 2>&1
	check "full disk: what was written is still readable up to the cut" \
		test "$(tcpdump -r "$T/full/big.pcap" -nn 2>/dev/null | wc -l)" -gt 10
	umount "$T/full"
else
	echo "SKIP full disk: cannot mount a tmpfs here"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
