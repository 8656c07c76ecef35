#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-peers.sh [APPSH] - self-test of the SMTP test peers (smtp_server.py,
# certs.sh, lib-smtp.sh): every mode and fault behaves as documented, seen
# from independent clients (swaks, openssl s_client, Python smtplib/socket).
# The mail-server tests rely on these peers; this proves them first.
# APPSH is accepted and ignored (ctest passes the binary to every script).
#
# packages: python3-aiosmtpd openssl swaks libnet-ssleay-perl (swaks' TLS)
#           libauthen-sasl-perl (swaks' CRAM-MD5)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib-smtp.sh
. "$HERE/lib-smtp.sh"
smtp_need swaks timeout
perl -MNet::SSLeay -e1 2>/dev/null || {
	echo "SKIP: swaks needs libnet-ssleay-perl for TLS"
	exit 77
}
perl -MAuthen::SASL -e1 2>/dev/null || {
	echo "SKIP: swaks needs libauthen-sasl-perl for CRAM-MD5"
	exit 77
}
T0=$SECONDS
smtp_init
PKI=$SMTP_PKI
PW='S3cret!'
A=(--auth "plain,login,cram-md5" --user testuser --password "$PW")

# check DESC ERE CMD... : CMD's stdout+stderr matches ERE.  The clients
# below run under `timeout 10`.
OUT=$SMTP_TMP/out
check() {
	local desc=$1 re=$2
	shift 2
	"$@" >"$OUT" 2>&1 </dev/null
	if grep -Eq -- "$re" "$OUT"; then
		pass "$desc"
	else
		fail "$desc (no /$re/ in the output of: $*)"
		sed 's/^/  | /' "$OUT" | tail -n 15
	fi
}
check_not() {
	local desc=$1 re=$2
	shift 2
	"$@" >"$OUT" 2>&1 </dev/null
	if ! grep -Eq -- "$re" "$OUT"; then
		pass "$desc"
	else
		fail "$desc (/$re/ in the output of: $*)"
		grep -E -- "$re" "$OUT" | sed 's/^/  | /' | head -n 5
	fi
}

sw() { # sw NAME ARGS... : swaks to server NAME
	local n=$1
	shift
	timeout 10 swaks --server "127.0.0.1:${SMTP_PORT[$n]}" --from alice@client.test \
		--to bob@mail.test --timeout 5 "$@"
}
V=(--tls-verify --tls-ca-path "$PKI/ca.crt")
AUTHU=(--auth-user testuser --auth-password "$PW")
PYC=(timeout 10 "$SMTP_PY" -c)
sc() { # sc NAME ARGS... : openssl s_client to server NAME
	local n=$1
	shift
	timeout 10 openssl s_client -connect "127.0.0.1:${SMTP_PORT[$n]}" -brief "$@"
}

# --- start every peer at once (each is one process on its own port) -------
S=(
	"st|${A[*]}"
	"req|--require-tls --auth-require ${A[*]}"
	"smtps|--mode smtps ${A[*]}"
	"plain|--mode plain ${A[*]}"
	"nostls|--no-starttls ${A[*]}"
	"refuse|--refuse-starttls"
	"inject|--pipeline-after-starttls"
	"ccreq|--mode smtps --client-cert required"
	"ccopt|--client-cert optional --auth-require --cert-auth --auth external,plain --user testuser --password $PW"
	"tls13|--tls-min 1.3"
	"tls10|--tls-min 1.0 --tls-max 1.0"
	"oldc|--tls-max 1.2 --ciphers CAMELLIA128-SHA"
	"wrongname|--cert $PKI/server-wrongname.crt"
	"untrusted|--cert $PKI/server-untrusted.crt"
	"expired|--cert $PKI/server-expired.crt"
	"notyet|--cert $PKI/server-notyet.crt"
	"chain|--cert $PKI/server-chain.crt"
	"rej-ehlo|--reject ehlo 502"
	"rej-auth|--reject auth 454 ${A[*]}"
	"rej-mail|--reject mail 550"
	"rej-rcpt|--reject rcpt 451"
	"rej-data|--reject data 554"
	"rej-body|--reject body 552"
	"rej-421|--reject rcpt 421"
	"g421|--greeting 421"
	"g554|--greeting 554"
	"gdelay|--greeting-delay 1"
	"silent|--banner-only"
	"tlsplain|--tls-on-plain-port"
	"size|--size 1000"
	"noext|--no-ext PIPELINING --no-ext SMTPUTF8 --ext DSN"
	"unsupp|--mode plain --auth ntlm,gssapi,xoauth2"
)
for stage in greeting ehlo starttls handshake auth mail rcpt data body quit; do
	S+=("drop-$stage|--disconnect $stage --auth plain --user testuser --password $PW")
done
for s in "${S[@]}"; do
	# shellcheck disable=SC2086  # the flags are words on purpose
	launch_server "${s%%|*}" ${s#*|}
done
# A multi-line reply: the words must reach the client intact.
launch_server rej-multi --reject rcpt '550-5.7.1 first line\n550 5.7.1 <bob@mail.test>: second line'
up=0
for s in "${S[@]}" "rej-multi|"; do wait_server "${s%%|*}" && up=$((up + 1)); done
n=$((${#S[@]} + 1))
if [ "$up" = "$n" ]; then pass "$n peers up in $((SECONDS - T0)) s"; else fail "only $up of $n peers started"; fi
check "READY line is the only stdout" "^READY [0-9]+$" cat "$SMTP_TMP/st.out"
[ "$(wc -l <"$SMTP_TMP/st.out")" = 1 ] || fail "st printed more than one line on stdout"

echo "== STARTTLS, SMTPS, AUTH"
check "EHLO offers STARTTLS" '250-STARTTLS' sw st --quit-after EHLO
check_not "no AUTH before STARTTLS" 'AUTH ' sw st --quit-after EHLO
check "AUTH offered after STARTTLS" '250-AUTH CRAM-MD5 LOGIN PLAIN' sw st --tls "${V[@]}" --quit-after EHLO
check "EHLO offers PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES" \
	'250-SIZE 10485760.*250-8BITMIME.*250-SMTPUTF8.*250-PIPELINING.*250 ENHANCEDSTATUSCODES' \
	bash -c "swaks --server 127.0.0.1:${SMTP_PORT[st]} --quit-after EHLO --timeout 5 | tr '\n' ' '"
check "no client cert asked when not configured" 'queued as' sw st --tls "${V[@]}"
for m in PLAIN LOGIN CRAM-MD5; do
	check "STARTTLS + AUTH $m" '235 2.7.0 Authentication successful' sw st --tls "${V[@]}" --auth "$m" "${AUTHU[@]}"
done
check "wrong password -> 535" '535 5.7.8' sw st --tls "${V[@]}" --auth PLAIN --auth-user testuser --auth-password nope
check "wrong user -> 535" '535 5.7.8' sw st --tls "${V[@]}" --auth LOGIN --auth-user bob --auth-password "$PW"
expect_spool_count st 4 "four messages spooled"
expect_env st auth testuser "spool records the AUTH user"
expect_env st tls TLSv1.3 "spool records the TLS version"
expect_env st auth_mech CRAM-MD5 "spool records the AUTH mechanism"
expect_env st from alice@client.test "spool records MAIL FROM"
expect_transcript st '^[0-9]+ tls auth CRAM-MD5 user=testuser ok' "transcript records AUTH"
expect_transcript st '^[0-9]+ tls C: AUTH PLAIN \*\*\*\*$' "AUTH PLAIN initial response masked"
check "unknown@ recipient -> 550 5.1.1" '550 5.1.1' sw st --to unknown@mail.test
check "require-tls: 530 before STARTTLS" '530 Must issue a STARTTLS command first' sw req
check "auth-require: 530 without AUTH" '530 5.7.0 Authentication required' sw req --tls "${V[@]}"
check "auth-require: AUTH then queued" 'queued as' sw req --tls "${V[@]}" --auth PLAIN "${AUTHU[@]}"
check "smtps: TLS from the first byte, TLS 1.3" 'Protocol version: TLSv1.3' sc smtps -CAfile "$PKI/ca.crt" -verify_return_error
check "smtps: AUTH offered and works" 'queued as' sw smtps --tls-on-connect "${V[@]}" --auth LOGIN "${AUTHU[@]}"
check "smtps: certificate name mail.test verifies" 'Verification: OK' \
	sc smtps -CAfile "$PKI/ca.crt" -verify_hostname mail.test -verify_return_error
check "plain: no STARTTLS offered" '250-AUTH' sw plain --quit-after EHLO
check_not "plain: STARTTLS absent" 'STARTTLS' sw plain --quit-after EHLO
check "plain: STARTTLS anyway -> 502" "502, b'5.5.1" "${PYC[@]}" "
import smtplib
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[plain]}, timeout=5); s.ehlo()
print(s.docmd('STARTTLS'))"
check "plain: AUTH in clear text accepted" '235 2.7.0' sw plain --auth PLAIN "${AUTHU[@]}"
expect_transcript plain 'plain warn AUTH in clear text' "plain: clear-text AUTH flagged in the transcript"
check "size: SIZE 1000 advertised" '250-SIZE 1000' sw size --quit-after EHLO
check "size: MAIL SIZE= over the limit -> 552" "^\(552, " "${PYC[@]}" "
import smtplib
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[size]}, timeout=5); s.ehlo()
print(s.mail('a@client.test', ['SIZE=3000']))"
check "size: oversize body -> 552" "^\(552, b'Error: Too much mail data'" "${PYC[@]}" "
import smtplib
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[size]}, timeout=5); s.ehlo()
s.mail('a@client.test'); s.rcpt('b@mail.test'); print(s.data((b'x' * 70 + b'\r\n') * 40))"
check "noext: no PIPELINING/SMTPUTF8, extra DSN" "250[- ]DSN" sw noext --quit-after EHLO
check_not "noext: PIPELINING dropped" 'PIPELINING|SMTPUTF8' sw noext --quit-after EHLO
check "unsupported-only AUTH advertised" '250-AUTH GSSAPI NTLM XOAUTH2' sw unsupp --quit-after EHLO
check "unsupported-only: swaks finds nothing to use" 'requested type not available|not supported' \
	sw unsupp --auth PLAIN "${AUTHU[@]}"
check "pipelined client seen as C+" 'queued as' sw st --pipeline
expect_transcript st 'C\+: MAIL FROM' "transcript marks pipelined commands"

echo "== STARTTLS faults"
check_not "no-starttls: EHLO without STARTTLS" 'STARTTLS' sw nostls --quit-after EHLO
check "no-starttls: --tls client stops" 'did not advertise STARTTLS|STARTTLS not advertised|not advertise' sw nostls --tls
check "refuse-starttls: advertised" '250-STARTTLS' sw refuse --quit-after EHLO
check "refuse-starttls: 454" '454 4.7.0' sw refuse --tls
# Read the reply to STARTTLS as a naive client would, with one recv().
check "pipeline-after-starttls: bytes right behind the 220" \
	"^b'220 Ready to start TLS.r.n250-injected.test.r.n250 AUTH PLAIN LOGIN.r.n'$" "${PYC[@]}" "
import socket, time
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[inject]}), 5)
f = s.makefile('rb')
f.readline(); s.sendall(b'EHLO c\r\n')
while not f.readline().startswith(b'250 '): pass
s.sendall(b'STARTTLS\r\n'); time.sleep(0.3)
print(s.recv(4096))"
expect_transcript inject 'injected after 220' "pipeline-after-starttls noted in the transcript"

echo "== client certificates"
check "required, TLS 1.2, no cert -> handshake failure alert" 'alert handshake failure' sc ccreq -tls1_2 -CAfile "$PKI/ca.crt"
check "required, TLS 1.3, no cert -> certificate required at first read" 'CERTIFICATE_REQUIRED|certificate required' "${PYC[@]}" "
import smtplib, ssl
c = ssl.create_default_context(cafile='$PKI/ca.crt')
smtplib.SMTP_SSL('127.0.0.1', ${SMTP_PORT[ccreq]}, context=c, timeout=5)"
check "required, untrusted client cert -> unknown ca" 'alert unknown ca' \
	sc ccreq -tls1_2 -CAfile "$PKI/ca.crt" -cert "$PKI/client-untrusted.crt" -key "$PKI/client-untrusted.key"
check "required, good cert -> 220" '220 mail.test' \
	sw ccreq --tls-on-connect "${V[@]}" --tls-cert "$PKI/client.crt" --tls-key "$PKI/client.key" --quit-after EHLO
expect_transcript ccreq 'handshake TLSv1.3 .* cert=organizationName=appsh test,commonName=testuser' "client cert subject in the transcript"
expect_transcript ccreq 'tls-failed' "failed handshakes noted in the transcript"
check "optional: no cert, no AUTH -> 530" '530 5.7.0' sw ccopt --tls "${V[@]}"
check "optional: cert counts as auth (--cert-auth)" 'queued as' \
	sw ccopt --tls "${V[@]}" --tls-cert "$PKI/client.crt" --tls-key "$PKI/client.key"
expect_env ccopt client_cert 'organizationName=appsh test,commonName=testuser,emailAddress=testuser@mail.test' "spool records the client cert"
check "optional: AUTH EXTERNAL with a cert -> 235" "^\(235, b'2.7.0 Authentication successful'\)" "${PYC[@]}" "
import smtplib, ssl
c = ssl.create_default_context(cafile='$PKI/ca.crt')
c.load_cert_chain('$PKI/client.crt', '$PKI/client.key')
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[ccopt]}, timeout=5); s.starttls(context=c); s.ehlo()
assert 'EXTERNAL' in s.esmtp_features['auth']
print(s.docmd('AUTH', 'EXTERNAL ='))"
check "optional: AUTH EXTERNAL without a cert -> 535" "^\(535," "${PYC[@]}" "
import smtplib, ssl
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[ccopt]}, timeout=5)
s.starttls(context=ssl.create_default_context(cafile='$PKI/ca.crt')); s.ehlo()
print(s.docmd('AUTH', 'EXTERNAL ='))"

echo "== TLS versions, ciphers, server certificates"
check "TLS1.3-only vs client max 1.2 -> protocol version alert" 'alert protocol version' sc tls13 -starttls smtp -tls1_2
check "TLS1.3-only vs default client -> TLSv1.3" 'Protocol version: TLSv1.3' sc tls13 -starttls smtp
check "TLS1.0-only vs client min 1.2 -> refused" 'alert protocol version|unsupported protocol|no protocols available' \
	sc tls10 -starttls smtp -min_protocol TLSv1.2
check "TLS1.0-only vs Python default (min 1.2) -> refused" 'UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|unsupported protocol' "${PYC[@]}" "
import smtplib, ssl
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[tls10]}, timeout=5)
c = ssl.create_default_context(cafile='$PKI/ca.crt'); c.minimum_version = ssl.TLSVersion.TLSv1_2
s.starttls(context=c)"
check "TLS1.0-only vs a TLS1.0 client -> TLSv1" 'Protocol version: TLSv1$' \
	sc tls10 -starttls smtp -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
check "old-cipher-only vs default client -> handshake failure" 'alert handshake failure|no shared cipher' sc oldc -starttls smtp
check "old-cipher-only vs CAMELLIA client -> connects" 'Ciphersuite: CAMELLIA128-SHA' \
	sc oldc -starttls smtp -cipher 'CAMELLIA128-SHA:@SECLEVEL=0'
check "wrong name -> hostname mismatch" 'hostname mismatch' \
	sc wrongname -starttls smtp -CAfile "$PKI/ca.crt" -verify_hostname mail.test -verify_return_error
check "untrusted CA -> verify failed" 'unable to get local issuer certificate|self-signed|verify error' \
	sc untrusted -starttls smtp -CAfile "$PKI/ca.crt" -verify_return_error
check "expired -> certificate has expired" 'certificate has expired' \
	sc expired -starttls smtp -CAfile "$PKI/ca.crt" -verify_return_error
check "not yet valid -> certificate is not yet valid" 'certificate is not yet valid' \
	sc notyet -starttls smtp -CAfile "$PKI/ca.crt" -verify_return_error
check "intermediate chain sent by the server verifies" 'Verification: OK' \
	sc chain -starttls smtp -CAfile "$PKI/ca.crt" -verify_hostname mail.test -verify_return_error
check "swaks: untrusted CA -> TLS failure" 'certificate verify failed|TLS startup failed|STARTTLS.*failed' \
	sw untrusted --tls "${V[@]}" --quit-after EHLO

echo "== rejections"
check "EHLO 502 -> HELO fallback works" '250 mail.test' sw rej-ehlo --quit-after HELO
expect_transcript rej-ehlo 'C: HELO ' "client fell back to HELO"
check "AUTH 454" '454 4.7.0' sw rej-auth --tls "${V[@]}" --auth PLAIN "${AUTHU[@]}"
check "MAIL 550" '550 5.7.1 <alice@client.test>: Sender address rejected' sw rej-mail
check "RCPT 451" '451 4.3.0' sw rej-rcpt
check "DATA 554" '554 5.5.1' sw rej-data
check "end of data 552" '552 5.7.1 Message content rejected' sw rej-body
expect_spool_count rej-body 0 "rejected body not spooled"
check "RCPT 421 then the server closes" '421 4.3.2' sw rej-421
expect_transcript rej-421 'S: 421 .*' "421 sent"
expect_no_transcript rej-421 'C: DATA' "nothing accepted after 421"
check "multi-line reply reaches the client" '550-5.7.1 first line.*550 5.7.1 <bob@mail.test>: second line' \
	bash -c "swaks --server 127.0.0.1:${SMTP_PORT[rej-multi]} --to bob@mail.test --timeout 5 2>&1 | tr '\n' ' '"

echo "== greeting faults and mode mismatches"
check "greeting 421" '421 4.3.2 mail.test Service not available' sw g421
check "greeting 554, then only QUIT" '503 5.5.1' "${PYC[@]}" "
import socket
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[g554]}), 5); f = s.makefile('rb')
print(f.readline()); s.sendall(b'EHLO c\r\n'); print(f.readline())"
check "greeting delayed 1 s: nothing at 0.5 s" "^nothing$" "${PYC[@]}" "
import socket
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[gdelay]}), 5); s.settimeout(0.5)
try: print(s.recv(100))
except socket.timeout: print('nothing')"
check "greeting delayed: 220 arrives later" "^b'220 mail.test" "${PYC[@]}" "
import socket
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[gdelay]}), 5); print(s.recv(100))"
check "banner-only: silence for 0.5 s, connection kept open" "^silent$" "${PYC[@]}" "
import socket
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[silent]}), 5); s.settimeout(0.5)
try: print(s.recv(100) or 'closed')
except socket.timeout: print('silent')"
check "TLS on a 'plain' port: a plain client gets no banner" "^silent$" "${PYC[@]}" "
import socket
s = socket.create_connection(('127.0.0.1', ${SMTP_PORT[tlsplain]}), 5); s.settimeout(0.5)
try: print(s.recv(100) or 'closed')
except socket.timeout: print('silent')"
check "TLS on a 'plain' port: a TLS client is served" 'Verification: OK' sc tlsplain -CAfile "$PKI/ca.crt" -verify_return_error
check "plain server, TLS client -> not a TLS record" 'wrong version number|packet length too long|record layer failure' sc plain

echo "== disconnects (no reply, connection closed)"
declare -A DROP_ARGS=(
	[greeting]="" [ehlo]="" [starttls]="--tls" [handshake]="--tls"
	[auth]="--tls --auth PLAIN --auth-user testuser --auth-password $PW"
	[mail]="" [rcpt]="" [data]="" [body]="" [quit]=""
)
# the last line swaks sent before the connection went away
declare -A DROP_LAST=(
	[greeting]='Connected to' [ehlo]='-> EHLO' [starttls]='-> STARTTLS'
	[handshake]='<-  220 Ready to start TLS' [auth]='~> AUTH PLAIN' [mail]='-> MAIL FROM'
	[rcpt]='-> RCPT TO' [data]='-> DATA' [body]='-> \.$' [quit]='-> QUIT'
)
for stage in greeting ehlo starttls handshake auth mail rcpt data body quit; do
	# shellcheck disable=SC2086
	sw "drop-$stage" ${DROP_ARGS[$stage]} "${V[@]}" >"$OUT" 2>&1
	# After the client's last line: no reply at all (swaks then reports the
	# close, or dies of SIGPIPE writing its next command).
	after=$(awk -v re="${DROP_LAST[$stage]}" 'seen && /^ *<[-~*]/ { print } $0 ~ re { seen = 1 }
		END { if (!seen) print "never reached: " re }' "$OUT")
	if [ -z "$after" ]; then
		pass "disconnect at $stage: no reply after '${DROP_LAST[$stage]}'"
	else
		fail "disconnect at $stage: $after"
		sed 's/^/  | /' "$OUT" | tail -n 8
	fi
	expect_transcript "drop-$stage" "drop $stage" "drop-$stage noted in the transcript"
done
expect_spool_count drop-body 0 "disconnect at body: nothing spooled"

echo "== spool fidelity and secrets"
check "dot-stuffed lines arrive unstuffed" '^ok$' "${PYC[@]}" "
import smtplib, glob, os
body = b'Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n'
s = smtplib.SMTP('127.0.0.1', ${SMTP_PORT[plain]}, timeout=5)
s.sendmail('a@client.test', ['x@mail.test', 'y@mail.test'], body); s.quit()
f = max(glob.glob('$(spool_dir plain)/*.eml'), key=os.path.getmtime)
print('ok' if open(f, 'rb').read() == body else open(f, 'rb').read())"
expect_env plain to 'x@mail.test,y@mail.test' "spool records every recipient"
b64pw=$(printf '%s' "$PW" | base64)
b64plain=$(printf '\0testuser\0%s' "$PW" | base64)
leaks=$(grep -rlF -e "$PW" -e "$b64pw" -e "$b64plain" "$SMTP_TMP" --exclude=out 2>/dev/null | grep -v '\.eml$')
if [ -z "$leaks" ]; then pass "password (plain or base64) in no log or transcript"; else fail "password leaked into: $leaks"; fi

echo "== Postfix smtp-sink: load and scripted faults"
if [ -x "$SMTP_SINK" ] && command -v smtp-source >/dev/null; then
	start_sink sink
	t=$EPOCHREALTIME
	smtp-source -d -m 1000 -l 1024 -f alice@client.test -t bob@mail.test "127.0.0.1:${SMTP_PORT[sink]}"
	ms=$(((${EPOCHREALTIME/./} - ${t/./}) / 1000))
	for ((i = 0; i < 1000; i++)); do # a deadline of 20 s, not a measure
		[ "$(sink_counters sink)" = "sess=1 quit=1 mesg=1000" ] && break
		smtp_sleep 0.02
	done
	check "smtp-sink: 1000 messages over one connection counted ($ms ms)" \
		'^sess=1 quit=1 mesg=1000$' sink_counters sink
	start_sink sink-rcpt5 -f RCPT
	check "smtp-sink -f RCPT: 5xx" '<\*\* 500 5.3.0 Error: command failed' sw sink-rcpt5
	start_sink sink-relay -B '550 5.7.1 Relay access denied' -f RCPT
	check "smtp-sink -B/-f: own 5xx text" '550 5.7.1 Relay access denied' sw sink-relay
	start_sink sink-mail4 -r MAIL
	check "smtp-sink -r MAIL: 4xx" '<\*\* 450 4.3.0' sw sink-mail4
	start_sink sink-drop -q DATA
	check "smtp-sink -q DATA: disconnect" '-> DATA.*Remote host closed connection' \
		bash -c "swaks --server 127.0.0.1:${SMTP_PORT[sink-drop]} --to b@mail.test --timeout 5 2>&1 | tr '\n' ' '"
	start_sink sink-421 -Q RCPT
	check "smtp-sink -Q RCPT: 421 and close" '421 4.0.0 Server closing connection' sw sink-421
else
	echo "SKIP smtp-sink checks: postfix (smtp-sink, smtp-source) not installed"
fi

echo "== IPv6"
if "$SMTP_PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	start_server v6 --mode plain --host 127.0.0.1 --host ::1
	check "one port on 127.0.0.1 and ::1" '^250 250$' "${PYC[@]}" "
import smtplib
print(*(smtplib.SMTP(h, ${SMTP_PORT[v6]}, timeout=5).ehlo()[0] for h in ('127.0.0.1', '::1')))"
else
	echo "SKIP IPv6 check: ::1 not available"
fi

echo "== stop"
pid=${SMTP_PID[st]}
# SIGTERM alone must end it: poll (a 20 s deadline, not a measure) before
# stop_server would fall back to SIGKILL.
kill "$pid" 2>/dev/null
for ((i = 0; i < 1000; i++)); do kill -0 "$pid" 2>/dev/null || break; smtp_sleep 0.02; done
if ! kill -0 "$pid" 2>/dev/null; then pass "SIGTERM stops a server"; else fail "server $pid did not stop on SIGTERM"; fi
stop_server st
p=$(free_port)
check "free_port: connection refused there" 'refused' "${PYC[@]}" "
import socket
try: socket.create_connection(('127.0.0.1', $p), 2)
except OSError as e: print(e)"

stop_all
echo "peers self-test took $((SECONDS - T0)) s"
summary
