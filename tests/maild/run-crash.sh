#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-crash.sh - the queue never loses a message: fazmaild killed with -9
# again and again while it delivers 1,000 messages to a real SMTP server,
# appsh-sendmail killed mid-message, and restarts (test 99) during
# delivery.  Duplicates are allowed only for messages in flight at a kill.
set -u
# shellcheck source=tests/maild/lib-maild.sh
. "$APPSH_SRC/tests/maild/lib-maild.sh"
maild_init

N=${CRASH_MESSAGES:-1000}
expect() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
is() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'" >&2; return 1; }; }
queued() { sqlite3 "$STATE/mailq.db" 'SELECT count(*) FROM msg' 2>/dev/null; }

# Message-IDs seen by the server, one line each (duplicates kept).
received_ids() {
	cat "$(spool_dir sink)"/*.eml 2>/dev/null | sed -n 's/^Message-ID: <\(crash-[^>]*\)>.*/\1/p'
}

start_server sink --mode plain
mail_entry "$PORT"

# ---- submit N while paused, in parallel (two writers on the queue) ------------

"$APPSH" -c 'diagnose test application fazmaild 90' >/dev/null
submit_one() {
	printf 'From: s@example.com\nTo: r@example.com\nSubject: crash %s\nMessage-ID: <crash-%s@test.example>\n\n%s\n' \
		"$1" "$1" "$(head -c 700 /dev/zero | tr '\0' x)" | "$SENDMAIL" r@example.com
}
export -f submit_one
export SENDMAIL
seq "$N" | xargs -P 2 -I{} bash -c 'submit_one {} || echo "submit {} failed: $?"' >"$SMTP_TMP/submit.log" 2>&1
expect "$N submissions, two at a time, all accepted" is "$(cat "$SMTP_TMP/submit.log")" ""
expect "all $N are queued" is "$(queued)" "$N"

# ---- kill -9 the daemon while it delivers, restart it each time -------------------

"$APPSH" -c 'diagnose test application fazmaild 91' >/dev/null
kills=0
for _ in $(seq 600); do
	[ "$(queued)" = 0 ] && break
	smtp_sleep "0.$((RANDOM % 4 + 1))"
	pid=$(daemon_pid)
	if [ -n "$pid" ] && [ "$(queued)" != 0 ]; then
		kill -9 "$pid" && kills=$((kills + 1))
		while kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
			smtp_sleep 0.02
		done
	fi
	"$FAZMAILD" --state-dir "$STATE" 2>/dev/null # a new one (or "already running")
done
echo "  killed the daemon $kills times"
expect "the daemon was killed at least 5 times during delivery" test "$kills" -ge 5
expect "the queue drained" is "$(queued)" 0
wait_idle sink 10
received_ids | sort >"$SMTP_TMP/ids"
seq "$N" | sed 's/.*/crash-&@test.example/' | sort >"$SMTP_TMP/want"
missing=$(comm -13 "$SMTP_TMP/ids" "$SMTP_TMP/want" | wc -l)
total=$(wc -l <"$SMTP_TMP/ids")
dups=$((total - $(sort -u "$SMTP_TMP/ids" | wc -l)))
echo "  received $total, duplicates $dups"
expect "every one of the $N messages was delivered" is "$missing" 0
expect "duplicates ($dups) are no more than the kills ($kills): one in flight each" \
	test "$dups" -le "$kills"
expect "the counters agree: sent + failed = $N (counted once each)" \
	is "$(($(stat sent) + $(stat failed)))" "$N"

# ---- kill -9 appsh-sendmail mid-message ---------------------------------------------

before=$(queued)
mkfifo "$SMTP_TMP/half.in"
"$SENDMAIL" r@example.com <"$SMTP_TMP/half.in" &
sm=$!
exec {half}>"$SMTP_TMP/half.in"
printf 'From: s@example.com\nSubject: half\nMessage-ID: <half@test.example>\n\nthe first half of the body\n' >&"$half"
smtp_sleep 0.3
kill -9 "$sm"
wait "$sm" 2>/dev/null
exec {half}>&-
smtp_sleep 1.5 # a delivery, had anything been queued
expect "a sendmail killed mid-message queued nothing" is "$(queued)" "$before"
expect "... and nothing half-written was delivered" \
	bash -c "! grep -l 'half@test.example' '$(spool_dir sink)'/*.eml >/dev/null 2>&1"

# ---- restart (99) during delivery: nothing lost -----------------------------------------

"$APPSH" -c 'diagnose test application fazmaild 90' >/dev/null
for i in $(seq 101 300); do
	printf 'Subject: r\nMessage-ID: <restart-%s@test.example>\n\nb\n' "$i" | "$SENDMAIL" r@example.com
done
"$APPSH" -c 'diagnose test application fazmaild 91' >/dev/null
restarts=0
for _ in $(seq 5); do
	smtp_sleep 0.2
	"$APPSH" -c 'diagnose test application fazmaild 99' >/dev/null && restarts=$((restarts + 1))
done
for _ in $(seq 300); do [ "$(queued)" = 0 ] && break; smtp_sleep 0.1; done
wait_idle sink 10
got=$(cat "$(spool_dir sink)"/*.eml | sed -n 's/^Message-ID: <\(restart-[^>]*\)>.*/\1/p' | sort -u | wc -l)
expect "$restarts restarts during delivery: all 200 delivered" is "$got" 200

maild_stop
maild_asan_check
summary
