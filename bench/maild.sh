#!/usr/bin/env bash
# maild.sh - the mail daemon against Postfix, side by side in one run
# (issue 4): N messages of 1 KB, each submitted by its own sendmail
# process, delivered to Postfix's smtp-sink on loopback:
#   appsh    build/appsh-sendmail -> fazmaild -> smtp-sink
#   Postfix  sendmail -C DIR (postdrop) -> a private null client (pickup,
#            cleanup, qmgr, smtp) -> smtp-sink (a second one, same options)
# Two comparisons, ROUNDS rounds each, the sides' order alternating:
#   e2e    the N submissions one after the other; submissions per second,
#          end-to-end time (start of the first submission until the sink
#          has counted all N) and CPU.  Target: end to end >= 1.0x Postfix.
#   drain  N messages submitted while delivery is held, then released: the
#          daemons' own delivery rate and CPU (reported, no target).
# CPU is user+system: the submitters' from GNU time around
# the submitting loop (wait4: the loop, every sendmail and what it ran,
# e.g. postdrop); the daemons' as the sum of utime+stime+cutime+cstime
# (clock ticks) over
# the daemon and all its descendants in /proc (fazmaild; Postfix's master,
# pickup, cleanup, qmgr, trivial-rewrite, smtp...), before and after.
# Before timing, a few messages of each side go to a dumping sink and are
# compared with what was sent; every timed step is checked against the
# sink's counter (exactly N, none more half a second later) and the queue
# (empty afterwards).  See docs/benchmarks.md.
#
# Must run as root: Postfix's master and smtp-sink -u need it.  The Postfix
# instance is private (config, queue and data directories under a temp
# dir, no smtpd, nothing on port 25); /etc/postfix is only read (Postfix's
# meta_directory: dynamicmaps.cf, postfix-files).  Everything is stopped and
# removed on exit.  Without root the benchmark is skipped (a summary row
# says so).
#
# Environment: N (messages per step, 1000), ROUNDS (5), VERIFY (messages
# per side checked for content, 5), WARMUP (untimed messages per side, 50),
# BUILD (build), TMPDIR (where the queues live: the fsyncs are real),
# MAILLOG (a file for Postfix's log, e.g. /tmp/maillog; default: syslog).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-$SRC_DIR/build}
SUBMIT=${APPSH_SENDMAIL:-$BUILD/appsh-sendmail}
FAZMAILD=$BUILD/fazmaild
N=${N:-1000}
ROUNDS=${ROUNDS:-5}
VERIFY=${VERIFY:-5}
WARMUP=${WARMUP:-50}
FROM=sender@example.test
TO=rcpt@example.test
VTO=rcpt@verify.example.test # routed to the dumping sink
HZ=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
	# Not a failure of the benchmark: say so in the summary and go on.
	echo "maild: skipped: needs root (a private Postfix master, smtp-sink -u nobody)"
	mkdir -p "$BENCH_OUT"
	summary "mail daemon, $N messages end to end vs Postfix null client, msg/s" - - - - ">= 1.0x" \
		"skipped (needs root)"
	exit 0
fi
for p in "$APPSH" "$SUBMIT" "$FAZMAILD"; do
	[ -x "$p" ] || die "maild: no $p (cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build)"
done
for t in /usr/sbin/smtp-sink /usr/sbin/postfix /usr/sbin/postconf /usr/sbin/postqueue /usr/sbin/sendmail; do
	[ -x "$t" ] || die "maild: $t is not installed (apt-get install postfix)"
done
# The reference is Postfix's own sendmail, not another MTA's (alternatives).
if command -v dpkg-query >/dev/null && ! dpkg-query -S /usr/sbin/sendmail 2>/dev/null | grep -q '^postfix:'; then
	die "maild: /usr/sbin/sendmail is not Postfix's"
fi
if ! id postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null; then
	die "maild: no postfix user or postdrop group (apt-get install postfix)"
fi
[ -x "$TIME" ] || die "GNU time is not installed (apt-get install time)"
mkdir -p "$BENCH_OUT"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/appsh-maild-bench.XXXXXX")
chmod 755 "$SCRATCH" # Postfix's daemons run as postfix and must reach their queue
ST=$SCRATCH/state    # appsh's state directory (config.db, mailq.db)
PF=$SCRATCH/postfix  # the private Postfix instance
SINK_PIDS=()

cleanup() {
	local pid
	if [ -f "$ST/fazmaild.pid" ]; then
		pid=$(<"$ST/fazmaild.pid")
		if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = fazmaild ]; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	fi
	if [ -n "${HELD_PICKUP:-}" ]; then
		kill -CONT "$HELD_PICKUP" 2>/dev/null || true
	fi
	if [ -f "$PF/spool/pid/master.pid" ]; then
		postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
	fi
	for pid in "${SINK_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	# Postfix's master waits for its children; give it a moment.
	for _ in $(seq 50); do
		pid=$(tr -d ' ' <"$PF/spool/pid/master.pid" 2>/dev/null) || break
		if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then break; fi
		sleep 0.1
	done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# listening PORT: whether 127.0.0.1:PORT listens (a test connection would
# count as a session at the sink).
listening() {
	local want
	want=$(printf '0100007F:%04X' "$1")
	awk -v w="$want" 'NR > 1 && $2 == w && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp
}

# start_sink NAME [DUMPDIR]: starts smtp-sink -c on a free port; sets
# SINK_PORT[NAME] and SINK_PID[NAME].
declare -A SINK_PORT SINK_PID SINK_FD SINK_PART SINK_MESG
start_sink() {
	local name=$1 port log args=(-c -u nobody)
	port=$(free_port)
	log=$SCRATCH/sink-$name.log
	[ -n "${2:-}" ] && args+=(-d "$2/m.")
	smtp-sink "${args[@]}" "127.0.0.1:$port" 1000 >"$log" 2>&1 &
	SINK_PIDS+=($!)
	SINK_PID[$name]=$!
	for _ in $(seq 100); do
		listening "$port" && break
		sleep 0.05
	done
	listening "$port" || die "maild: smtp-sink did not start: $(cat "$log")"
	SINK_PORT[$name]=$port
	exec {fd}<"$log"
	SINK_FD[$name]=$fd
	SINK_PART[$name]=
	SINK_MESG[$name]=0
}

# sink_poll NAME: reads the sink's new counter lines ("sess=S quit=Q
# mesg=M", CR-terminated) into SINK_MESG; no process is started,
# so polling costs next to nothing while a daemon is being measured.
sink_poll() {
	local name=$1 rec fd=${SINK_FD[$1]}
	while :; do
		rec=
		if IFS= read -r -d $'\r' rec <&"$fd"; then
			rec=${SINK_PART[$name]}$rec
			SINK_PART[$name]=
			if [[ $rec =~ mesg=([0-9]+) ]]; then
				SINK_MESG[$name]=${BASH_REMATCH[1]}
			fi
		else
			SINK_PART[$name]+=$rec # a line not yet complete
			return 0
		fi
	done
}

# sink_wait NAME COUNT SECONDS: polls (every 5 ms) until the sink has
# counted COUNT messages; sets SINK_AT (EPOCHREALTIME when seen); fails on
# timeout.
sink_wait() {
	local end=$((EPOCHSECONDS + $3))
	while :; do
		sink_poll "$1"
		if [ "${SINK_MESG[$1]}" -ge "$2" ]; then
			SINK_AT=$EPOCHREALTIME
			return 0
		fi
		[ "$EPOCHSECONDS" -lt "$end" ] || return 1
		read -r -t 0.005 -u "$SLEEP_FD" _ || true # sleep(1) without a process
	done
}

# tree_ticks PID: CPU clock ticks (utime+stime+cutime+cstime) of PID and
# all its descendants, from /proc/*/stat.  A child that exits and is
# reaped moves its ticks into its parent's cutime/cstime, so the sum stays
# consistent between two readings.
tree_ticks() {
	local root=$1 f line rest pid ppid total=0
	local -A parent ticks
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		pid=${line%% *}
		rest=${line##*) }
		# shellcheck disable=SC2086
		set -- $rest
		ppid=$2
		parent[$pid]=$ppid
		ticks[$pid]=$((${12} + ${13} + ${14} + ${15}))
	done
	local -A inside=([$root]=1)
	local changed=1
	while [ $changed = 1 ]; do
		changed=0
		for pid in "${!parent[@]}"; do
			if [ -z "${inside[$pid]:-}" ] && [ -n "${inside[${parent[$pid]}]:-}" ]; then
				inside[$pid]=1
				changed=1
			fi
		done
	done
	for pid in "${!inside[@]}"; do
		total=$((total + ${ticks[$pid]:-0}))
	done
	echo "$total"
}

fazmaild_pid() { tr -d ' \n' <"$ST/fazmaild.pid"; }
master_pid() { tr -d ' \n' <"$PF/spool/pid/master.pid"; }

appsh_cmd() { APPSH_STATE_DIR=$ST "$APPSH" -c "$1"; }

# --- the message: exactly 1024 bytes, LF line ends as a program would
# pipe them, one body line starting with a dot ---------------------------
make_message() {
	local to=$1 out=$2
	/usr/bin/python3 - "$to" "$out" <<'EOF'
import sys
to, out = sys.argv[1], sys.argv[2]
hdr = f"From: <sender@example.test>\nTo: <{to}>\nSubject: bench 1k\n\n"
body = ".this line starts with a dot\n"
while len(hdr) + len(body) < 1024:
    body += "x" * min(70, 1024 - len(hdr) - len(body) - 1) + "\n"
data = (hdr + body).encode()
assert len(data) == 1024, len(data)
open(out, "wb").write(data)
EOF
}

# --- appsh's side ------------------------------------------------------------
setup_appsh() {
	mkdir -p "$ST"
	appsh_cmd "config system mail
edit \"1\"
set server \"127.0.0.1\"
set port ${SINK_PORT[appsh]}
set secure-option none
next
edit \"2\"
set server \"127.0.0.1\"
set port ${SINK_PORT[dump]}
set secure-option none
next
end" >/dev/null || die "maild: cannot configure the mail servers"
	# Started before the clock, as Postfix's master is: a daemon that runs.
	"$FAZMAILD" --state-dir "$ST" || die "maild: fazmaild did not start"
}

# --- Postfix's side: a null client (STANDARD_CONFIGURATION_README) -----------
setup_postfix() {
	mkdir -p "$PF/etc" "$PF/spool" "$PF/lib"
	chown postfix "$PF/lib"
	cat >"$PF/etc/main.cf" <<EOF
# A private null client for bench/maild.sh: everything to the relayhost.
compatibility_level = 3.6
myhostname = bench.example.test
myorigin = \$myhostname
mydestination =
relayhost = [127.0.0.1]:${SINK_PORT[postfix]}
transport_maps = inline:{verify.example.test=smtp:[127.0.0.1]:${SINK_PORT[dump]}}
inet_interfaces = loopback-only
inet_protocols = ipv4
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
biff = no
smtp_tls_security_level = none
queue_directory = $PF/spool
data_directory = $PF/lib
mail_owner = postfix
setgid_group = postdrop
EOF
	# Both sides log to syslog, as installed (fazmaild always does); a log
	# file through postlogd only when asked for, to see what Postfix did.
	if [ -n "${MAILLOG:-}" ]; then
		printf 'maillog_file = %s\nmaillog_file_prefixes = %s\n' "$MAILLOG" "$(dirname "$MAILLOG")" \
			>>"$PF/etc/main.cf"
	fi
	# Debian's master.cf without smtpd (no inet service at all: submission
	# is through sendmail/postdrop), the services a null client uses, and
	# no chroot (a chroot would need a copy of /etc in the queue).
	cat >"$PF/etc/master.cf" <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	if ! postfix -c "$PF/etc" check >>"$SCRATCH/postfix.out" 2>&1 ||
		! postfix -c "$PF/etc" start >>"$SCRATCH/postfix.out" 2>&1; then
		die "maild: the private Postfix did not start: $(cat "$SCRATCH/postfix.out")"
	fi
	for _ in $(seq 50); do
		[ -s "$PF/spool/pid/master.pid" ] && break
		sleep 0.1
	done
}

# submit SIDE TO COUNT: COUNT submissions of the message for TO, one process
# each, from one bash loop under GNU time; sets SUB_USER and SUB_SYS
# (seconds: the loop and every submitter process it waited for).
submit() {
	local side=$1 msg=$SCRATCH/msg-$2.eml cmd
	if [ "$side" = appsh ]; then
		cmd=("$SUBMIT" --state-dir "$ST" -oi -f "$FROM")
		[ "$2" = "$VTO" ] && cmd+=(-S 2)
	else
		cmd=(/usr/sbin/sendmail -C "$PF/etc" -oi -f "$FROM")
	fi
	# shellcheck disable=SC2016 # the loop's own variables
	"$TIME" -f '%U %S' -o "$SCRATCH/time.out" bash -c '
		n=$1 msg=$2; shift 2
		for ((i = 0; i < n; i++)); do
			"$@" <"$msg" || { echo "submission $i failed" >&2; exit 1; }
		done' _ "$3" "$msg" "${cmd[@]}" "$2" 2>>"$SCRATCH/submit.err" ||
		die "maild: $side: a submission failed: $(tail -3 "$SCRATCH/submit.err")"
	read -r SUB_USER SUB_SYS <"$SCRATCH/time.out"
}

# queue_empty SIDE: the side's queue is empty, and (appsh) nothing failed.
queue_empty() {
	if [ "$1" = appsh ]; then
		local out
		out=$(appsh_cmd 'diagnose test application fazmaild 2')
		grep -Eq '^queue: +0/5000' <<<"$out" &&
			grep -Eq '^total failed sendmail count: +0$' <<<"$out"
	else
		postqueue -c "$PF/etc" -p 2>/dev/null | grep -q 'Mail queue is empty'
	fi
}

daemon_ticks() {
	if [ "$1" = appsh ]; then tree_ticks "$(fazmaild_pid)"; else tree_ticks "$(master_pid)"; fi
}

# --- 1. content: a few messages of each side to the dumping sink ------------
verify_side() {
	local side=$1 before=${SINK_MESG[dump]}
	rm -f "$SCRATCH"/dump/m.*
	submit "$side" "$VTO" "$VERIFY"
	sink_wait dump $((before + VERIFY)) 60 ||
		die "maild: check: $side: the dumping sink got $((SINK_MESG[dump] - before)) of $VERIFY messages"
	sleep 0.2
	/usr/bin/python3 - "$side" "$SCRATCH/msg-$VTO.eml" "$SCRATCH/dump" "$VERIFY" "$FROM" "$VTO" <<'EOF' ||
import glob, sys
side, msgfile, dump, n, sender, rcpt = sys.argv[1:7]
sent = open(msgfile, "rb").read()
want_body = sent.split(b"\n\n", 1)[1]
files = sorted(glob.glob(dump + "/m.*"))
if len(files) != int(n):
    sys.exit(f"{side}: {len(files)} dump files, want {n}")
for f in files:
    d = open(f, "rb").read().replace(b"\r\n", b"\n")
    head, body = d.split(b"\n\n", 1)
    # smtp-sink ends each dump with one empty line of its own
    if body != want_body + b"\n":
        sys.exit(f"{side}: {f}: the body differs from the message sent")
    for want in (b"X-Mail-Args: <" + sender.encode() + b">",
                 b"X-Rcpt-Args: <" + rcpt.encode() + b">", b"\nSubject: bench 1k\n"):
        if want not in head:
            sys.exit(f"{side}: {f}: no {want!r} in the header")
EOF
		die "maild: check: the delivered message is not the message sent"
}

# --- 2. the timed steps --------------------------------------------------------
# hold SIDE / release SIDE: stop delivery so that a backlog builds up, then
# let it go.  fazmaild: `diagnose test application fazmaild 90` and `91`.
# Postfix has no such switch; its pickup process is stopped (SIGSTOP), so
# that submissions stay in the maildrop (postdrop's wake-up waits in the
# public/pickup FIFO), and continued (SIGCONT): it then reads the wake-up
# and takes the whole maildrop through cleanup, qmgr and smtp.
HELD_PICKUP=
pickup_pid() {
	local master f line
	master=$(master_pid)
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		if [[ $line == *" (pickup) "* ]] && [ "$(cut -d' ' -f4 <<<"${line##*) }")" = "$master" ]; then
			echo "${line%% *}"
			return 0
		fi
	done
	return 1
}
hold() {
	if [ "$1" = appsh ]; then
		appsh_cmd 'diagnose test application fazmaild 90' >/dev/null
	else
		HELD_PICKUP=$(pickup_pid) || die "maild: no pickup process under Postfix's master"
		kill -STOP "$HELD_PICKUP"
	fi
}
release() {
	if [ "$1" = appsh ]; then
		appsh_cmd 'diagnose test application fazmaild 91' >/dev/null
	else
		kill -CONT "$HELD_PICKUP"
		HELD_PICKUP=
	fi
}

# step CASE SIDE ROUND: one timed step; appends one row to maild.tsv.
#   e2e    the clock starts before the first submission and stops when the
#          sink has counted all N
#   drain  N submissions while delivery is held (not timed), then the clock
#          starts before the release and stops when the sink has all N
step() {
	local case=$1 side=$2 rnd=$3 before d0 k0 t0 t1 d1 k1 load
	sink_poll "$side"
	before=${SINK_MESG[$side]}
	load=$(cut -d' ' -f1 /proc/loadavg)
	if [ "$case" = drain ]; then
		hold "$side"
		submit "$side" "$TO" "$N"
		sleep 0.5
		sink_poll "$side"
		[ "${SINK_MESG[$side]}" -eq "$before" ] ||
			die "maild: $side: $((SINK_MESG[$side] - before)) messages were delivered while delivery was held"
	fi
	d0=$(daemon_ticks "$side")
	k0=$(tree_ticks "${SINK_PID[$side]}")
	t0=$EPOCHREALTIME
	if [ "$case" = e2e ]; then
		submit "$side" "$TO" "$N"
	else
		release "$side"
	fi
	t1=$EPOCHREALTIME
	sink_wait "$side" $((before + N)) 300 ||
		die "maild: $side: the sink got $((SINK_MESG[$side] - before)) of $N messages in 300 s"
	d1=$(daemon_ticks "$side")
	k1=$(tree_ticks "${SINK_PID[$side]}")
	# Nothing more may arrive (a duplicate), and the queue must be empty.
	local ok=0
	for _ in $(seq 100); do
		queue_empty "$side" && ok=1 && break
		sleep 0.1
	done
	[ $ok = 1 ] || die "maild: $side: the queue is not empty after the sink got all $N"
	sleep 0.5
	sink_poll "$side"
	[ "${SINK_MESG[$side]}" -eq $((before + N)) ] ||
		die "maild: $side: the sink counted $((SINK_MESG[$side] - before)) messages, want exactly $N"
	if [ "$case" = drain ]; then
		SUB_USER=0 SUB_SYS=0 # the release command's CPU is not counted
	fi
	printf '%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$side" "$rnd" "$N" \
		"$(python3 -c "print($t1 - $t0)")" "$(python3 -c "print($SINK_AT - $t0)")" \
		"$SUB_USER" "$SUB_SYS" "$(python3 -c "print(($d1 - $d0) / $HZ)")" \
		"$(python3 -c "print(($k1 - $k0) / $HZ)")" "$load" "$(cut -d' ' -f1 /proc/loadavg)" \
		>>"$BENCH_OUT/maild.tsv"
	tail -1 "$BENCH_OUT/maild.tsv" | awk -F'\t' '
		$1 == "e2e" { printf "  round %d %-7s submit %6.3f s (%4.0f/s)  end to end %6.3f s (%4.0f/s)  CPU submitters %.2f s, daemons %.2f s, sink %.2f s  load %s\n", $3, $2, $5, $4 / $5, $6, $4 / $6, $7 + $8, $9, $10, $11 }
		$1 == "drain" { printf "  round %d %-7s drain of %d held messages %6.3f s (%4.0f/s)  CPU daemons %.2f s, sink %.2f s  load %s\n", $3, $2, $4, $6, $4 / $6, $9, $10, $11 }'
}

# --- the run -----------------------------------------------------------------
echo "maild: fazmaild against Postfix $(postconf -d -h mail_version 2>/dev/null) as a null client," \
	"$N messages of 1 KB per step, $ROUNDS rounds, to smtp-sink; state on $(df -T "$SCRATCH" | awk 'NR == 2 { print $2 }')"
mkdir -p "$SCRATCH/dump"
mkfifo "$SCRATCH/sleep.fifo"
exec {SLEEP_FD}<>"$SCRATCH/sleep.fifo" # nobody writes: reads from it time out
chown nobody "$SCRATCH/dump" # smtp-sink -u nobody writes the dumps
start_sink appsh
start_sink postfix
start_sink dump "$SCRATCH/dump"
make_message "$TO" "$SCRATCH/msg-$TO.eml"
make_message "$VTO" "$SCRATCH/msg-$VTO.eml"
setup_appsh
setup_postfix

verify_side appsh
verify_side postfix
echo "  check: $VERIFY messages of each side delivered with the body sent"
# Untimed: the page cache, Postfix's first smtp/cleanup processes, fazmaild's
# first connection.
for side in appsh postfix; do
	sink_poll "$side"
	b=${SINK_MESG[$side]}
	submit "$side" "$TO" "$WARMUP"
	sink_wait "$side" $((b + WARMUP)) 120 || die "maild: $side: the warm-up did not arrive"
done
sleep 1

rm -f "$BENCH_OUT/maild.tsv"
for case in e2e drain; do
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then order=(appsh postfix); else order=(postfix appsh); fi
		for side in "${order[@]}"; do
			step "$case" "$side" "$r"
			sleep 1 # both daemons idle again (cached connections time out)
		done
	done
done

# --- medians, the table, the summary rows ------------------------------------
python3 - "$BENCH_OUT" "$N" <<'EOF'
import os, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
by = {}
for l in open(os.path.join(out, "maild.tsv")):
    case, side, rnd, count, sub, e2e, su, ss, dcpu, kcpu, l0, l1 = l.rstrip("\n").split("\t")
    by.setdefault((case, side), []).append(dict(
        sub=float(sub), e2e=float(e2e), subcpu=float(su) + float(ss), dcpu=float(dcpu),
        kcpu=float(kcpu), load=float(l0)))
def med(c, s, k):
    return statistics.median(x[k] for x in by[c, s])
def rate(c, s, k):
    v = [n / x[k] for x in by[c, s]]
    return f"{n / med(c, s, k):.0f} ({min(v):.0f}–{max(v):.0f})"
def cpu(c, s):
    return med(c, s, "subcpu") + med(c, s, "dcpu")
names = {"appsh": "appsh-sendmail + fazmaild", "postfix": "Postfix sendmail + null client"}
loads = [x["load"] for v in by.values() for x in v]
rounds = len(by["e2e", "appsh"])
e2e_ratio = med("e2e", "postfix", "e2e") / med("e2e", "appsh", "e2e")
sub_ratio = med("e2e", "postfix", "sub") / med("e2e", "appsh", "sub")
cpu_ratio = cpu("e2e", "appsh") / cpu("e2e", "postfix")
drain_ratio = med("drain", "postfix", "e2e") / med("drain", "appsh", "e2e")
drain_cpu = med("drain", "appsh", "dcpu") / med("drain", "postfix", "dcpu")
verdict = "met" if e2e_ratio >= 1.0 else "MISSED"
lines = [
    f"**End to end** ({n} messages submitted one after the other, medians of {rounds} rounds):",
    "",
    "| side | submissions/s (min–max) | end to end s | end to end msg/s (min–max) | "
    "CPU submitters s | CPU daemons s | CPU total ms/msg | smtp-sink CPU s |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
]
for s in ("appsh", "postfix"):
    lines.append(
        f"| {names[s]} | {rate('e2e', s, 'sub')} | {med('e2e', s, 'e2e'):.2f} | "
        f"{rate('e2e', s, 'e2e')} | {med('e2e', s, 'subcpu'):.2f} | {med('e2e', s, 'dcpu'):.2f} | "
        f"{1000 * cpu('e2e', s) / n:.2f} | {med('e2e', s, 'kcpu'):.2f} |")
lines += ["", f"**Drain** ({n} messages queued while delivery was held, then released):", "",
          "| side | drain s | msg/s (min–max) | CPU daemons s | CPU daemons ms/msg | smtp-sink CPU s |",
          "|---|---:|---:|---:|---:|---:|"]
for s in ("appsh", "postfix"):
    lines.append(
        f"| {names[s]} | {med('drain', s, 'e2e'):.2f} | {rate('drain', s, 'e2e')} | "
        f"{med('drain', s, 'dcpu'):.2f} | {1000 * med('drain', s, 'dcpu') / n:.2f} | "
        f"{med('drain', s, 'kcpu'):.2f} |")
lines += ["", f"Load {min(loads):.2f}–{max(loads):.2f} at the steps' starts.  End to end: appsh "
          f"{e2e_ratio:.2f}× Postfix's rate (target ≥ 1.0×, {verdict}); submissions "
          f"{sub_ratio:.2f}×; CPU appsh / Postfix {cpu_ratio:.2f}×.  Drain: {drain_ratio:.2f}×, "
          f"daemon CPU appsh / Postfix {drain_cpu:.2f}×."]
text = "\n".join(lines) + "\n"
print()
print(text, end="")
open(os.path.join(out, "maild.md"), "w").write(text)
rows = [
    [f"mail daemon, {n} messages end to end vs Postfix null client, msg/s",
     f"{n / med('e2e', 'appsh', 'e2e'):.0f}/s", f"{n / med('e2e', 'postfix', 'e2e'):.0f}/s",
     f"{e2e_ratio:.2f}x", f"{cpu_ratio:.2f}x", ">= 1.0x", verdict],
    [f"mail daemon, {n} submissions vs Postfix sendmail, msg/s",
     f"{n / med('e2e', 'appsh', 'sub'):.0f}/s", f"{n / med('e2e', 'postfix', 'sub'):.0f}/s",
     f"{sub_ratio:.2f}x", "-", "(report)", "-"],
    [f"mail daemon, drain of {n} queued vs Postfix null client, msg/s",
     f"{n / med('drain', 'appsh', 'e2e'):.0f}/s", f"{n / med('drain', 'postfix', 'e2e'):.0f}/s",
     f"{drain_ratio:.2f}x", f"{drain_cpu:.2f}x", "(report)", "-"],
]
with open(os.path.join(out, "maild-summary.tsv"), "w") as f:
    for r in rows:
        f.write("\t".join(r) + "\n")
EOF
cat "$BENCH_OUT/maild-summary.tsv" >>"$BENCH_OUT/summary.tsv"
