# shellcheck shell=bash
# lib-topo.sh - the client -> router -> server namespaces of the network
# tests (../shared/testenv.md §1), IPv4 and IPv6, and the check helpers.
# Sourced by tests/net/run-*.sh after they set APPSH; skips (77) unless root.
#
#   client c0 10.99.1.2 fd99:1::2 -- r0 10.99.1.1 fd99:1::1 [router] r1 10.99.2.1 fd99:2::1
#          -- s0 10.99.2.2 fd99:2::2 [server]
#
# Names: $C $R $S (unique per run); temp dir $T; everything is deleted by
# the EXIT trap.  run "CMDS" runs one appsh session in the client namespace
# (output in $T/out, $T/err, status in $rc); check NAME CMD... counts.
# Before sourcing: P (namespace prefix), TOPO_IPV6=0 for IPv4 only.  A
# script adds its own clean-up commands to the array on_exit.
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip nft; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (iproute2, nftables)"; exit 77; }
done
unset APPSH_STATE_DIR

P=${P:-apg$$-} # unique namespace names
C=${P}client R=${P}router S=${P}server
T=$(mktemp -d)
made=()
bg_pids=()
on_exit=()
cleanup() {
	for c in "${on_exit[@]}"; do eval "$c" 2>/dev/null; done
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	for ns in "${made[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
if [ "${TOPO_IPV6:-1}" = 1 ]; then
	ip -n $C addr add fd99:1::2/64 dev c0 nodad; ip -n $R addr add fd99:1::1/64 dev r0 nodad
	ip -n $R addr add fd99:2::1/64 dev r1 nodad; ip -n $S addr add fd99:2::2/64 dev s0 nodad
fi
for l in $C:c0 $R:r0 $R:r1 $S:s0; do ip -n ${l%:*} link set ${l#*:} up; done
ip -n $C route add default via 10.99.1.1; ip -n $S route add default via 10.99.2.1
if [ "${TOPO_IPV6:-1}" = 1 ]; then
	ip -n $C -6 route add default via fd99:1::1; ip -n $S -6 route add default via fd99:2::1
fi
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
