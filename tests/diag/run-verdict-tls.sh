#!/bin/bash
# SPDX-License-Identifier: MIT
# run-verdict-tls.sh - the fault matrix, TLS part: `openssl s_server` (a
# real TLS server, implicit TLS) for the handshake's edge cases: no common
# version (with what each side allowed), no shared cipher, a client
# certificate demanded or rejected, certificates that fail verification
# (untrusted CA, self-signed, missing intermediate, wrong name, expired),
# and a plain or STARTTLS client against it (a real implicit-TLS server
# waits silently for the ClientHello).  usage: run-verdict-tls.sh path/to/appsh
set -u
APPSH=${1:?usage: run-verdict-tls.sh path/to/appsh}
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
P=$SMTP_PKI

# start_sserver NAME ARGS...: openssl s_server on a free port of 127.0.0.1;
# its stdin is a FIFO held open, so it never sees end of input.
start_sserver() {
	local name=$1 port hex i fd
	shift
	port=$(free_port)
	mkfifo "$SMTP_TMP/$name.in"
	exec {fd}<>"$SMTP_TMP/$name.in"
	openssl s_server -accept "127.0.0.1:$port" -quiet "$@" <&"$fd" \
		>"$SMTP_TMP/$name.out" 2>"$SMTP_TMP/$name.log" &
	SMTP_PID[$name]=$!
	exec {fd}<&-
	printf -v hex ':%04X' "$port"
	for ((i = 0; i < 250; i++)); do
		if awk -v p="$hex" '$2 ~ p "$" && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp; then
			SMTP_PORT[$name]=$port
			return 0
		fi
		kill -0 "${SMTP_PID[$name]}" 2>/dev/null || break
		smtp_sleep 0.02
	done
	echo "FAIL s_server $name did not start:"
	sed 's/^/  /' "$SMTP_TMP/$name.log"
	echo "0 passed, 1 failed"
	exit 1
}

# A self-signed certificate, and the server's certificate without the
# intermediate CA that signed it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SMTP_TMP/self.key" -out "$SMTP_TMP/self.crt" \
	-subj "/O=appsh test/CN=mail.test" -addext "subjectAltName=DNS:mail.test,IP:127.0.0.1" \
	-days 30 2>/dev/null
openssl x509 -in "$P/server-chain.crt" -out "$SMTP_TMP/leaf.crt"
OK=(-cert "$P/server.crt" -key "$P/server.key")
start_sserver tls10 "${OK[@]}" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
start_sserver tls12 "${OK[@]}" -tls1_2
start_sserver cipher "${OK[@]}" -tls1_2 -cipher CAMELLIA128-SHA
start_sserver ccert13 "${OK[@]}" -Verify 1 -verify_return_error -CAfile "$P/ca.crt"
start_sserver ccert12 "${OK[@]}" -tls1_2 -Verify 1 -verify_return_error -CAfile "$P/ca.crt"
start_sserver cbad "${OK[@]}" -Verify 1 -verify_return_error -CAfile "$P/untrusted-ca.crt"
start_sserver untrusted -cert "$P/server-untrusted.crt" -key "$P/server-untrusted.key"
start_sserver self -cert "$SMTP_TMP/self.crt" -key "$SMTP_TMP/self.key"
start_sserver leaf -cert "$SMTP_TMP/leaf.crt" -key "$P/server-chain.key"
start_sserver wrongname -cert "$P/server-wrongname.crt" -key "$P/server-wrongname.key"
start_sserver expired -cert "$P/server-expired.crt" -key "$P/server-expired.key"
start_sserver implicit "${OK[@]}"
start_sserver implicit2 "${OK[@]}"
launch_server plain --mode plain
wait_server plain || { echo "FAIL peer plain"; echo "0 passed, 1 failed"; exit 1; }

F=alerts@example.test T=ops@example.test
S='server 127.0.0.1; port %P'
CERT='auth enable; auth-type certificate; local-cert c1'
PRE_OF=([cbad]="execute certificate local import c1 $P/client.crt $P/client.key")
# name # settings # args # layer # reason # category # naive hints # rc
CASES=(
	"tls10 # $S; secure-option smtps # $F $T 3 # TLS # unsupported protocol|protocol version # tls-version # certificate|cipher # 5"
	"tls12 # $S; secure-option smtps; ssl-protocol tlsv1.3 # $F $T 3 # TLS # unsupported protocol|protocol version # tls-version # certificate|cipher # 5"
	"cipher # $S; secure-option smtps # $F $T 3 # TLS # handshake failure # tls-cipher # set ssl-protocol|certificate|local-cert # 5"
	"ccert13 # $S; secure-option smtps # $F $T 3 # TLS # certificate required|rejected the client certificate # tls-client-cert-required # ssl-protocol|cipher|certificate ca import # 5"
	"ccert12 # $S; secure-option smtps # $F $T 3 # TLS # handshake failure # tls-client-cert-required # ssl-protocol|cipher|certificate ca import # 5"
	"cbad # $S; secure-option smtps; $CERT # $F $T 3 # TLS # rejected the client certificate|unknown ca # tls-client-cert-rejected # ssl-protocol|cipher|certificate ca import # 5"
	"untrusted # $S; secure-option smtps # $F $T 3 # TLS # unable to get local issuer certificate # tls-verify-ca # ssl-protocol|set server # 5"
	"self # $S; secure-option smtps # $F $T 3 # TLS # self-signed certificate # tls-verify-ca # ssl-protocol|set server # 5"
	"leaf # $S; secure-option smtps # $F $T 3 # TLS # unable to get local issuer certificate # tls-verify-ca # ssl-protocol|set server # 5"
	"wrongname # $S; secure-option smtps # $F $T 3 # TLS # IP address mismatch # tls-verify-name # ssl-protocol|certificate ca import # 5"
	"expired # $S; secure-option smtps # $F $T 3 # TLS # certificate has expired # tls-verify-dates # ssl-protocol|set server|certificate ca import # 5"
	"implicit # $S; secure-option none # $F $T 2 # greeting # ^no greeting in time$ # implicit-tls # firewall|overloaded # 3"
	"implicit2 # $S; secure-option starttls # $F $T 2 # greeting # ^no greeting in time$ # implicit-tls # firewall|overloaded # 3"
	"plain # $S; secure-option smtps # $F $T 3 # TLS # wrong version number # tls-plain-port # ssl-protocol|certificate # 5"
)
run_matrix

# What the verdicts must show besides their category.
case_has tls10 '^Verdict: no TLS version in common: this appliance allows TLS 1\.2 to TLS 1\.3 \(ssl-protocol tlsv1\.2.*\); the server accepts none of them .*a second handshake allowing TLS 1\.0 and later got TLS 1\.0' "both sides' versions named"
case_has tls10 '^Hint: .*set ssl-protocol tlsv1\.0 ' "the ssl-protocol that would work"
case_has tls12 '^Verdict: .*allows TLS 1\.3 only \(ssl-protocol tlsv1\.3\); the server .* got TLS 1\.2' "a TLS 1.3 floor against a TLS 1.2 server"
case_has tls12 '^Hint: the server speaks at most TLS 1\.2: set ssl-protocol tlsv1\.2 ' "the ssl-protocol that would work"
case_has untrusted '^Verdict: .*subject O = untrusted, CN = mail\.test; subjectAltName DNS:mail\.test, DNS:localhost, IP:127\.0\.0\.1, IP:10\.99\.2\.2; issuer O = appsh test, CN = untrusted CA; valid .* to .*; checked against "127\.0\.0\.1"' "the certificate shown: subject, SANs, issuer, validity, name checked"
case_has untrusted '^Hint: import the CA "O = appsh test, CN = untrusted CA": execute certificate ca import ' "the CA to import named"
case_has leaf '^Hint: import the CA "O = appsh test, CN = appsh test intermediate CA"' "missing intermediate: its name"
case_has self '^Hint: .*execute certificate ca import .*"O = appsh test, CN = mail\.test"' "self-signed: import it"
case_has wrongname '^Hint: set server in config system mail to a name the certificate holds \(other\.test\)$' "the names the certificate holds"
case_has expired '^Verdict: the server.s certificate is certificate has expired .*valid 2020-01-01 .* to 2020-01-31 ' "the validity dates"
case_has implicit '^greeting: a TLS handshake on port [0-9]+ works' "the probe's answer shown"
summary
