#!/bin/bash
# SPDX-License-Identifier: MIT
# run-verdict-daemon.sh - fazmaild records the same verdict and hint as the
# interactive test: one queued message per fault (appsh-sendmail -S entry),
# one fault per family of classifier rules (settings, DNS, TCP, greeting,
# EHLO name, TLS, AUTH, the transaction), each checked in `diagnose test
# application fazmaild 3` for the category and the hint that the matrix
# (run-verdict-*.sh) checks for the interactive test.
# usage: run-verdict-daemon.sh path/to/appsh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export APPSH_SRC=${APPSH_SRC:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=tests/maild/lib-maild.sh
. "$APPSH_SRC/tests/maild/lib-maild.sh"
maild_init
export SSL_CERT_FILE=$SMTP_PKI/ca.crt
unset SSL_CERT_DIR
export APPSH_MAILD_STAGE_TIMEOUT=2 # a silent server costs 2 s, not 30

U=(--user alice --password Dm3-ecr3t_Pw4)
launch_server g554 --mode plain --greeting 554
launch_server smtps --mode smtps
launch_server untrusted --cert "$SMTP_PKI/server-untrusted.crt"
launch_server authsrv --auth plain,login "${U[@]}"
launch_server noauth
launch_server authreq --mode plain --auth plain,login "${U[@]}" --auth-require
launch_server grey --mode plain --reject rcpt '450 4.7.1 <x>: Recipient address rejected: Greylisted'
SMTP_SERVER=$HERE/badsmtp.py launch_server helo \
	--reply 'RCPT=504 5.5.2 <appsh>: Helo command rejected: need fully-qualified hostname'
for s in g554 smtps untrusted authsrv noauth authreq grey helo; do
	: >>"$SMTP_TMP/$s.out"
done
for s in g554 smtps untrusted authsrv noauth authreq grey helo; do
	wait_server "$s" || { echo "FAIL peer $s"; echo "0 passed, 1 failed"; exit 1; }
done
CLOSED=$(free_port)

# entry NAME SETTINGS...: a `system mail` entry of set lines
entry() {
	local name=$1 sets=''
	shift
	for s in "$@"; do sets+="set $s"$'\n'; done
	"$APPSH" -c "config system mail
edit \"$name\"
set from \"fazmaild@example.com\"
$sets
next
end" >/dev/null || echo "FAIL entry $name"
}
AUTH=("auth enable" "user alice" "passwd Dm3-ecr3t_Pw4")
entry noserver "port 25"
entry nodns "server mail.example.test" "port 25"
entry closed "server 127.0.0.1" "port $CLOSED" "secure-option none"
entry g554 "server 127.0.0.1" "port ${SMTP_PORT[g554]}" "secure-option none"
entry smtps "server 127.0.0.1" "port ${SMTP_PORT[smtps]}" "secure-option none"
entry helo "server 127.0.0.1" "port ${SMTP_PORT[helo]}" "secure-option none"
entry untrusted "server 127.0.0.1" "port ${SMTP_PORT[untrusted]}" "secure-option starttls"
entry wrongpw "server 127.0.0.1" "port ${SMTP_PORT[authsrv]}" "secure-option starttls" \
	"auth enable" "user alice" "passwd wrong"
entry noauth "server 127.0.0.1" "port ${SMTP_PORT[noauth]}" "secure-option starttls" "${AUTH[@]}"
entry authreq "server 127.0.0.1" "port ${SMTP_PORT[authreq]}" "secure-option none"
entry grey "server 127.0.0.1" "port ${SMTP_PORT[grey]}" "secure-option none"
"$APPSH" -c 'config system dns
set primary 0.0.0.0
set secondary 0.0.0.0
end' >/dev/null

# name # category # a phrase of the hint (as the interactive test gives it)
CASES=(
	"noserver # setting-server # set server in config system mail"
	"nodns # dns-none # set primary (and secondary) in config system dns"
	"closed # port-closed # check port in config system mail"
	"g554 # server-refuses-client # allow this appliance's address"
	"smtps # implicit-tls # set secure-option smtps"
	"helo # helo-name # set hostname in config system global"
	"untrusted # tls-verify-ca # execute certificate ca import"
	"wrongpw # auth-credentials # check user and passwd"
	"noauth # auth-not-offered # set auth disable"
	"authreq # auth-required # set auth enable, user and passwd"
	"grey # temporary # a later try may work"
)
for c in "${CASES[@]}"; do
	name=${c%% *}
	RCPT="$name@example.test" submit "$name" -S "$name" >/dev/null ||
		fail "submit to $name"
done
# Every message has been tried once when each line of test 3 has an error.
for _ in $(seq 300); do
	q=$("$APPSH" -c 'diagnose test application fazmaild 3')
	n=$(grep -c '; verdict: ' <<<"$q")
	[ "$n" -ge ${#CASES[@]} ] && break
	smtp_sleep 0.1
done
for c in "${CASES[@]}"; do
	IFS='#' read -r name cat hint <<<"$c"
	name=$(echo $name) cat=$(echo $cat) hint=${hint# }
	line=$(grep -F "$name@example.test" <<<"$q")
	if [[ $line == *"[$cat]; hint: "*"$hint"* ]]; then
		pass "$name: fazmaild 3 shows [$cat] and the hint"
	else
		fail "$name: fazmaild 3 shows [$cat] and the hint '$hint'"
		echo "    | ${line:-(no line for $name@example.test)}"
	fi
done
# Settings problems (AUTH or TLS required, the EHLO name) keep the message
# for a retry: nothing was failed for good.
[ "$(stat failed)" = 0 ] && pass "no message failed for good" ||
	fail "$(stat failed) message(s) failed for good"
maild_asan_check
summary
