#!/usr/bin/env bash
# ping.sh - round-trip times of `execute ping` against iputils ping over
# the same veth pair, side by side in one run (issue 5).  Two namespaces
# made here (and deleted in the trap), one veth pair between them; in each
# of ROUNDS rounds both tools ping the far end COUNT times, every
# INTERVAL_MS, in alternating order.  The medians of all replies are
# compared.  Target: appsh's median within 10% of iputils' (ratio <= 1.10).
#
# `execute ping` prints times to 0.1 ms like the appliance, too coarse for
# the tens of microseconds of a veth pair, so the timed side is pingbench
# (bench/ping/pingbench.c): the same engine (ping_run) with the same
# options, printing microseconds.  `execute ping` itself runs too, as a
# check that it gets every reply and for its own (0.1 ms) median.
# Environment: COUNT (300), INTERVAL_MS (10), ROUNDS (4), BUILD (build),
# PINGBENCH (default BUILD/bench/pingbench).  Needs root (namespaces).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-$SRC_DIR/build}
PINGBENCH=${PINGBENCH:-$BUILD/bench/pingbench}
COUNT=${COUNT:-300}
INTERVAL_MS=${INTERVAL_MS:-10}
ROUNDS=${ROUNDS:-4}
if [ "$(id -u)" != 0 ]; then
	echo "ping: skipped (needs root for network namespaces)"
	exit 0
fi
command -v ip >/dev/null || die "ip is not installed (apt-get install iproute2)"
[ -x /usr/bin/ping ] || [ -x /bin/ping ] || die "iputils ping is not installed (apt-get install iputils-ping)"
PING=$(command -v ping)
mkdir -p "$BENCH_OUT"

# pingbench: CMake's target when bench/ is part of the build, else built
# here from the build's libappsh_core.a.
if [ -d "$BUILD/bench/CMakeFiles/pingbench.dir" ]; then
	cmake --build "$BUILD" --target pingbench >/dev/null || die "cannot build pingbench"
elif [ "${PINGBENCH#"$BUILD"/bench/}" != "$PINGBENCH" ]; then
	LIB=$BUILD/libappsh_core.a
	[ -f "$LIB" ] || die "no $LIB (cmake -S . -B build && cmake --build build)"
	mkdir -p "$BUILD/bench"
	cc -std=c17 -O2 -g -DNDEBUG -D_GNU_SOURCE -Wall -Wextra -Werror -I"$SRC_DIR" \
		-o "$PINGBENCH" "$BENCH_DIR/ping/pingbench.c" "$LIB" -lssl -lcrypto -lsqlite3 ||
		die "cannot build pingbench"
fi
[ -x "$PINGBENCH" ] || die "no $PINGBENCH"

A=pingbench$$-a B=pingbench$$-b
W=$(mktemp -d)
cleanup() {
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$A" && ip netns add "$B" || die "cannot create network namespaces"
ip link add v0 netns "$A" type veth peer name v1 netns "$B"
ip -n "$A" addr add 10.98.0.1/24 dev v0
ip -n "$B" addr add 10.98.0.2/24 dev v1
for ns in "$A:v0" "$B:v1"; do
	ip -n "${ns%:*}" link set lo up
	ip -n "${ns%:*}" link set "${ns#*:}" up
done
ip netns exec "$A" "$PING" -c 3 -i 0.1 -q 10.98.0.2 >/dev/null || die "the veth pair does not answer"

# median FILE: the median of a column of numbers.
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# spread FILE: "p10 A, p90 B" (nearest rank).
spread() { sort -n "$1" | awk '{v[NR] = $1} END {i = int(NR * 0.1); j = int(NR * 0.9); if (i < 1) i = 1; if (j < 1) j = 1; print "p10 " v[i] ", p90 " v[j]}'; }

: >"$W/appsh.us"
: >"$W/iputils.us"
run_appsh() {
	ip netns exec "$A" "$PINGBENCH" 10.98.0.2 "$COUNT" "$INTERVAL_MS" >"$W/one" ||
		die "pingbench did not get every reply"
	[ "$(wc -l <"$W/one")" = "$COUNT" ] || die "pingbench: $(wc -l <"$W/one") replies, not $COUNT"
	cat "$W/one" >>"$W/appsh.us"
}
run_iputils() {
	ip netns exec "$A" "$PING" -n -c "$COUNT" -i "$(awk -v m="$INTERVAL_MS" 'BEGIN {print m / 1000}')" \
		10.98.0.2 >"$W/one" || die "iputils ping did not get every reply"
	sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' "$W/one" | awk '{printf "%.0f\n", $1 * 1000}' >"$W/us"
	[ "$(wc -l <"$W/us")" = "$COUNT" ] || die "iputils ping: $(wc -l <"$W/us") replies, not $COUNT"
	cat "$W/us" >>"$W/iputils.us"
}
echo "ping: $ROUNDS rounds x $COUNT echo requests every $INTERVAL_MS ms over a veth pair," \
	"pingbench (engine of execute ping) vs $("$PING" -V 2>&1 | head -1)"
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then run_appsh; run_iputils; else run_iputils; run_appsh; fi
done

# `execute ping` itself, through the shell: every reply, its own median.
ST=$W/state
N_CLI=$((COUNT < 200 ? COUNT : 200))
ip netns exec "$A" "$APPSH" --state-dir "$ST" -c "execute ping-options repeat-count $N_CLI
execute ping-options interval $(awk -v m="$INTERVAL_MS" 'BEGIN {print m / 1000}')
execute ping 10.98.0.2" >"$W/cli.out" || die "execute ping failed"
grep -qx "$N_CLI packets transmitted, $N_CLI packets received, 0% packet loss" "$W/cli.out" ||
	die "execute ping did not get every reply"
sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' "$W/cli.out" >"$W/cli.ms"

a=$(median "$W/appsh.us")
b=$(median "$W/iputils.us")
c=$(printf "%.1f" "$(median "$W/cli.ms")")
r=$(ratio "$a" "$b")
v=$(verdict "$r" 1.10)
cp "$W/appsh.us" "$BENCH_OUT/ping-appsh.us"
cp "$W/iputils.us" "$BENCH_OUT/ping-iputils.us"
printf '  %-42s %6s us (%s)\n' "pingbench (execute ping's engine) median" "$a" "$(spread "$W/appsh.us")" \
	"iputils ping median" "$b" "$(spread "$W/iputils.us")"
printf '  %-42s %6s ms (as printed, 0.1 ms steps)\n' "execute ping median, $N_CLI replies" "$c"
echo "  ratio ${r}x (target <= 1.10x): $v"
summary "ping RTT over veth, median of $((ROUNDS * COUNT)) replies vs iputils ping" \
	"$a us" "$b us" "${r}x" "-" "<= 1.10x" "$v"
