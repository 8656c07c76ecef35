#!/usr/bin/env bash
# run-durability.sh APPSH - kill -9 at random moments while appsh commits.
#
# Two kinds of round, alternating, all on one state directory (so every
# round also checks that nothing committed in earlier rounds was lost):
#  - script rounds: one long-running script fed from a coprocess, in blocks:
#    `config system mail`, 1-4 entries, `end`, then the marker
#    `show system mail <last key>`.  Once a marker's output has been read
#    back, its block's entries count as reported (a script makes its grouped
#    commits durable before any top-level command).  Blocks go in chunks of
#    twenty, mostly in one write so that the shell is busy and never gets to
#    flush because it is idle; some chunks go line by line.
#  - -c rounds: three `appsh -c` runs at once, each committing two entries
#    (`next`, then `end`); a run that exited 0 has reported both.
# After every kill: appsh opens the store, PRAGMA integrity_check is ok,
# every reported entry is there with exactly its values, every entry there
# is complete, the entries of a run form a prefix of what it sent (commits
# are not reordered), and a new commit is accepted.
# DURABILITY_SEED=N replays a run; DURABILITY_SECONDS bounds the rounds.
set -u
APPSH=${1:?usage: run-durability.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib-store.sh"
command -v sqlite3 >/dev/null || {
	echo "SKIP: sqlite3 not installed"
	exit 77
}

T=$(mktemp -d)
S=$T/state
KILLER="" SHELL_PID=""
cleanup() {
	[ -n "$KILLER" ] && kill "$KILLER" 2>/dev/null
	[ -n "$SHELL_PID" ] && kill -9 "$SHELL_PID" 2>/dev/null
	for p in "${CPIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
CPIDS=()
trap cleanup EXIT
trap '' PIPE # writing to a killed shell must fail, not kill the test

SEED=${DURABILITY_SEED:-$(($(date +%s%N) % 32768))}
RANDOM=$SEED
BUDGET=${DURABILITY_SECONDS:-25}
echo "seed $SEED (DURABILITY_SEED=$SEED replays it), budget ${BUDGET}s"

: >"$T/must" # keys that must be in the store from now on

# Calibrate the -c kill window on this build (ASan is several times slower).
"$APPSH" --state-dir "$S" -c 'get system status' >/dev/null || {
	echo "FAIL appsh cannot create a store in $S"
	exit 1
}
c_cmd() { # the commands of -c run J of round R: two commits
	printf 'config system mail\n%s\nnext\n%s\nend' \
		"$(mail_edit "c$1-$((2 * $2 + 1))")" "$(mail_edit "c$1-$((2 * $2 + 2))")"
}
times=()
for i in 1 2 3 4 5; do
	cmd=$(c_cmd 0 "$i")
	t0=$(date +%s%N)
	"$APPSH" --state-dir "$S" -c "$cmd" >/dev/null
	times+=($((($(date +%s%N) - t0) / 1000)))
done
C_US=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) # the median, in microseconds
[ "$C_US" -lt 300000 ] || C_US=300000
echo "one 'appsh -c' commit run takes about $((C_US / 1000)) ms"
KILL_US=$C_US # the -c rounds' kill window (adapted in c_round)

# verify ROUND KIND PREFIX SENT REPORTED: the checks after a kill.  The keys
# PREFIX1..PREFIX$SENT were sent in order; the first REPORTED were reported.
verify() {
	local r=$1 kind=$2 prefix=$3 sent=$4 reported=$5 d=$T/dump.$1 out
	if ! mail_dump "$S" "$d"; then
		note "store opens after kill -9" "round $r: show failed: $(cat "$d.err")"
		return
	fi
	out=$(integrity "$S")
	[ "$out" = ok ] || note "integrity_check ok after kill -9" "round $r: $out"
	out=$(mail_bad "$d")
	[ -z "$out" ] || note "entries present are complete and exact" "round $r ($kind):
$out"
	out=$(cut -d' ' -f1 "$d" | sort | comm -23 <(sort "$T/must") -)
	[ -z "$out" ] || note "reported commits survive" \
		"round $r ($kind): $(wc -l <<<"$out") missing: $(echo "$out" | tr "\n" " " | cut -c1-200)"
	# This run's entries: a prefix 1..M of what was sent, with M >= reported
	# (keys are unique, so M entries whose largest index is M are 1..M).
	local m top
	m=$(grep -c "^$prefix" "$d")
	top=$(awk -v p="$prefix" 'index($1, p) == 1 { print substr($1, length(p) + 1) }' "$d" |
		sort -n | tail -n 1)
	[ "$m" = 0 ] || [ "$top" = "$m" ] || note "commits kept in order (a prefix)" \
		"round $r ($kind): $m entries, the last is $prefix$top"
	[ "$top" = "" ] || [ "$top" -le "$sent" ] || note "commits kept in order (a prefix)" \
		"round $r ($kind): $prefix$top was never sent"
	[ "$m" -ge "$reported" ] || note "reported commits survive" \
		"round $r ($kind): $reported reported, the store has $m"
	cut -d' ' -f1 "$d" | sort -u >"$T/must" # what is there now must stay
	rm -f "$d" "$d.raw" "$d.err"
	# The store takes a new commit after the kill.
	if ! out=$("$APPSH" --state-dir "$S" -c "$(printf 'config system mail\n%s\nend' \
		"$(mail_edit "p$r-1")")" 2>&1); then
		note "a new commit is accepted after kill -9" "round $r: $out"
	else
		echo "p$r-1" >>"$T/must"
	fi
	STATS_REP=$((STATS_REP + reported))
	STATS_EXTRA=$((STATS_EXTRA + m - reported))
}

# read_marker FD KEY: reads the shell's output up to the end of `show system
# mail KEY`; fails at the end of the output.
read_marker() {
	local line seen=0
	while read -r -t 10 -u "$1" line; do
		[ "$line" = "edit \"$2\"" ] && seen=1
		[ $seen = 1 ] && [ "$line" = end ] && return 0
	done
	return 1
}

# One script round: kill -9 after DELAY seconds; MODE fast or slow.
script_round() {
	local r=$1 delay=$2 i=0 n j
	coproc APP { exec "$APPSH" --state-dir "$S" 2>"$T/script.err"; }
	# Own copies of the pipes: bash closes APP's when it reaps the shell.
	local in out pid=$APP_PID
	exec {in}>&"${APP[1]}" {out}<&"${APP[0]}"
	SHELL_PID=$pid
	(
		msleep "$delay"
		kill -9 "$pid" 2>/dev/null
	) &
	KILLER=$!
	local reported=0 b marks=() lines feeder=
	if [ "$3" = fast ]; then
		# 1500 blocks made up front and fed by cat: the shell always has
		# input waiting, so only its flush before each top-level command
		# can make a block durable before its marker is printed.
		awk -v r="$r" -v seed="$RANDOM" -v marks="$T/marks" 'BEGIN {
			srand(seed)
			for (b = 0; b < 1500; b++) {
				n = 1 + int(rand() * 4)
				print "config system mail"
				for (j = i + 1; j <= i + n; j++) {
					if (j > i + 1) print "next"
					k = "k" r "-" j
					print "edit " k "\nset server " k ".example"
					print "set port " (1024 + (211 * r + j) % 64000) "\nset user u" k
				}
				i += n
				print "end\nshow system mail k" r "-" i
				print i >marks
			}
		}' >"$T/blocks"
		mapfile -t marks <"$T/marks"
		i=${marks[-1]}
		cat "$T/blocks" 2>/dev/null 1>&"$in" &
		feeder=$!
		for b in "${marks[@]}"; do
			read_marker "$out" "k$r-$b" || break
			reported=$b
		done
	else
		# Block by block, line by line, each marker read before the next
		# block is sent: the kill may find the shell waiting mid-block.
		while :; do
			n=$((1 + RANDOM % 4))
			lines=("config system mail")
			for ((j = i + 1; j <= i + n; j++)); do
				[ $j -gt $((i + 1)) ] && lines+=(next)
				lines+=("edit k$r-$j" "set server k$r-$j.example"
					"set port $((1024 + (211 * r + j) % 64000))" "set user uk$r-$j")
			done
			i=$((i + n))
			lines+=(end "show system mail k$r-$i")
			for b in "${lines[@]}"; do
				printf '%s\n' "$b" 2>/dev/null 1>&"$in" || break 2
			done
			read_marker "$out" "k$r-$i" || break
			reported=$i
		done
	fi
	wait "$KILLER" $feeder
	KILLER=
	wait "$pid" 2>/dev/null
	local st=$?
	SHELL_PID=
	exec {in}>&- {out}<&-
	if [ $st -ne 137 ]; then # it stopped answering or died by itself
		note "the script runs until killed" "round $r: exit $st after $reported entries: $(cat "$T/script.err")"
		kill -9 "$pid" 2>/dev/null
	elif [ -s "$T/script.err" ]; then
		note "the script runs until killed" "round $r: stderr: $(cat "$T/script.err")"
	fi
	verify "$r" script "k$r-" "$i" "$reported"
}

# One -c round: three runs at once, killed one after the other, each after a
# further random delay of up to one run's time: some finish, some are cut
# short at any point of their run.
c_round() {
	local r=$1 j st finished=0
	CPIDS=()
	local cmds=("$(c_cmd "$r" 0)" "$(c_cmd "$r" 1)" "$(c_cmd "$r" 2)")
	for j in 0 1 2; do
		"$APPSH" --state-dir "$S" -c "${cmds[$j]}" >/dev/null 2>"$T/c$j.err" &
		CPIDS+=($!)
	done
	for j in 0 1 2; do
		local us=$((RANDOM * KILL_US / 32768))
		msleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
		kill -9 "${CPIDS[$j]}" 2>/dev/null
	done
	for j in 0 1 2; do
		wait "${CPIDS[$j]}"
		st=$?
		C_EXITS[$st]=$((${C_EXITS[$st]:-0} + 1))
		[ $st = 0 ] && finished=$((finished + 1))
		if [ $st = 0 ]; then
			printf 'c%s\n' "$r-$((2 * j + 1))" "$r-$((2 * j + 2))" >>"$T/must"
		elif [ $st != 137 ]; then
			note "-c runs exit 0 or are killed" "round $r: exit $st: $(cat "$T/c$j.err")"
		fi
	done
	CPIDS=()
	# The kill window follows the machine: three runs at once on a loaded
	# machine take longer than the one measured alone.  A round where all
	# were killed widens it, one where all finished narrows it, so that
	# the kills keep hitting both finished and unfinished work.
	if [ "$finished" = 0 ] && [ "$KILL_US" -lt 20000000 ]; then
		KILL_US=$((KILL_US * 2))
	elif [ "$finished" = 3 ] && [ "$KILL_US" -gt 20000 ]; then
		KILL_US=$((KILL_US / 2))
	fi
	# Each run's pair is its own prefix: b present => a present.
	local d=$T/dump.c$r
	if mail_dump "$S" "$d"; then
		for j in 0 1 2; do
			if grep -q "^c$r-$((2 * j + 2)) " "$d" && ! grep -q "^c$r-$((2 * j + 1)) " "$d"; then
				note "commits kept in order (a prefix)" "round $r: c$r-$((2 * j + 2)) without c$r-$((2 * j + 1))"
			fi
		done
	fi
	rm -f "$d" "$d.raw" "$d.err"
	verify "$r" -c "none" 0 0
}

STATS_REP=0 STATS_EXTRA=0 SCRIPT_MS=400
declare -A C_EXITS=()
start=$SECONDS
r=0
# bash reports every job it reaps after a kill -9 ("Killed"): keep that out of
# the log, and show whatever else the shell said at the end.
exec {ERR}>&2 2>"$T/bash.err"
while [ $r -lt 60 ] && { [ $r -lt 20 ] || [ $((SECONDS - start)) -lt "$BUDGET" ]; }; do
	r=$((r + 1))
	if [ $((r % 2)) = 1 ]; then
		# Two fast rounds for each slow one.  The kill comes within
		# SCRIPT_MS; a round that reported nothing before it (a loaded
		# machine starts the shell slowly) doubles the window.
		before=$STATS_REP
		ms=$((20 + RANDOM % SCRIPT_MS))
		script_round $r "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))" \
			"$([ $((r % 6)) = 5 ] && echo slow || echo fast)"
		[ "$STATS_REP" = "$before" ] && [ "$SCRIPT_MS" -lt 10000 ] && SCRIPT_MS=$((SCRIPT_MS * 2))
	else
		c_round $r
	fi
done
exec 2>&$ERR
grep -v ' Killed ' "$T/bash.err" >&2
# The last round's probe commit is still to be checked.
mail_dump "$S" "$T/final" || note "store opens after kill -9" "final: $(cat "$T/final.err")"
out=$(cut -d' ' -f1 "$T/final" | sort | comm -23 <(sort "$T/must") -)
[ -z "$out" ] || note "reported commits survive" "final: missing: $(echo "$out" | tr "\n" " " | cut -c1-200)"

echo "$r rounds in $((SECONDS - start)) s: script rounds: $STATS_REP entries reported," \
	"$STATS_EXTRA more committed but not yet reported; -c runs: ${C_EXITS[0]:-0} exited 0," \
	"${C_EXITS[137]:-0} killed; store holds $(wc -l <"$T/final") entries"
report "store opens after kill -9" "$r kills"
report "integrity_check ok after kill -9" "$r kills"
report "reported commits survive" "$STATS_REP script entries, $((2 * ${C_EXITS[0]:-0})) -c entries"
report "entries present are complete and exact" "every entry after every kill"
report "commits kept in order (a prefix)" "every round"
report "the script runs until killed" "$(((r + 1) / 2)) script rounds"
report "-c runs exit 0 or are killed" "$((3 * (r / 2))) runs"
report "a new commit is accepted after kill -9" "$r kills"
# Every check above must have had something to check.
if [ "$STATS_REP" -gt 0 ] && [ "${C_EXITS[0]:-0}" -gt 0 ] && [ "${C_EXITS[137]:-0}" -gt 0 ]; then
	pass "the kills hit both reported and unfinished work"
else
	fail "the kills hit both reported and unfinished work (reported $STATS_REP, -c exited 0: ${C_EXITS[0]:-0}, killed: ${C_EXITS[137]:-0})"
fi
summary
