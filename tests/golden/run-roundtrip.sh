#!/bin/bash
# Round trip: `show` and `show full-configuration` fed to a fresh state dir
# that has a copy of the same secret.key reproduce the configuration byte
# for byte (secrets included, as ENC lines); a state dir with a different
# key refuses the ENC lines; no file of any state dir ever holds a
# password in clear, not even the WAL while a session is open.
#
# Usage: run-roundtrip.sh path/to/appsh
set -u
APPSH=${1:?usage: run-roundtrip.sh path/to/appsh}
WORK=$(mktemp -d)
bgpid=
cleanup() {
	[ -n "$bgpid" ] && kill "$bgpid" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
export LC_ALL=C

pass=0 fail=0
check() { # name, then a command that succeeds when the check passes
	local name=$1
	shift
	if "$@"; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		fail=$((fail + 1))
	fi
}
run() { # state dir, then appsh arguments; stdin is the script
	local dir=$1
	shift
	"$APPSH" --state-dir "$dir" "$@"
}
absent() { # text, files/dirs: true when no file holds text
	! grep -r -q -a -F -- "$@"
}
fresh_with_key() { # new state dir holding a copy of $1's secret.key
	local d
	d=$(mktemp -d "$WORK/dir.XXXX")
	cp "$1/secret.key" "$d/secret.key"
	chmod 600 "$d/secret.key"
	echo "$d"
}

# The secrets, as stored (the script below quotes and escapes them).
PW1='S3cr3t-Alpha-91'
PW2='p@ss "quoted" \ back'
PW3="it's got spaces"
PW4='pässwörd-ünïcode'
PW5='x63-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaEND'
PASSWORDS=("$PW1" "$PW2" "$PW3" "$PW4" "$PW5")

SRC=$WORK/src
mkdir "$SRC"
cat >"$WORK/build.cmd" <<'CMDS'
config system global
set hostname fw-roundtrip
set timezone 28
set console-output more
set global-ssl-protocol tlsv1.3
end
config system certificate local
edit Fortinet_Local
set certificate "-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUes+u8tS9DkofWRry3xaej/zoygUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwORm9ydGluZXRfTG9jYWwwIBcNMjYxMTI5MTkyNDUwWhgPMjEy
NjExMDUxOTI0NTBaMBkxFzAVBgNVBAMMDkZvcnRpbmV0X0xvY2FsMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEGbS2N/IqpqvHujaam1eXo4LH686fvYqkHiE17oo3
/Y9ziCBeB08YHpV+YkeFbAbkbeZZQ2bVo1oV3wDGGpjbuqNTMFEwHQYDVR0OBBYE
FOQVgFqmtpM8+uDAZI+kVqlARpkmMB8GA1UdIwQYMBaAFOQVgFqmtpM8+uDAZI+k
VqlARpkmMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgFt0yj4Td
BZ5csnS8rMHDKbTh/MylMpk1tVnh00ZAnmQCIQCdlhaoV/C9fX+ZFenwrKFbJsNd
dtuZ+1T/j5mRqxmZ4Q==
-----END CERTIFICATE-----
"
set private-key "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7McJK6+PUP28giIF
U5wFQSIgYZ3/np+uo3FZXAxAIL6hRANCAAQZtLY38iqmq8e6NpqbV5ejgsfrzp+9
iqQeITXuijf9j3OIIF4HTxgelX5iR4VsBuRt5llDZtWjWhXfAMYamNu6
-----END PRIVATE KEY-----
"
set comment "pasted PEM, spanning lines"
end
config system certificate ca
edit private-ca
set ca "-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUes+u8tS9DkofWRry3xaej/zoygUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwORm9ydGluZXRfTG9jYWwwIBcNMjYxMTI5MTkyNDUwWhgPMjEy
NjExMDUxOTI0NTBaMBkxFzAVBgNVBAMMDkZvcnRpbmV0X0xvY2FsMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEGbS2N/IqpqvHujaam1eXo4LH686fvYqkHiE17oo3
/Y9ziCBeB08YHpV+YkeFbAbkbeZZQ2bVo1oV3wDGGpjbuqNTMFEwHQYDVR0OBBYE
FOQVgFqmtpM8+uDAZI+kVqlARpkmMB8GA1UdIwQYMBaAFOQVgFqmtpM8+uDAZI+k
VqlARpkmMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgFt0yj4Td
BZ5csnS8rMHDKbTh/MylMpk1tVnh00ZAnmQCIQCdlhaoV/C9fX+ZFenwrKFbJsNd
dtuZ+1T/j5mRqxmZ4Q==
-----END CERTIFICATE-----
"
end
config system dns
set primary 192.0.2.53
set secondary 198.51.100.53
set ip6-primary 2001:db8::53
end
config system mail
edit 1
set server smtp.example.com
set port 587
set auth enable
set user alerts@example.com
set passwd S3cr3t-Alpha-91
set secure-option starttls
set ssl-protocol tlsv1.2
set from alerts@example.com
next
edit "second entry"
set server 192.0.2.25
set user 'user with "quotes" and \ backslash'
set passwd "p@ss \"quoted\" \\ back"
next
edit 'q"key\\'
set passwd 'it\'s got spaces'
set user caf\ é
next
edit unicode
set passwd pässwörd-ünïcode
set server mail.example.org
set port 465
set secure-option smtps
next
edit cert
set auth-type certificate
set local-cert Fortinet_Local
set server 2001:db8::25
next
edit long
set passwd x63-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaEND
next
end
CMDS
run "$SRC" <"$WORK/build.cmd" >"$WORK/build.out" 2>&1
check "build: the configuration script runs cleanly" test $? = 0 -a ! -s "$WORK/build.out"

# No text attribute accepts a newline, so a quoted value over two lines is
# refused (and nothing of it is stored).
printf 'config system mail\nedit 1\nset user "two\nlines"\nend\n' | run "$SRC" >"$WORK/ml.out" 2>"$WORK/ml.err"
rc=$?
check "multi-line value: refused with exit 1" test $rc = 1
check "multi-line value: the error names the newline" \
	grep -q "line 3: user: control character 0x0a is not allowed in a value" "$WORK/ml.err"

run "$SRC" -c show >"$WORK/show.txt"
run "$SRC" -c 'show full-configuration' >"$WORK/full.txt"
# Six mail entries, one local certificate, one CA, the four built-in admin
# profiles and the admin account.
check "show: prints every entry" test "$(grep -c '^    edit ' "$WORK/show.txt")" = 13
check "show: prints the five passwords as ENC" test "$(grep -c 'set passwd ENC ' "$WORK/show.txt")" = 5

for what in show full; do
	dst=$(fresh_with_key "$SRC")
	run "$dst" <"$WORK/$what.txt" >"$WORK/$what.imp.out" 2>&1
	check "$what -> same key: imports cleanly" test $? = 0 -a ! -s "$WORK/$what.imp.out"
	run "$dst" -c show >"$WORK/$what.show2"
	check "$what -> same key: show is byte-identical" cmp -s "$WORK/show.txt" "$WORK/$what.show2"
	run "$dst" -c 'show full-configuration' >"$WORK/$what.full2"
	check "$what -> same key: show full-configuration is byte-identical" \
		cmp -s "$WORK/full.txt" "$WORK/$what.full2"
done

# Importing the same show again into the source changes nothing.
run "$SRC" <"$WORK/show.txt" >/dev/null 2>&1
run "$SRC" -c show >"$WORK/show.again"
check "show -> the same store again: unchanged" cmp -s "$WORK/show.txt" "$WORK/show.again"

# A different key: each ENC line is refused with a clear error, exit 1.
# That installation's own built-in Fortinet_Local goes first: the shown
# certificate would not match its key (a refused commit, as for any local
# certificate whose key cannot be read), and the restore replaces it.
other=$(mktemp -d "$WORK/other.XXXX")
run "$other" -c 'config system certificate local
delete Fortinet_Local
end' >/dev/null
run "$other" <"$WORK/show.txt" >"$WORK/other.out" 2>"$WORK/other.err"
rc=$?
check "different key: exit 1" test $rc = 1
check "different key: one clear error per ENC line" test "$(grep -c \
	"the encrypted value does not decrypt with this installation's key" "$WORK/other.err")" = \
	"$(grep -c ' ENC ' "$WORK/show.txt")"
check "different key: no password stored" test "$(run "$other" -c show | grep -c 'set passwd')" = 0

# Plaintext never on disk: not in any file of any state dir (database, WAL,
# key, history), and not in what show prints.
for i in "${!PASSWORDS[@]}"; do
	check "password $((i + 1)): not in show output" \
		absent "${PASSWORDS[$i]}" "$WORK/show.txt" "$WORK/full.txt"
	check "password $((i + 1)): in no file of any state dir" \
		absent "${PASSWORDS[$i]}" "$SRC" "$WORK"/dir.* "$WORK"/other.*
done

# The WAL while a session is still open: commit a password, wait until the
# shell has answered a later command (the commit is then flushed), look at
# every file of the state dir, then end the session.
LIVE=$WORK/live
mkdir "$LIVE"
mkfifo "$WORK/fifo"
run "$LIVE" <"$WORK/fifo" >"$WORK/live.out" 2>&1 &
bgpid=$!
exec 3>"$WORK/fifo"
printf 'config system mail\nedit w\nset passwd Wal-Plain-7731\nnext\nend\nget system mail w\n' >&3
for _ in $(seq 100); do
	grep -q '^passwd' "$WORK/live.out" && break
	sleep 0.05
done
check "open session: the commit is done" grep -q '^passwd *: \*$' "$WORK/live.out"
check "open session: the WAL file exists" test -s "$LIVE/config.db-wal"
check "open session: no file of the state dir holds the password" \
	absent Wal-Plain-7731 "$LIVE"
exec 3>&-
wait "$bgpid"
rc=$?
bgpid=
check "open session: ends cleanly" test $rc = 0
check "closed session: no file of the state dir holds the password" \
	absent Wal-Plain-7731 "$LIVE"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
