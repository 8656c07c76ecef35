#!/bin/bash
# SPDX-License-Identifier: MIT
# run-verdict-smtp.sh - the fault matrix, SMTP part: replies and offers of
# real aiosmtpd peers (tests/smtp/smtp_server.py) and of badsmtp.py, the
# scripted server for replies no real server gives on demand, all on
# 127.0.0.1.  Each case checks the layer, the server's words, the verdict's
# category and the absence of the hint a naive rule would give
# (lib-verdict.sh).  usage: run-verdict-smtp.sh path/to/appsh
set -u
APPSH=${1:?usage: run-verdict-smtp.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
APPSH=$(cd "$(dirname "$APPSH")" && pwd)/$(basename "$APPSH")
# shellcheck source=tests/smtp/lib-smtp.sh
. "$HERE/../smtp/lib-smtp.sh"
# shellcheck source=tests/diag/lib-verdict.sh
. "$HERE/lib-verdict.sh"
smtp_init
export SSL_CERT_FILE=$SMTP_PKI/ca.crt
unset SSL_CERT_DIR APPSH_STATE_DIR
U=(--user alice --password 'Vx4-ecr3t_Pw1')
AUTH_SETS='user alice; passwd Vx4-ecr3t_Pw1'
BAD=$HERE/badsmtp.py

# ---- the peers: NAME then smtp_server.py flags, or "bad NAME" then badsmtp.py's
PEERS=(
	"plain --mode plain"
	"authreq --mode plain --auth plain,login ${U[*]} --auth-require"
	"tlsreq --require-tls"
	"g554 --mode plain --greeting 554"
	"g421 --mode plain --greeting 421"
	"relay --mode plain --reject rcpt 554"
	"sender --mode plain --reject mail 550"
	"body554 --mode plain --reject body 554"
	"clearauth --mode plain --auth plain,login ${U[*]}"
	"tlsauth --auth plain,login ${U[*]}"
	"auth454 --auth plain ${U[*]} --reject auth 454"
	"nostarttls --no-starttls"
	"smtps --mode smtps"
	"inject --pipeline-after-starttls"
	"ntlmtls --auth ntlm,gssapi,xoauth2"
)
BADS=(
	"helo --reply 'RCPT=504 5.5.2 <appsh>: Helo command rejected: need fully-qualified hostname'"
	"rdns --reply 'RCPT=450 4.7.25 Client host rejected: cannot find your hostname, [127.0.0.1]'"
	"unknown --reply 'RCPT=550 5.1.1 <ops@example.test>: Recipient address rejected: User unknown in local recipient table'"
	"greylist --reply 'RCPT=450 4.7.1 <ops@example.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/'"
	"size552 --reply 'BODY=552 5.3.4 Message size exceeds fixed limit'"
	"bodysilent --reply BODY=silent"
	"noauth --reply 'EHLO=250-bad.test|250-SIZE 1000000|250 8BITMIME'"
	"ntlm --reply 'EHLO=250-bad.test|250-AUTH NTLM GSSAPI|250 8BITMIME'"
	"silent --reply GREETING=silent"
	"ehlo550 --reply 'EHLO=550 5.7.1 Access denied' --reply 'HELO=550 5.7.1 Access denied'"
	"tlsalert --tls-alert internal_error --cert $SMTP_PKI/server.crt --key $SMTP_PKI/server.key"
)
for p in "${PEERS[@]}"; do
	# shellcheck disable=SC2086
	launch_server $p
	: >>"$SMTP_TMP/${p%% *}.out"
done
for p in "${BADS[@]}"; do
	eval "args=(${p#* })"
	SMTP_SERVER=$BAD launch_server "${p%% *}" "${args[@]}"
	: >>"$SMTP_TMP/${p%% *}.out"
done
for p in "${PEERS[@]}" "${BADS[@]}"; do
	wait_server "${p%% *}" || { echo "FAIL peer ${p%% *}"; echo "0 passed, 1 failed"; exit 1; }
done
SMTP_PORT[closed]=$(free_port)

F=alerts@example.test T=ops@example.test
PEER_OF=([plain-ok]=plain [authreq-ok]=authreq [wrongpw]=tlsauth [afterstarttls]=tlsauth [plainstarttls]=smtps)
CASES=(
	"plain-ok # server 127.0.0.1; port %P; secure-option none # $F $T 3 # OK"
	"authreq # server 127.0.0.1; port %P; secure-option none # $F $T 3 # MAIL FROM # 530 5\.7\.0 Authentication required # auth-required # use a sender|check the recipient|relay # 6"
	"authreq-ok # server 127.0.0.1; port %P; secure-option none; auth enable; %A # $F $T 3 # OK"
	"tlsreq # server 127.0.0.1; port %P; secure-option none # $F $T 3 # MAIL FROM # 530 Must issue a STARTTLS command first # tls-required # use a sender|set auth enable|check the recipient # 5"
	"g554 # server 127.0.0.1; port %P; secure-option none # $F $T 3 # greeting # 554 5\.3\.2 .*No SMTP service here # server-refuses-client # use a sender|check the recipient|check user and passwd|secure-option|try again later # 3"
	"g421 # server 127.0.0.1; port %P; secure-option none # $F $T 3 # greeting # 421 4\.3\.2 # server-busy # use a sender|check user and passwd|secure-option # 3"
	"relay # server 127.0.0.1; port %P; secure-option none # $F $T 3 # RCPT TO # 554 5\.7\.1 .*Relay access denied # relay # use a sender|check the recipient # 5"
	"sender # server 127.0.0.1; port %P; secure-option none # $F $T 3 # MAIL FROM # 550 5\.7\.1 .*Sender address rejected # sender # relay|check the recipient|check user and passwd # 5"
	"body554 # server 127.0.0.1; port %P; secure-option none # $F $T 3 # end of data # 554 5\.7\.1 Message content rejected # content # use a sender|check the recipient|check user and passwd # 5"
	"helo # server 127.0.0.1; port %P; secure-option none # $F $T 3 # EHLO # 504 5\.5\.2 <appsh>: Helo command rejected # helo-name # check the recipient|relay|use a sender # 5"
	"rdns # server 127.0.0.1; port %P; secure-option none # $F $T 3 # RCPT TO # 450 4\.7\.25 Client host rejected # client-rdns # check the recipient|relay|use a sender|hostname in config # 5"
	"unknown # server 127.0.0.1; port %P; secure-option none # $F $T 3 # RCPT TO # 550 5\.1\.1 .*User unknown # recipient # relay|set auth enable|use a sender # 5"
	"greylist # server 127.0.0.1; port %P; secure-option none # $F $T 3 # RCPT TO # 450 4\.7\.1 .*Greylisted # temporary # check the recipient|relay|set auth enable # 5"
	"size552 # server 127.0.0.1; port %P; secure-option none # $F $T 3 # end of data # 552 5\.3\.4 Message size exceeds # size # use a sender|check the recipient|content # 5"
	"bodysilent # server 127.0.0.1; port %P; secure-option none # $F $T 2 # end of data # no answer in time # timeout-after-data # use a sender|check the recipient # 5"
	"noauth # server 127.0.0.1; port %P; secure-option default; auth enable; %A # $F $T 3 # AUTH # does not offer AUTH # auth-not-offered # set secure-option starttls|secure-option none|check user and passwd # 6"
	"ntlm # server 127.0.0.1; port %P; secure-option default; auth enable; %A # $F $T 3 # AUTH # offers AUTH NTLM GSSAPI, none of which # auth-mechanism # starttls|secure-option|check user and passwd # 6"
	"ntlmtls # server 127.0.0.1; port %P; secure-option starttls; auth enable; %A # $F $T 3 # AUTH # offers AUTH GSSAPI NTLM XOAUTH2 # auth-mechanism # secure-option|check user and passwd # 6"
	"clearauth # server 127.0.0.1; port %P; secure-option default; auth enable; %A # $F $T 3 # AUTH # refusing to send the password # auth-needs-tls # secure-option starttls in|check user and passwd # 6"
	"afterstarttls # server 127.0.0.1; port %P; secure-option none; auth enable; %A # $F $T 3 # AUTH # does not offer AUTH # auth-after-tls # auth disable|smtps|check user and passwd # 6"
	"wrongpw # server 127.0.0.1; port %P; secure-option starttls; auth enable; user alice; passwd wrong # $F $T 3 # AUTH # 535 5\.7\.8 # auth-credentials # ssl-protocol|secure-option|certificate # 6"
	"auth454 # server 127.0.0.1; port %P; secure-option starttls; auth enable; %A # $F $T 3 # AUTH # 454 4\.7\.0 # auth-temporary # check user and passwd|secure-option # 6"
	"nostarttls # server 127.0.0.1; port %P; secure-option starttls # $F $T 3 # TLS # does not offer STARTTLS # starttls-missing # ssl-protocol|certificate # 5"
	"smtps # server 127.0.0.1; port %P; secure-option none # $F $T 2 # greeting # ^no greeting in time$ # implicit-tls # overloaded|firewall # 3"
	"plainstarttls # server 127.0.0.1; port %P; secure-option starttls # $F $T 2 # greeting # ^no greeting in time$ # implicit-tls # overloaded|firewall # 3"
	"silent # server 127.0.0.1; port %P; secure-option none # $F $T 2 # greeting # ^no greeting in time$ # greeting-silent # smtps|firewall # 3"
	"inject # server 127.0.0.1; port %P; secure-option default # $F $T 3 # TLS # CVE-2011-0411 # tls-injection # ssl-protocol|certificate # 5"
	"ehlo550 # server 127.0.0.1; port %P; secure-option none # $F $T 3 # EHLO # 550 5\.7\.1 Access denied # ehlo-refused # use a sender|check the recipient # 5"
	"tlsalert # server 127.0.0.1; port %P; secure-option smtps # $F $T 3 # TLS # internal error # tls-server-error # set ssl-protocol|certificate ca import|local-cert # 5"
	"closed # server 127.0.0.1; port %P; secure-option none # $F $T 3 # TCP # Connection refused # port-closed # firewall|route # 3"
)
# name # settings # args # layer # reason (the server's words) # category # naive hints # rc
run_matrix
summary
