# shellcheck shell=bash
# lib-store.sh - helpers shared by run-durability.sh and run-concurrency.sh.
# The caller sets APPSH (the binary) before using them.

PASSED=0 FAILED=0
pass() { echo "PASS $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# A check made once per round is reported once at the end: `note NAME DETAIL`
# records a failing round (printed at once, with its detail), `report NAME
# WHAT` prints PASS when no round failed it, else one FAIL.
declare -A ROUND_FAILS=()
note() {
	echo "  round failure: $1: $2"
	ROUND_FAILS[$1]=$((${ROUND_FAILS[$1]:-0} + 1))
}
report() {
	local n=${ROUND_FAILS[$1]:-0}
	if [ "$n" -eq 0 ]; then pass "$1 ($2)"; else fail "$1 ($n failures; $2)"; fi
}

# A sleep without a fork, so that the random delays can be a millisecond long.
exec {SLEEP_FD}<> <(:)
msleep() { read -r -t "$1" -u "$SLEEP_FD" _ || true; }

# Every test entry's values derive from its key "<letter><R>-<I>", so the
# store can be checked with no record of what was written:
#   server "<key>.example", port 1024 + (211*R + I) % 64000, user "u<key>".
mail_port() {
	local k=${1:1}
	echo $((1024 + (211 * ${k%-*} + ${k#*-}) % 64000))
}
# The lines that create the entry, inside `config system mail`.
mail_edit() {
	printf 'edit %s\nset server %s.example\nset port %d\nset user u%s\n' \
		"$1" "$1" "$(mail_port "$1")" "$1"
}

# mail_dump STATE OUT: `show system mail` of the store, one line per entry:
#   KEY port=N server="..." user="..."   (the set lines in show order)
# Returns appsh's exit status; its stderr goes to OUT.err.
mail_dump() {
	"$APPSH" --state-dir "$1" -c 'show system mail' >"$2.raw" 2>"$2.err"
	local rc=$?
	awk '/^    edit "/ { key = substr($0, 11, length($0) - 11); line = key; next }
	     /^        set / { s = substr($0, 13); sp = index(s, " ");
	                       line = line " " substr(s, 1, sp - 1) "=" substr(s, sp + 1); next }
	     /^    next$/ { print line }' "$2.raw" >"$2"
	return $rc
}

# mail_bad DUMP: prints every entry of a dump whose values are not exactly
# those its key implies (a partial or a wrong entry).
mail_bad() {
	awk '{ k = substr($1, 2); split(k, n, "-");
	       want = $1 " port=" (1024 + (211 * n[1] + n[2]) % 64000) " server=\"" $1 ".example\" user=\"u" $1 "\"";
	       if ($0 != want) print "  got:  " $0 "\n  want: " want }' "$1"
}

# integrity STATE: prints sqlite3's PRAGMA integrity_check.
integrity() {
	sqlite3 "$1/config.db" 'PRAGMA integrity_check' 2>&1
}
