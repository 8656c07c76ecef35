#!/bin/bash
# SPDX-License-Identifier: MIT
# The mail server test against Postfix's smtp-sink, a second real SMTP
# implementation, with its scripted faults: a 4xx (-r), a 5xx (-f), a
# dropped connection (-q) and a 421 (-Q) at chosen commands.
set -u
APPSH=${1:?usage: run-sink.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib-smtp.sh
. "$HERE/lib-smtp.sh"
smtp_init

# mt NAME SINK-FLAGS...: a sink with those faults, the test against it.
mt() {
	local name=$1
	shift
	start_sink "$name" "$@"
	OUT=$("$APPSH" --state-dir "$SMTP_TMP/state-$name" -c "config system mail
edit 1
set server 127.0.0.1
set port ${SMTP_PORT[$name]}
set secure-option none
end
diagnose test connection mailserver 1 a@client.test b@mail.test 3" 2>&1)
	RC=$?
}
# expect NAME ERE: the test's output matches ERE and the exit status is $2.
expect() {
	if grep -Eq -- "$2" <<<"$OUT" && [ "$RC" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (rc $RC)"
		sed 's/^/    | /' <<<"$OUT"
	fi
}

mt ok
expect "smtp-sink: delivered" "^Result: OK" 0
[ "$(sink_counters ok | grep -o 'mesg=[0-9]*')" = "mesg=1" ] && pass "smtp-sink counted one message" ||
	fail "smtp-sink counters: $(sink_counters ok)"
mt rcpt450 -r RCPT
expect "450 at RCPT: temporary, with the server's words" \
	"^Result: FAILED at RCPT TO: RCPT TO:<b@mail.test>: 450 " 1
mt mail500 -f MAIL
expect "500 at MAIL: refused, with the server's words" \
	"^Result: FAILED at MAIL FROM: MAIL FROM:<a@client.test>[^:]*: 500 " 1
mt dataq -q DATA
expect "connection dropped at DATA: named" "^Result: FAILED at DATA: the server closed the connection" 1
mt ehlo421 -Q EHLO
expect "421 at EHLO: FAILED at EHLO" "^Result: FAILED at EHLO: EHLO: 421 " 1
mt dot550 -f .
expect "5xx after the message: FAILED at end of data" "^Result: FAILED at end of data: end of data: 500 " 1
summary
