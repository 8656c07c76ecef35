#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMTP library beyond one test message, driven by bench/smtp/smtpbench
# against real peers: many messages over one connection (RSET between),
# over STARTTLS and SMTPS, a new connection per message, and TLS session
# resumption across connections (TLS 1.3 tickets and TLS 1.2).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib-smtp.sh
. "$HERE/lib-smtp.sh"
BENCH=${APPSH_BUILD:?}/bench/smtpbench
[ -x "$BENCH" ] || { echo "SKIP: $BENCH not built"; exit 77; }
smtp_init

start_server stls --mode starttls
start_server smtps --mode smtps
start_server plain --mode plain
start_server tls12 --mode starttls --tls-max 1.2

# send NAME ARGS...: smtpbench against server NAME; fails the check on error.
send() {
	local name=$1
	shift
	"$BENCH" -q -a 127.0.0.1 -p "${SMTP_PORT[$name]}" -C "$SMTP_PKI/ca.crt" -H mail.test "$@"
}
conns() { # distinct connection numbers in NAME's spool
	grep -h '^conn=' "$(spool_dir "$1")"/*.env 2>/dev/null | sort -u | wc -l
}

if send stls -M starttls -n 5 --rset; then pass "5 messages over one STARTTLS connection, RSET between"
else fail "5 messages over one STARTTLS connection"; fi
expect_spool_count stls 5 "STARTTLS: all 5 messages arrived"
[ "$(conns stls)" = 1 ] && pass "STARTTLS: one connection carried them" || fail "STARTTLS: $(conns stls) connections"
expect_transcript stls "C: RSET" "STARTTLS: RSET between messages"
expect_env stls tls TLSv1.3 "STARTTLS: TLS was used"

if send smtps -M smtps -n 3; then pass "3 messages over one SMTPS connection"
else fail "3 messages over one SMTPS connection"; fi
expect_spool_count smtps 3 "SMTPS: all 3 messages arrived"
[ "$(conns smtps)" = 1 ] && pass "SMTPS: one connection" || fail "SMTPS: $(conns smtps) connections"

if send plain -n 4 -N; then pass "4 messages, a new connection each"
else fail "4 messages, a new connection each"; fi
expect_spool_count plain 4 "new connections: all 4 messages arrived"
[ "$(conns plain)" = 4 ] && pass "new connections: four connections" || fail "new connections: $(conns plain)"

# A certificate for another name is refused: the library verifies by default.
if send stls -M starttls -n 1 -H other.test 2>/dev/null; then fail "wrong host name accepted"
else pass "a certificate for another host name is refused"; fi
expect_spool_count stls 5 "nothing more arrived after the refusal"

# resume NAME MODE DESC: three connections one after another sharing one
# session slot (smtpbench -R, as maild keeps one per link); the second and
# third must resume it (smtp_info.tls_resumed).  No -H: the host is the
# address, so no SNI and the certificate is checked against the IP, as in
# maild.
resume() {
	local out
	out=$("$BENCH" -a 127.0.0.1 -p "${SMTP_PORT[$1]}" -C "$SMTP_PKI/ca.crt" -M "$2" -n 3 -N -R)
	case $out in
	*" sessions=3 resumed=2 "*) pass "$3: the later connections resumed the TLS session" ;;
	*) fail "$3: TLS session not resumed: $out" ;;
	esac
}
resume stls starttls "STARTTLS, TLS 1.3"
expect_env stls tls TLSv1.3 "STARTTLS resumption: TLS 1.3 was used"
resume smtps smtps "SMTPS, TLS 1.3"
resume tls12 starttls "STARTTLS, TLS 1.2"
expect_env tls12 tls TLSv1.2 "STARTTLS resumption: TLS 1.2 was used"

summary
