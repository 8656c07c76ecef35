#!/usr/bin/env bash
# sniffer.sh - `diagnose sniffer packet` at verbosity 1 against
# `tcpdump -nn -l`, each capturing the same 100,000 UDP packets, output to
# /dev/null (issue 5).  Target: a rate >= 1.0x tcpdump's, 0 drops.
#
# The packets: a Python sender in a namespace made here sends N datagrams
# as fast as it can out of one end of a veth pair (a static neighbour
# entry, nobody on the other end: no replies, nothing else on the link).
# Each capturer is started, given 0.3 s to open, then the sender runs;
# the capturer stops by itself at its count (-c N / count N).  Rate = N /
# (sender start .. capturer exit); CPU = the capturer's user + system time.
# Rounds alternate the two, ROUNDS times (median reported).  A capturer
# that misses packets never reaches its count: it is stopped 3 s after
# the sender ends and the round is reported as short; the medians are of
# the complete rounds only.  One more run of each writes its
# output to a tmpfs file instead, to check the lines (N packet lines) and
# read the drop counters that /dev/null hides.
# Environment: N (100000), ROUNDS (5).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
set +e

N=${N:-100000}
ROUNDS=${ROUNDS:-5}
if [ "$(id -u)" != 0 ]; then
	echo "sniffer: skipped (needs root: namespaces and capture)"
	exit 0
fi
command -v tcpdump >/dev/null || die "tcpdump is not installed (apt-get install tcpdump)"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is not installed"
[ -x "$TIME" ] || die "GNU time is not installed (apt-get install time)"
[ -x "$APPSH" ] || die "no appsh at $APPSH"
mkdir -p "$BENCH_OUT"

NS=appsh-bench-sniff-$$
W=$(mktemp -d)
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS" || die "cannot create a network namespace"
ip -n "$NS" link set lo up
ip link add v0 netns "$NS" type veth peer name v1 netns "$NS" &&
	ip -n "$NS" addr add 10.98.0.1/24 dev v0 && ip -n "$NS" link set v0 up &&
	ip -n "$NS" link set v1 up &&
	ip -n "$NS" neigh add 10.98.0.2 lladdr 02:00:00:00:00:02 dev v0 ||
	die "cannot set up the veth pair"
cat >"$W/send.py" <<'EOF'
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a = ("10.98.0.2", 9)
m = b"appsh-sniffer-bench"
t = time.perf_counter()
for _ in range(n):
    s.sendto(m, a)
print(f"{n / (time.perf_counter() - t):.0f}")
EOF
FILTER='udp port 9'

# capture NAME OUT: one capture of N packets; prints "seconds cpu complete".
capture() {
	local name=$1 out=$2 pid child t0 t1 done=1
	if [ "$name" = appsh ]; then
		"$TIME" -f '%U %S' -o "$W/time" ip netns exec "$NS" "$APPSH" --state-dir "$W/state" \
			-c "diagnose sniffer packet v0 '$FILTER' 1 $N" >"$out" 2>"$W/err" &
	else
		"$TIME" -f '%U %S' -o "$W/time" ip netns exec "$NS" tcpdump -i v0 -nn -l -c "$N" \
			"$FILTER" >"$out" 2>"$W/err" &
	fi
	pid=$!
	sleep 0.3
	t0=${EPOCHREALTIME/./}
	ip netns exec "$NS" /usr/bin/python3 "$W/send.py" "$N" >>"$W/sender" ||
		die "the sender failed"
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		done=0 # packets were missed: stop the capturer (GNU time's child)
		child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)
		[ -n "$child" ] && kill -TERM $child
	fi
	wait "$pid"
	t1=${EPOCHREALTIME/./}
	python3 -c 'import sys; u, s = open(sys.argv[1]).read().split()[-2:]; print(int(sys.argv[2]) / 1e6, float(u) + float(s), sys.argv[3])' \
		"$W/time" $((t1 - t0)) $done
}

mkdir -p "$W/state"
: >"$W/sender"
echo "sniffer: $N UDP packets on a veth pair, appsh $("$APPSH" -V | cut -d' ' -f2) vs" \
	"$(tcpdump --version 2>&1 | head -1), $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
	for name in appsh tcpdump; do
		read -r secs cpu complete < <(capture $name /dev/null)
		echo "$name $secs $cpu $complete" >>"$W/runs"
		printf '  round %d %-8s %6.3f s  %8.0f packets/s  cpu %5.3f s%s\n' "$r" "$name" "$secs" \
			"$(python3 -c "print($N / $secs)")" "$cpu" \
			"$([ "$complete" = 1 ] || echo '  INCOMPLETE (packets missed)')"
	done
done

# The check run: lines and drop counters.
capture appsh "$W/appsh.out" >/dev/null
A_LINES=$(grep -c ' -> 10\.98\.0\.2\.9: udp 19$' "$W/appsh.out")
A_DROP=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$W/appsh.out")
capture tcpdump "$W/tcpdump.out" >/dev/null
T_LINES=$(grep -c ' > 10\.98\.0\.2\.9: UDP, length 19$' "$W/tcpdump.out")
T_DROP=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$W/err")
echo "  check run: appsh printed $A_LINES packet lines, ${A_DROP:-?} dropped by kernel;" \
	"tcpdump $T_LINES lines, ${T_DROP:-?} dropped"
[ "$A_LINES" = "$N" ] || echo "  appsh printed $A_LINES of $N packets"

# Medians, the ratio of rates and of CPU times.
read -r A_RATE T_RATE RATIO CPU_RATIO INCOMPLETE A_CPU T_CPU T_INCOMPLETE < <(python3 - "$W/runs" "$N" <<'EOF'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
def med(name, i):
    # complete rounds only: a short one's time is the 3 s wait, not a rate
    v = [float(r[i]) for r in runs if r[0] == name and r[3] == "1"]
    return statistics.median(v) if v else float("inf")
a, t = n / med("appsh", 1), n / med("tcpdump", 1)
ac, tc = med("appsh", 2), med("tcpdump", 2)
bad = {k: sum(1 for r in runs if r[0] == k and r[3] != "1") for k in ("appsh", "tcpdump")}
print(f"{a:.0f} {t:.0f} {a / t if t else float('inf'):.2f} {ac / tc if tc != float('inf') else 0:.2f} {bad['appsh']} {ac:.3f} {tc:.3f} {bad['tcpdump']}")
EOF
)
SENDER=$(python3 -c 'import statistics, sys; print(f"{statistics.median(float(l) for l in open(sys.argv[1])):.0f}")' "$W/sender")
echo "  median: appsh $A_RATE packets/s (cpu $A_CPU s), tcpdump $T_RATE packets/s" \
	"(cpu $T_CPU s), ratio $RATIO; sender alone $SENDER packets/s;" \
	"rounds with missed packets: appsh $INCOMPLETE, tcpdump $T_INCOMPLETE"
VERDICT=$(python3 -c 'import sys; print("met" if float(sys.argv[1]) >= 1.0 and sys.argv[2] == "0" and sys.argv[3] == "0" else "MISSED")' \
	"$RATIO" "${A_DROP:-1}" "$INCOMPLETE")
summary "sniffer verbose 1, $N packets (ref: tcpdump -nn -l)" \
	"$A_RATE pkt/s, ${A_DROP:-?} drops, $INCOMPLETE/$ROUNDS rounds short" \
	"$T_RATE pkt/s, ${T_DROP:-?} drops, $T_INCOMPLETE/$ROUNDS rounds short" "${RATIO}x" "$CPU_RATIO" ">= 1.0x, 0 drops" "$VERDICT"
[ "$A_LINES" = "$N" ] || exit 1
