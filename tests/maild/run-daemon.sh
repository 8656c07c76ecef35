#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-daemon.sh - fazmaild and appsh-sendmail against real SMTP servers
# (aiosmtpd via tests/smtp/smtp_server.py): submission checks, delivery,
# connection reuse, pause/resume, 550, 451 then recovery, a drop during
# DATA, the queue timeout, a full queue, restart, configuration changes,
# TLS resumption, and the debug stream on two shells at once.
set -u
# shellcheck source=tests/maild/lib-maild.sh
. "$APPSH_SRC/tests/maild/lib-maild.sh"
maild_init

expect() { # DESC COMMAND... : passes when the command succeeds
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
is() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'" >&2; return 1; }; }
queued() { sqlite3 "$STATE/mailq.db" 'SELECT count(*) FROM msg' 2>/dev/null || echo 0; }
grep_q() { grep -q "$@"; }

# ---- appsh-sendmail refuses what it must, queueing nothing ------------------

start_server ok --mode plain
mail_entry "$PORT"
OKPORT=$PORT

sm_status() { # STDIN-TEXT ARGS... : appsh-sendmail's exit status
	local text=$1
	shift
	printf '%b' "$text" | "$SENDMAIL" "$@" 2>"$SMTP_TMP/sm.err" >/dev/null
	echo $?
}
expect "no recipient: EX_USAGE" is "$(sm_status 'Subject: x\n\nb\n')" 64
expect "bad option: EX_USAGE" is "$(sm_status 'Subject: x\n\nb\n' -Z r@example.com)" 64
expect "recipient with a space: EX_DATAERR" \
	is "$(sm_status 'Subject: x\n\nb\n' 'a b@example.com')" 65
expect "recipient with a control character: EX_DATAERR" \
	is "$(sm_status 'Subject: x\n\nb\n' "$(printf 'a\001@example.com')")" 65
expect "bare CR in a header (injection): EX_DATAERR" \
	is "$(sm_status 'Subject: x\rBcc: victim@example.com\n\nb\n' r@example.com)" 65
expect "the error names the bare CR" grep_q "bare CR" "$SMTP_TMP/sm.err"
expect "header line without a name: EX_DATAERR" \
	is "$(sm_status 'this is not a header\n\nb\n' r@example.com)" 65
expect "NUL byte: EX_DATAERR" is "$(sm_status 'Subject: x\n\nb\0c\n' r@example.com)" 65
expect "unknown mail server entry (-S): EX_NOUSER" \
	is "$(sm_status 'Subject: x\n\nb\n' -S nosuch r@example.com)" 67
expect "the error names the entry" grep_q '"nosuch"' "$SMTP_TMP/sm.err"
expect "-t without To/Cc/Bcc: EX_USAGE" is "$(sm_status 'Subject: x\n\nb\n' -t)" 64
expect "a body line over 998 characters: EX_DATAERR" \
	is "$(sm_status "Subject: x\n\n$(head -c 1200 /dev/zero | tr '\0' a)\n" r@example.com)" 65
expect "the error names the line" grep_q "line 3 is longer than 998" "$SMTP_TMP/sm.err"
expect "nothing was queued by refused submissions" is "$(queued)" 0

# ---- delivery -----------------------------------------------------------------

id1=$(submit one) && id2=$(submit two -f envelope@example.com) && id3=$(submit three -i)
expect "three submissions exit 0" test -n "$id3"
expect "all three delivered" wait_stat sent 3
expect "three messages in the spool" is "$(spool_count ok)" 3
expect "the From header is the default envelope sender" \
	grep_q -x "from=sender@example.com" "$(spool_dir ok)"/*-1.env
expect "-f sets the envelope sender" \
	grep_q -rx "from=envelope@example.com" "$(spool_dir ok)"
expect "the Message-IDs arrive unchanged" \
	grep_q -r "Message-ID: $id2" "$(spool_dir ok)"
expect "one connection carried all three (reuse)" \
	is "$(grep -c ' plain connect ' "$(transcript ok)")" 1
expect "RSET before reusing the connection" \
	grep_q -E "C: RSET" "$(transcript ok)"

# -t: recipients from To, Cc and Bcc; Bcc never reaches anyone.
printf 'From: s@example.com\nTo: A <a@example.com>, b@example.com\nCc: "Q, R" <c@example.com>\nBcc: secret@example.com\nSubject: t\n\nbody\n' |
	"$SENDMAIL" -t
expect "-t exits 0" is $? 0
expect "-t delivered" wait_stat sent 4
last=$(spool_last ok)
expect "-t: To, Cc and Bcc are the envelope recipients" \
	is "$(spool_env ok to "$last")" "a@example.com,b@example.com,c@example.com,secret@example.com"
expect "-t: the Bcc header is removed" bash -c "! grep -qi '^Bcc:' '$last'"
expect "Date was added" grep_q "^Date: " "$last"
expect "Message-ID was added" grep_q "^Message-ID: <" "$last"
# Groups, comments and quoted pairs in address lists (RFC 5322 §3.4).
printf 'From: s@example.com\nTo: undisclosed-recipients:;\nCc: Team: d@example.com (Dee), "Q \\"R\\"" <e@example.com>;\nSubject: g\n\nbody\n' |
	"$SENDMAIL" -t
expect "-t with groups and comments exits 0" is $? 0
expect "... delivered" wait_stat sent 5
expect "... to the group's members" \
	is "$(spool_env ok to "$(spool_last ok)")" "d@example.com,e@example.com"
# Bcc goes even without -t; a header-only message without its last newline.
printf 'From: s@example.com\nBcc: hidden@example.com\nSubject: no body' | "$SENDMAIL" r@example.com
expect "... delivered" wait_stat sent 6
last=$(spool_last ok)
expect "Bcc is removed without -t too" bash -c "! grep -qi '^Bcc:' '$last'"
expect "the last header keeps its own line" grep_q -E $'^Subject: no body\r?$' "$last"
# Without -i a line with a single dot ends the message, as with sendmail.
printf 'Subject: dots\n\nbefore\n.\nafter\n' | "$SENDMAIL" r@example.com
wait_stat sent 7
expect "without -i, a lone dot ends the message" \
	bash -c "grep -q before '$(spool_last ok)' && ! grep -q after '$(spool_last ok)'"

# A second daemon for the same state directory refuses to start.
out=$("$FAZMAILD" --state-dir "$STATE" 2>&1)
expect "a second fazmaild refuses to start" is "$?" 1
expect "... and says one is running" grep_q "already running" <<<"$out"

# ---- status, pause and resume ----------------------------------------------

out=$("$APPSH" -c 'diagnose test application fazmaild 1')
expect "test 1 shows the PID" grep_q "fazmaild PID: *$(daemon_pid)\$" <<<"$out"
expect "test 1 shows the state" grep_q "state: *sending" <<<"$out"
out=$("$APPSH" -c 'diagnose test application fazmaild 2')
expect "test 2 layout (spec 8.1)" grep_q -E "^queue: {24}0/5000$" <<<"$out"
expect "test 2 queue timeout" grep_q -E "^queue timeout: {16}1800 seconds$" <<<"$out"
out=$("$APPSH" -c 'diagnose test application fazmaild 5')
expect "an unknown test number lists the tests" grep_q "^99: restart fazmaild daemon" <<<"$out"

"$APPSH" -c 'diagnose test application fazmaild 90' >/dev/null
before=$(spool_count ok)
for i in $(seq 10); do submit "paused $i" >/dev/null; done
smtp_sleep 2
expect "paused: nothing sent" is "$(spool_count ok)" "$before"
expect "paused: test 1 says so" grep_q "state: *paused" \
	<<<"$("$APPSH" -c 'diagnose test application fazmaild 1')"
out=$("$APPSH" -c 'diagnose test application fazmaild 3')
expect "test 3 lists the 10 queued messages" grep_q "^10 message(s) queued" <<<"$out"
expect "test 3 shows recipients" grep_q "rcpt@example.com" <<<"$out"
# Paused survives a restart: an operator's pause is not quietly undone.
old=$(daemon_pid)
out=$("$APPSH" -c 'diagnose test application fazmaild 99
diagnose test application fazmaild 1')
new=$(daemon_pid)
expect "99 starts a new process" test -n "$new" -a "$new" != "$old"
expect "99 reports the new PID" grep_q "fazmaild PID: *$new\$" <<<"$out"
gone() { [ ! -e "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# It exits once its successor answers: give it a deadline (30 s), not a
# moment, on a loaded machine.
for _ in $(seq 300); do gone "$old" && break; smtp_sleep 0.1; done
expect "the old process is gone" gone "$old"
expect "still paused after the restart" grep_q "state: *paused" <<<"$out"
expect "the queue survived the restart" is "$(stat queue)" "10/5000"
"$APPSH" -c 'diagnose test application fazmaild 91' >/dev/null
expect "resume: all 10 delivered" wait_stat queue "0/5000"
expect "... and in the spool" is "$(spool_count ok)" $((before + 10))

# ---- 550: failed once, never retried --------------------------------------------

start_server rej --mode plain --reject rcpt 550
mail_entry "$PORT"
sent=$(stat sent) failed=$(stat failed)
submit rejected >/dev/null
expect "550: counted as failed" wait_stat failed $((failed + 1))
smtp_sleep 2.5 # beyond two retry intervals
expect "550: not retried" is "$(grep -cE 'C\+?: RCPT' "$(transcript rej)")" 1
expect "550: not sent" is "$(stat sent)" "$sent"
expect "550: not queued" is "$(queued)" 0

# ---- one recipient refused while pipelining: no empty message for the others --------

start_server partial --mode plain
mail_entry "$PORT"
failed=$(stat failed)
submit "partly refused" unknown@example.com >/dev/null # besides rcpt@example.com
expect "one refused recipient: the message fails (550)" wait_stat failed $((failed + 1))
expect "... and nothing, not even an empty message, reached the others" is "$(spool_count partial)" 0

# ---- 451 then recovery; a drop during DATA: retried ---------------------------------

P=$(free_port)
start_server tmp --mode plain --port "$P" --reject mail 451
mail_entry "$P"
submit deferred >/dev/null
expect "451: the attempt happened" wait_transcript tmp "S: 451" 10
smtp_sleep 0.3
out=$("$APPSH" -c 'diagnose test application fazmaild 3')
expect "451: still queued, with the server's reply as the last error" \
	grep_q -E "^[0-9]+ .*rcpt@example.com +MAIL FROM: 451 4.3.0 " <<<"$out"
stop_server tmp
start_server good --mode plain --port "$P"
expect "451: delivered after backoff once the server recovers" wait_stat queue "0/5000" 15
expect "... to the recovered server" is "$(spool_count good)" 1

stop_server good
start_server drop --mode plain --port "$P" --disconnect body
submit dropped >/dev/null
expect "drop in DATA: the attempt happened" wait_transcript drop "drop body" 10
smtp_sleep 0.3
expect "drop in DATA: still queued" is "$(queued)" 1
stop_server drop
start_server good2 --mode plain --port "$P"
expect "drop in DATA: delivered on retry" wait_stat queue "0/5000" 15
expect "... exactly once" is "$(spool_count good2)" 1

# ---- configuration changes are picked up without a restart ----------------------------

mail_entry "$OKPORT"
before=$(spool_count ok)
submit "after the change" >/dev/null
expect "a changed mail server entry is used at once" wait_stat queue "0/5000"
expect "... the message went to the new server" is "$(spool_count ok)" $((before + 1))

# ---- a kept connection the server dropped while idle --------------------------------

# A daemon with a long retry delay: a message deferred by the dead
# connection would wait 30 s, so arriving at once proves it was not.
maild_stop
APPSH_MAILD_RETRY=30
start_server idle --mode plain --timeout 1
mail_entry "$PORT"
sent=$(stat sent)
submit "before the idle drop" >/dev/null
wait_stat sent $((sent + 1))
expect "the server closed our idle connection" wait_transcript idle "close" 5
submit "after the idle drop" >/dev/null
expect "the next message is sent at once, not deferred" wait_stat sent $((sent + 2)) 5
expect "... on a new connection: the RSET probe caught the dead one" \
	is "$(grep -c ' plain connect ' "$(transcript idle)")" 2
maild_stop
APPSH_MAILD_RETRY=1
mail_entry "$OKPORT"

# ---- the queue timeout ---------------------------------------------------------------

"$APPSH" -c 'diagnose test application fazmaild 90' >/dev/null
discarded=$(stat discard)
submit "too old" >/dev/null
sqlite3 "$STATE/mailq.db" 'UPDATE msg SET created = created - 4000'
"$APPSH" -c 'diagnose test application fazmaild 91' >/dev/null
expect "past the queue timeout: discarded and counted" wait_stat discard $((discarded + 1))
expect "... and not delivered" is "$(spool_count ok)" $((before + 1))

# ---- a full queue --------------------------------------------------------------------

"$APPSH" -c 'diagnose test application fazmaild 90' >/dev/null
# 4999 rows straight into the queue (5000 runs of appsh-sendmail would
# only test patience); the last places are taken through appsh-sendmail.
sqlite3 "$STATE/mailq.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)
INSERT INTO msg(server, sender, rcpts, body, created, next_try)
SELECT '', 'f@example.com', 'r@example.com', 'Subject: filler', strftime('%s'), strftime('%s') FROM n"
submit "the 5000th" >/dev/null
expect "the 5000th submission is accepted" is "$?" 0
sum_before=$(sqlite3 "$STATE/mailq.db" 'SELECT count(*), max(id), sum(length(body)) FROM msg')
printf 'Subject: one too many\n\nb\n' | "$SENDMAIL" r@example.com 2>"$SMTP_TMP/full.err"
expect "the 5001st gets EX_TEMPFAIL" is "$?" 75
expect "... saying the queue is full" grep_q "full" "$SMTP_TMP/full.err"
expect "... and nothing else changed" \
	is "$(sqlite3 "$STATE/mailq.db" 'SELECT count(*), max(id), sum(length(body)) FROM msg')" "$sum_before"
expect "test 2 shows 5000/5000" is "$(stat queue)" "5000/5000"
sqlite3 "$STATE/mailq.db" "DELETE FROM msg WHERE body = 'Subject: filler'"
"$APPSH" -c 'diagnose test application fazmaild 91' >/dev/null
wait_stat queue "0/5000" 10

# ---- TLS: sessions are resumed on the next connection --------------------------------

start_server tls --mode starttls --auth plain --user joe --password 'S3cret-Pw!'
"$APPSH" -c "config system mail
edit \"tls\"
set server \"127.0.0.1\"
set port ${SMTP_PORT[tls]}
set secure-option starttls
set auth enable
set user \"joe\"
set passwd \"S3cret-Pw!\"
next
end" >/dev/null
# The CA of the test PKI, for the daemon started from here on.
export SSL_CERT_FILE=$SMTP_PKI/ca.crt
maild_stop

# ---- the debug stream on two shells --------------------------------------------------

# Two shells reading commands from fifos.  Both start before either fifo
# is opened for writing, so neither inherits the other's writer (and each
# sees end of input when its own writer closes).
for sh in sh1 sh2; do
	mkfifo "$SMTP_TMP/$sh.in"
	"$APPSH" <"$SMTP_TMP/$sh.in" >"$SMTP_TMP/$sh.out" 2>&1 &
	eval "${sh}_pid=$!"
done
exec {sh1_fd}>"$SMTP_TMP/sh1.in" {sh2_fd}>"$SMTP_TMP/sh2.in"
for fd in "$sh1_fd" "$sh2_fd"; do
	printf 'diagnose debug application fazmaild 255\ndiagnose debug enable\n' >&"$fd"
done
smtp_sleep 0.5
# Debug settings do not start a daemon; the shells find one started later
# (their readers look again each second).
expect "turning debug on starts no daemon" test -z "$(daemon_pid)"
"$APPSH" -c 'diagnose test application fazmaild 1' >/dev/null
smtp_sleep 1.5
submit "watched" -S tls >/dev/null
expect "TLS entry: delivered" wait_transcript tls "message " 10
smtp_sleep 0.5
expect "shell 1 sees the daemon's lines" grep_q "sendmail_loop:[0-9]*: mail [0-9]* sent" "$SMTP_TMP/sh1.out"
expect "shell 2 sees them too" grep_q "sendmail_loop:[0-9]*: mail [0-9]* sent" "$SMTP_TMP/sh2.out"
expect "the transcript is there at level 255" grep_q "fazmaild: .*> MAIL FROM:" "$SMTP_TMP/sh1.out"
expect "the password is never shown" bash -c "! grep -q 'S3cret-Pw' '$SMTP_TMP/sh1.out' '$SMTP_TMP/sh2.out'"
pid=$(daemon_pid)
# shellcheck disable=SC2154
exec {sh1_fd}>&-
wait "$sh1_pid"
expect "a watching shell that exits leaves the daemon running" is "$(daemon_pid)" "$pid"
# The kept connection closes after 5 s idle; the next one, with the same
# settings, resumes the TLS session.
expect "the idle connection is closed after 5 s" wait_transcript tls "close" 8
submit "resumed" -S tls >/dev/null
expect "the daemon still delivers" wait_stat queue "0/5000" 10
# The watching shell prints as the lines come: wait for them (20 s).
for _ in $(seq 200); do
	grep -q "session resumed" "$SMTP_TMP/sh2.out" && tail -5 "$SMTP_TMP/sh2.out" | grep -q "mail [0-9]* sent" && break
	smtp_sleep 0.1
done
expect "the second connection resumed the TLS session" grep_q "session resumed" "$SMTP_TMP/sh2.out"
expect "the remaining shell still sees new lines" grep_q "mail [0-9]* sent" <(tail -5 "$SMTP_TMP/sh2.out")
printf 'diagnose debug disable\n' >&"$sh2_fd"
smtp_sleep 0.3
lines=$(wc -l <"$SMTP_TMP/sh2.out")
submit "unwatched" -S tls >/dev/null
wait_stat queue "0/5000" 10
smtp_sleep 0.3
expect "after debug disable, no more lines" is "$(wc -l <"$SMTP_TMP/sh2.out")" "$lines"
exec {sh2_fd}>&-
wait "$sh2_pid"

# ---- a wrong password is a settings problem: retried, not failed ----------------------

start_server authsrv --mode plain --auth plain --user joe --password right-pw
auth_entry() {
	"$APPSH" -c "config system mail
edit \"auth\"
set server \"127.0.0.1\"
set port ${SMTP_PORT[authsrv]}
set secure-option none
set auth enable
set user \"joe\"
set passwd \"$1\"
next
end" >/dev/null
}
auth_entry wrong-pw
failed=$(stat failed)
submit "auth" -S auth >/dev/null
expect "a wrong password: the server refuses AUTH" wait_transcript authsrv "auth PLAIN failed" 10
smtp_sleep 0.3
expect "... the message is kept for a retry, not failed" is "$(stat failed)" "$failed"
expect "... and test 3 says why" grep_q "AUTH: 535" <<<"$("$APPSH" -c 'diagnose test application fazmaild 3')"
auth_entry right-pw
expect "once the password is fixed, it is delivered" wait_stat queue "0/5000" 10
expect "... to that server" is "$(spool_count authsrv)" 1

# A daemon whose state directory (here: its socket) is removed stops.
pid=$(daemon_pid)
rm -f "$STATE/fazmaild.sock"
for _ in $(seq 300); do gone "$pid" && break; smtp_sleep 0.1; done # a 30 s deadline
expect "a daemon whose control socket is removed stops by itself" gone "$pid"

maild_stop
maild_asan_check
summary
