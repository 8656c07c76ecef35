#!/bin/bash
# SPDX-License-Identifier: MIT
# run-verdict-postfix.sh - the fault matrix against a genuine Postfix: a
# private instance in a temp dir (never the machine's MTA) with TLS and
# Cyrus SASL (sasldb), one smtpd per fault on a free port of 127.0.0.1.
# Its replies are Postfix's own words: "530 5.7.0 Must issue a STARTTLS
# command first", "535 5.7.8 Error: authentication failed", "Relay access
# denied", "Helo command rejected: need fully-qualified hostname", AUTH
# offered only after STARTTLS, implicit TLS (smtpd_tls_wrappermode).
# usage: run-verdict-postfix.sh path/to/appsh     (77: postfix or SASL missing)
set -u
APPSH=${1:?usage: run-verdict-postfix.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
APPSH=$(cd "$(dirname "$APPSH")" && pwd)/$(basename "$APPSH")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a private Postfix instance)"; exit 77; }
for c in postfix saslpasswd2; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed (postfix, sasl2-bin)"; exit 77; }
done
# shellcheck source=tests/smtp/lib-smtp.sh
. "$HERE/../smtp/lib-smtp.sh"
# shellcheck source=tests/diag/lib-verdict.sh
. "$HERE/lib-verdict.sh"
smtp_init
export SSL_CERT_FILE=$SMTP_PKI/ca.crt
unset SSL_CERT_DIR APPSH_STATE_DIR

D=$SMTP_TMP/postfix
PW=Pf5-ecr3t_Pw2
mkdir -p "$D/etc/sasl" "$D/spool" "$D/data"
chmod 755 "$SMTP_TMP" "$D"
chown postfix "$D/data"
postfix_stop() {
	postfix -c "$D/etc" stop >/dev/null 2>&1
	smtp_cleanup
}
trap postfix_stop EXIT

# SASL: one user in a sasldb of our own, read by smtpd (as postfix).
# Debian's Postfix reads $config_directory/sasl/smtpd.conf (README.Debian),
# whatever cyrus_sasl_config_path says.
printf '%s' "$PW" | saslpasswd2 -p -c -f "$D/sasldb2" -u mail.example.test alice
chown postfix "$D/sasldb2"
printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" "mech_list: PLAIN LOGIN" \
	"sasldb_path: $D/sasldb2" >"$D/etc/sasl/smtpd.conf"

declare -A PF=()
for s in sub enc helo smtps nosasl; do PF[$s]=$(free_port); done
cat >"$D/etc/main.cf" <<END_MAIN
compatibility_level = 3.6
config_directory = $D/etc
queue_directory = $D/spool
data_directory = $D/data
maillog_file = $D/maillog
maillog_file_prefixes = /tmp
myhostname = mail.example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
relay_domains = example.test
mynetworks =
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
default_transport = discard
relay_transport = discard
smtpd_tls_cert_file = $SMTP_PKI/server.crt
smtpd_tls_key_file = $SMTP_PKI/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
END_MAIN
cat >"$D/etc/master.cf" <<END_MASTER
127.0.0.1:${PF[sub]} inet n - n - - smtpd
127.0.0.1:${PF[enc]} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt
127.0.0.1:${PF[helo]} inet n - n - - smtpd -o smtpd_helo_required=yes -o smtpd_helo_restrictions=reject_non_fqdn_helo_hostname
127.0.0.1:${PF[smtps]} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
127.0.0.1:${PF[nosasl]} inet n - n - - smtpd -o smtpd_sasl_auth_enable=no
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
END_MASTER
if ! postfix -c "$D/etc" start >/dev/null 2>"$D/start.err"; then
	echo "FAIL postfix did not start:"
	cat "$D/start.err" "$D/maillog" 2>/dev/null | sed 's/^/  /'
	echo "0 passed, 1 failed"
	exit 1
fi
for s in "${!PF[@]}"; do
	printf -v hex ':%04X' "${PF[$s]}"
	for ((i = 0; i < 250; i++)); do
		awk -v p="$hex" '$2 ~ p "$" && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp && break
		smtp_sleep 0.02
	done
	SMTP_PORT[$s]=${PF[$s]}
done

F=alerts@example.test T=ops@example.test X=ops@elsewhere.test
S='server 127.0.0.1; port %P'
AUTH_SETS="user alice@mail.example.test; passwd $PW"
PEER_OF=([sub-ok]=sub [sub-wrongpw]=sub [sub-relay]=sub [sub-cleartext]=sub [helo-fqdn]=helo
	[smtps-ok]=smtps)
PRE_OF=([helo-fqdn]=$'config system global\nset hostname faz.example.test\nend')
# name # settings # args # layer # reason # category # naive hints # rc
CASES=(
	"sub-ok # $S; secure-option starttls; auth enable; %A # $F $X 5 # OK"
	"sub-wrongpw # $S; secure-option starttls; auth enable; user alice@mail.example.test; passwd nope # $F $T 5 # AUTH # 535 5\\.7\\.8 Error: authentication failed # auth-credentials # ssl-protocol|secure-option|relay # 6"
	"sub-relay # $S; secure-option starttls # $F $X 5 # RCPT TO # 554 5\\.7\\.1 <ops@elsewhere\\.test>: Relay access denied # relay # use a sender|check the recipient # 5"
	"sub-cleartext # $S; secure-option none; auth enable; %A # $F $T 5 # AUTH # does not offer AUTH # auth-after-tls # auth disable|check user and passwd|smtps # 6"
	"enc # $S; secure-option none # $F $T 5 # MAIL FROM # 530 5\\.7\\.0 Must issue a STARTTLS command first # tls-required # use a sender|set auth enable|check the recipient # 5"
	"helo # $S; secure-option none # $F $T 5 # EHLO # 504 5\\.5\\.2 <appsh>: Helo command rejected: need fully-qualified hostname # helo-name # check the recipient|relay|use a sender # 5"
	"helo-fqdn # $S; secure-option none # $F $T 5 # OK"
	"smtps # $S; secure-option none # $F $T 2 # greeting # ^no greeting in time$ # implicit-tls # overloaded|firewall # 3"
	"smtps-ok # $S; secure-option smtps; auth enable; %A # $F $X 5 # OK"
	"nosasl # $S; secure-option starttls; auth enable; %A # $F $T 5 # AUTH # does not offer AUTH # auth-not-offered # set secure-option|check user and passwd # 6"
)
run_matrix
case_has sub-wrongpw '^Verdict: the server rejected the user name or password of "alice@mail\.example\.test"' "the user named"
case_has sub-relay '^Hint: set auth enable with user and passwd' "relaying: authenticate"
case_has sub-cleartext '^Hint: set secure-option starttls in config system mail$' "AUTH after STARTTLS: the one setting"
case_has helo '^Hint: set hostname in config system global ' "the setting that gives the EHLO name"
summary
