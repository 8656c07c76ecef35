#!/usr/bin/env bash
# run-concurrency.sh APPSH - sessions that edit the same store at once.
#
# Part 1, two sessions step by step: two long-running appsh read commands
# from FIFOs; after each step the test waits until the shell has run it (a
# marker command's output appears), so the interleaving is exact.
# Part 2, twenty scripts at once, three rounds on one store (the first
# round also creates the store, twenty shells racing to do it).  Each
# script owns 20 entries: it creates them with placeholder values, then
# sets their real values in four more blocks, showing an entry after each.
# The ten odd-numbered scripts finally all write one shared object (system
# dns primary + secondary), all having opened it before any commits it: by
# design exactly one of them succeeds and nine are refused with the
# conflict message.  Scripts 2 and 4 set other attributes of the object
# meanwhile, which must survive.  Nothing else may fail, nobody may see "database is
# locked" or "busy", every script's output is exact, and every entry ends
# with exactly its values.
set -u
APPSH=${1:?usage: run-concurrency.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib-store.sh"
command -v sqlite3 >/dev/null || {
	echo "SKIP: sqlite3 not installed"
	exit 77
}

T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap '' PIPE # writing to a shell that died must fail, not kill the test

# check NAME COMMAND...: PASS when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
# same NAME EXPECTED ACTUAL
same() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		echo "  expected: $(printf '%q' "$2")"
		echo "  got:      $(printf '%q' "$3")"
	fi
}
has() { grep -qF -- "$2" <<<"$1"; }

# ---- part 1: two sessions -------------------------------------------------

S=$T/two
declare -A SFD SPID SOUT SERR SMARKS
# sess_start NAME: a shell reading commands from the FIFO $T/NAME.in.
sess_start() {
	local fd
	mkfifo "$T/$1.in"
	(
		# Not the other sessions' input: each must see its own EOF.
		for fd in "${SFD[@]}"; do exec {fd}>&-; done
		exec "$APPSH" --state-dir "$S" <"$T/$1.in" >"$T/$1.out" 2>"$T/$1.err"
	) &
	SPID[$1]=$!
	PIDS+=($!)
	exec {fd}>"$T/$1.in"
	SFD[$1]=$fd SOUT[$1]=0 SERR[$1]=0 SMARKS[$1]=0
}
# sess NAME LINE...: runs the lines in session NAME and waits until they are
# done; OUT and ERR get what the session printed meanwhile.  The marker
# `show | grep -c <nothing>` prints "0" in every mode.
sess() {
	local n=$1 t=0 size
	shift
	printf '%s\n' "$@" 'show | grep -c no-such-text' >&"${SFD[$n]}"
	SMARKS[$n]=$((${SMARKS[$n]} + 1))
	until [ "$(grep -c '^0$' "$T/$n.out")" -ge "${SMARKS[$n]}" ]; do
		t=$((t + 1))
		if [ $t -gt 1000 ]; then
			fail "session $n answers within 10 s (stderr: $(cat "$T/$n.err"))"
			OUT="<no answer>" ERR="<no answer>"
			return 1
		fi
		msleep 0.01
	done
	size=$(stat -c %s "$T/$n.out")
	OUT=$(tail -c +$((${SOUT[$n]} + 1)) "$T/$n.out" | head -n -1)
	SOUT[$n]=$size
	size=$(stat -c %s "$T/$n.err")
	ERR=$(tail -c +$((${SERR[$n]} + 1)) "$T/$n.err")
	SERR[$n]=$size
}
# sess_end NAME: closes the session's input; ST gets its exit status.
sess_end() {
	local fd=${SFD[$1]} t=0
	exec {fd}>&-
	while kill -0 "${SPID[$1]}" 2>/dev/null && [ $t -lt 1000 ]; do
		msleep 0.01
		t=$((t + 1))
	done
	kill -9 "${SPID[$1]}" 2>/dev/null # still there after 10 s: it hangs
	wait "${SPID[$1]}"
	ST=$?
}
# get1 PATH: `get PATH` in a third, one-shot shell.
get1() { "$APPSH" --state-dir "$S" -c "get $1" 2>&1; }
field() { awk -v f="$1" '$1 == f { print $3 }'; }

t1=$(date +%s%N)
"$APPSH" --state-dir "$S" -c $'config system mail\nedit 1\nset server one.example\nnext\nedit 6\nset server six.example\nend' ||
	fail "set-up commit"
sess_start A
sess_start B

# The same attribute: B commits first, A is refused.
sess A 'config system mail' 'edit 1'
sess B 'config system mail' 'edit 1'
sess B 'set port 27' 'next'
same "B's commit of port 27 succeeds" "" "$ERR"
sess A 'set port 26' 'next'
check "A's commit is refused, naming the entry, the attribute and the new value" \
	has "$ERR" 'system mail "1": port was changed by another session (now 27) since this session began editing it'
check "the refusal says nothing was saved and how to go on" \
	has "$ERR" "nothing was saved; use 'abort' to drop these edits and edit again"
same "the store keeps B's port 27 while A still holds its edits" 27 "$(get1 'system mail 1' | field port)"
sess A 'end'
check "A's 'end' after the refusal is refused again" has "$ERR" 'port was changed by another session (now 27)'
same "still 27 after A's second try" 27 "$(get1 'system mail 1' | field port)"
sess A 'abort' 'show system mail 1'
same "after abort A sees the committed entry" 'config system mail
    edit "1"
        set port 27
        set server "one.example"
    next
end' "$OUT"
same "abort itself gives no error" "" "$ERR"
sess A 'config system mail' 'edit 1' 'set port 26' 'end'
same "A edits again after abort: its commit lands" "" "$ERR"
same "the store has A's port 26" 26 "$(get1 'system mail 1' | field port)"
sess B 'end'
same "B leaves the table without error" "" "$ERR"

# Different attributes of one entry, and different entries: both land.
sess A 'config system mail' 'edit 1'
sess B 'config system mail' 'edit 1'
sess A 'set server a.example' 'next'
sess B 'set port 28' 'next'
same "different attributes of one entry: the second commit is accepted" "" "$ERR"
out=$(get1 'system mail 1')
same "different attributes of one entry: both values are in the store" \
	"a.example 28" "$(field server <<<"$out") $(field port <<<"$out")"
sess A 'edit 2' 'set server two.example'
sess B 'edit 3' 'set server three.example'
sess B 'next' 'end'
sess A 'next' 'end'
same "different entries: the second commit is accepted" "" "$ERR"
same "different entries: both are in the store" "two.example three.example" \
	"$(get1 'system mail 2' | field server) $(get1 'system mail 3' | field server)"

# A refused commit writes none of its parts (here a delete staged with it).
sess A 'config system mail' 'delete 6' 'edit 1'
sess B 'config system mail' 'edit 1' 'set port 29' 'next' 'end'
sess A 'set port 30' 'next'
check "a commit of a delete and a stale edit is refused" has "$ERR" 'system mail "1": port was changed by another session (now 29)'
same "the refused commit deleted nothing" six.example "$(get1 'system mail 6' | field server)"
sess A 'abort'

# Editing an entry that another session deletes meanwhile.
sess A 'config system mail' 'edit 3'
sess B 'config system mail' 'delete 3' 'end'
sess A 'set port 31' 'next'
check "editing an entry deleted meanwhile is refused" has "$ERR" 'system mail "3" was deleted by another session since this session began editing it'
check "the deleted entry stays deleted" has "$(get1 'system mail 3')" 'does not exist'
sess A 'abort'

# A single object: the same attribute conflicts, another attribute lands.
sess A 'config system global'
sess B 'config system global' 'set hostname host-b' 'end'
same "B's hostname commit succeeds" "" "$ERR"
sess A 'set hostname host-a' 'end'
check "A's hostname commit is refused, naming the object and the new value" \
	has "$ERR" 'system global: hostname was changed by another session (now host-b) since this session began editing it'
same "the store keeps host-b" host-b "$(get1 'system global' | field hostname)"
sess A 'abort' 'config system global'
sess B 'config system global' 'set hostname host-c' 'end'
sess A 'set timezone 28' 'end'
same "a different attribute of the object lands beside the other session's" "" "$ERR"
out=$(get1 'system global')
# (get shows the time zone as the appliance does, by its name: field keeps
# the first word of it, "(GMT+1:00)" for 28)
same "the object holds both sessions' values" "host-c (GMT+1:00)" \
	"$(field hostname <<<"$out") $(field timezone <<<"$out")"
sess_end A
same "session A exits 1 (it had refused commits)" 1 "$ST"
sess_end B
same "session B exits 0" 0 "$ST"
same "integrity_check after the two-session cases" ok "$(integrity "$S")"
same 'neither session saw "database is locked" or "busy"' "" \
	"$(grep -i 'locked\|busy' "$T/A.out" "$T/A.err" "$T/B.out" "$T/B.err")"
echo "two-session cases took $((($(date +%s%N) - t1) / 1000000)) ms"

# ---- part 2: twenty scripts at once ---------------------------------------

S=$T/twenty # not created: the first round's twenty shells create it
NS=20

# The script of shell I in round R; its entries are s<N>-1..20, N = 100R+I.
# Scripts 2, 4 and the odd-numbered ones then open the shared object, set
# it and print a marker; their final `end` is sent separately (see
# twenty_round).
gen_script() {
	local n=$((100 * $1 + $2)) j b
	echo 'config system mail'
	for ((j = 1; j <= 20; j++)); do
		printf 'edit s%d-%d\nset server placeholder.example\nset port 1\nnext\n' $n $j
	done
	echo end
	echo "show system mail s$n-20"
	for ((b = 0; b < 4; b++)); do
		echo 'config system mail'
		for ((j = 5 * b + 1; j <= 5 * b + 5; j++)); do
			mail_edit "s$n-$j"
			echo next
		done
		echo end
		echo "show system mail s$n-$((5 * b + 5))"
	done
	case $2 in
	2) printf 'config system dns\nset ip6-primary 2001:db8:%d::2\n' "$1" ;;
	4) printf 'config system dns\nset ip6-secondary 2001:db8:%d::4\n' "$1" ;;
	*[13579]) printf 'config system dns\nset primary 10.0.%d.%d\nset secondary 10.1.%d.%d\n' \
		"$1" "$2" "$1" "$2" ;;
	*) return ;;
	esac
	echo 'show | grep -c no-such-text'
}
# Whether script I writes the shared object (and so is fed through a FIFO).
shared() { [ $(($1 % 2)) = 1 ] || [ "$1" = 2 ] || [ "$1" = 4 ]; }
# What that script prints.
gen_output() {
	local n=$((100 * $1 + $2)) j b
	printf 'config system mail\n    edit "s%d-20"\n        set port 1\n' $n
	printf '        set server "placeholder.example"\n    next\nend\n'
	for ((b = 1; b <= 4; b++)); do
		j=$((5 * b))
		printf 'config system mail\n    edit "s%d-%d"\n        set port %d\n' $n $j \
			"$(mail_port "s$n-$j")"
		printf '        set server "s%d-%d.example"\n        set user "us%d-%d"\n' \
			$n $j $n $j
		printf '    next\nend\n'
	done
	shared "$2" && echo 0
}
# refusal R LINE W: the stderr of a refused writer of the shared object when
# script W's commit landed.
refusal() {
	cat <<EOF
line $2: system dns: primary was changed by another session (now 10.0.$1.$3) since this session began editing it
line $2: nothing was saved; use 'abort' to drop these edits and edit again
line $2: Command fail. Return code 1
line $2: input ended inside 'config system dns': uncommitted changes discarded
EOF
}

# Most scripts are files on stdin; the writers of the shared object come
# through FIFOs.  The test waits until all twelve have opened the object
# (their markers are out).  Then it sends `end` to scripts 2 and 4, which
# set one IPv6 attribute each: both must land.  Then it sends `end` to the
# ten odd-numbered ones, which all set primary and secondary: by design
# exactly one commit lands and the nine others are refused with the
# conflict message -- and the one that lands must keep 2's and 4's values,
# which it never touched (no lost update).
twenty_round() {
	local r=$1 i st d=$T/r$1 out lines win pids=() ws=() w t0 ms
	mkdir "$d"
	for ((i = 1; i <= NS; i++)); do
		gen_script "$r" $i >"$d/s$i"
		shared $i && mkfifo "$d/in$i"
	done
	t0=$(date +%s%N)
	for ((i = 1; i <= NS; i++)); do
		if shared $i; then
			"$APPSH" --state-dir "$S" <"$d/in$i" >"$d/out$i" 2>"$d/err$i" &
		else
			"$APPSH" --state-dir "$S" <"$d/s$i" >"$d/out$i" 2>"$d/err$i" &
		fi
		pids[i]=$!
		PIDS+=($!)
	done
	# (The writers are opened after every shell has started: none inherits
	# another's, so each sees its own end of input.)
	local writers=(2 4) t=0 ready=0
	for ((i = 1; i <= NS; i += 2)); do writers+=("$i"); done
	for i in "${writers[@]}"; do
		exec {w}>"$d/in$i"
		ws[i]=$w
		cat "$d/s$i" 2>/dev/null 1>&"$w"
	done
	# Wait for the markers (or for a shell to die: that fails below).
	local gone=0
	while [ $((ready + gone)) -lt ${#writers[@]} ] && [ $t -lt 3000 ]; do
		msleep 0.01
		t=$((t + 1))
		ready=0 gone=0
		for i in "${writers[@]}"; do
			if grep -q '^0$' "$d/out$i"; then
				ready=$((ready + 1))
			elif ! kill -0 "${pids[i]}" 2>/dev/null; then
				gone=$((gone + 1))
			fi
		done
	done
	[ $ready = ${#writers[@]} ] || note "the twelve writers of the shared object all reach it" \
		"round $r: only $ready did (in $((t / 100)) s)"
	for i in "${writers[@]}"; do
		w=${ws[i]}
		echo end 2>/dev/null 1>&"$w"
		exec {w}>&-
		if [ "$i" = 4 ]; then # 2 and 4 are done before the others commit
			wait "${pids[2]}"
			echo $? >"$d/st2"
			wait "${pids[4]}"
			echo $? >"$d/st4"
		fi
	done
	for ((i = 1; i <= NS; i++)); do
		[ "$i" = 2 ] || [ "$i" = 4 ] && continue
		wait "${pids[i]}"
		echo $? >"$d/st$i"
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	PIDS=()
	# The one writer of the shared object that succeeded.
	win=()
	for ((i = 1; i <= NS; i += 2)); do
		[ "$(cat "$d/st$i")" = 0 ] && win+=("$i")
	done
	lines=$(($(wc -l <"$d/s1") + 1)) # the line of `end`
	local ok0=0 refused=0 bad=()
	for ((i = 1; i <= NS; i++)); do
		st=$(cat "$d/st$i")
		if [ "$st" = 0 ] && [ ! -s "$d/err$i" ]; then
			ok0=$((ok0 + 1))
		elif [ $((i % 2)) = 1 ] && [ "$st" = 1 ] && [ ${#win[@]} = 1 ] &&
			[ "$(cat "$d/err$i")" = "$(refusal "$r" "$lines" "${win[0]}")" ]; then
			refused=$((refused + 1))
		else
			bad+=("script $i: exit $st, stderr: $(cat "$d/err$i")")
		fi
		[ "$(cat "$d/out$i")" = "$(gen_output "$r" $i)" ] ||
			note "every script's output is exact" "round $r script $i:
$(diff <(gen_output "$r" $i) "$d/out$i" | head -20)"
	done
	if [ ${#bad[@]} = 0 ] && [ ${#win[@]} = 1 ] && [ $refused = $((NS / 2 - 1)) ]; then
		pass "round $r: 20 scripts in $ms ms; $ok0 exit 0, $refused refused the shared object as designed"
	else
		fail "round $r: all exit 0 but nine writers of the shared object, refused as designed" \
			"(succeeded: ${win[*]:-none}; refused: $refused)"
		printf '  %s\n' "${bad[@]}"
	fi
	out=$(grep -i 'locked\|busy' "$d"/out* "$d"/err*)
	[ -z "$out" ] || note 'nobody sees "database is locked" or "busy"' "round $r: $out"
	# The store: every entry of every round so far, exactly.
	if mail_dump "$S" "$d/dump"; then
		out=$(mail_bad "$d/dump")
		[ -z "$out" ] || note "no lost update: every entry has exactly its last values" "round $r:
$(head -20 <<<"$out")"
		local want=$((r * NS * 20)) got
		got=$(grep -c '^s' "$d/dump")
		[ "$got" = $want ] || note "no lost update: every entry has exactly its last values" \
			"round $r: $got entries, want $want"
	else
		note "no lost update: every entry has exactly its last values" "round $r: show failed: $(cat "$d/dump.err")"
	fi
	# The shared object holds the one successful commit, whole, and the
	# values of 2 and 4.
	out=$(get1 'system dns')
	local w=${win[0]:-none} got
	got="$(field primary <<<"$out") $(field secondary <<<"$out")"
	[ "$got" = "10.0.$r.$w 10.1.$r.$w" ] || note "the shared object holds the successful commit" \
		"round $r: primary, secondary: $got; succeeded: ${win[*]:-none}"
	got="$(field ip6-primary <<<"$out") $(field ip6-secondary <<<"$out")"
	[ "$got" = "2001:db8:$r::2 2001:db8:$r::4" ] || note \
		"no lost update: the shared object keeps the attributes the winner did not set" \
		"round $r: ip6-primary, ip6-secondary: $got, want 2001:db8:$r::2 2001:db8:$r::4"
	out=$(integrity "$S")
	[ "$out" = ok ] || note "integrity_check ok after each round" "round $r: $out"
}

# Twenty shells creating a store at once (round 1 below does it once more,
# under load); a rare race, so tried ten times.
t2=$(date +%s%N)
cold_bad=()
for ((c = 1; c <= 10; c++)); do
	pids=()
	for ((i = 1; i <= NS; i++)); do
		"$APPSH" --state-dir "$T/cold$c" -c 'get system global' >"$T/cold$i.out" 2>&1 &
		pids[i]=$!
	done
	for ((i = 1; i <= NS; i++)); do
		wait "${pids[i]}" || cold_bad+=("try $c, shell $i: exit $?: $(cat "$T/cold$i.out")")
	done
	rm -rf "$T/cold$c"
done
if [ ${#cold_bad[@]} = 0 ]; then
	pass "twenty shells create a new store at once, ten times ($((($(date +%s%N) - t2) / 1000000)) ms)"
else
	fail "twenty shells create a new store at once, ten times"
	printf '  %s\n' "${cold_bad[@]}"
fi

t2=$(date +%s%N)
for r in 1 2 3; do
	twenty_round $r
done
echo "three rounds of twenty scripts took $((($(date +%s%N) - t2) / 1000000)) ms"
report "every script's output is exact" "3 rounds"
report 'nobody sees "database is locked" or "busy"' "3 rounds"
report "no lost update: every entry has exactly its last values" "3 rounds"
report "the twelve writers of the shared object all reach it" "3 rounds"
report "the shared object holds the successful commit" "3 rounds"
report "no lost update: the shared object keeps the attributes the winner did not set" "3 rounds"
report "integrity_check ok after each round" "3 rounds"
summary
