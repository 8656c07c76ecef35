#!/bin/bash
# run-backup.sh - execute backup / restore all-settings (cmds/backup.c):
#   - backup then restore into a fresh state directory reproduces
#     `show full-configuration` byte for byte (the same key), and with a
#     crptpasswd across two different keys (the secrets themselves checked
#     by decrypting the sealed files here, in Python, from the documented
#     format);
#   - a plain backup restored under another key names each secret it could
#     not restore;
#   - a truncated, altered, wrong-password, missing-password, newer-version,
#     foreign or unreadable file changes nothing and says why;
#   - kill -9 during a restore leaves the old or the new configuration;
#   - sftp and scp against a real OpenSSH server, run as a test account
#     (host key accepted as new once, a changed key refused, a wrong
#     password refused);
#   - permissions, and the local file form for the root console only.
# usage: run-backup.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-backup.sh path/to/appsh}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (an account, sshd)"; exit 77; }
PY=/usr/bin/python3
$PY -c 'import cryptography' 2>/dev/null || { echo "SKIP: python3-cryptography not installed"; exit 77; }
for t in /usr/sbin/sshd ssh-keygen useradd setpriv sqlite3; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
unset APPSH_STATE_DIR
T=$(mktemp -d)
chmod 755 "$T"
U=apbk$$
made_user=0 made_run_sshd=0 sshd_pid=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	[ $made_user = 1 ] && { pkill -KILL -u "$U" 2>/dev/null; userdel "$U" 2>/dev/null; }
	[ $made_run_sshd = 1 ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0
check() {
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS: $name"
	else fail=$((fail + 1)); echo "FAIL: $name"; sed 's/^/    | /' "$T/out" "$T/err" 2>/dev/null | head -20; fi
}
run() { # STATEDIR COMMANDS...
	local s=$1; shift
	"$APPSH" --state-dir "$s" -c "$*" >"$T/out" 2>"$T/err"
}
has() { grep -qF -- "$1" "$T/out"; }
errhas() { grep -qF -- "$1" "$T/err"; }
full() { "$APPSH" --state-dir "$1" -c 'show full-configuration'; }
noenc() { sed -E 's/(ENC ).*/\1@/'; }
revs() { sqlite3 "$1/config.db" 'SELECT count(*) FROM revision'; }

# ---- a configuration with every kind of value ---------------------------------
A=$T/a
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=appsh-backup-test \
	-keyout "$T/c.key" -out "$T/c.crt" 2>/dev/null
run "$A" "config system mail
edit 1
set server smtp.example.com
set port 587
set auth enable
set user alerts@example.com
set passwd 'S3cr\"et one'
set secure-option starttls
next
edit relay
set server 192.0.2.25
end
config system dns
set primary 192.0.2.53
end
config system global
set hostname fw-backup
set timezone 04
end
config system admin user
edit ops
set profileid Standard_User
set trusthost1 10.0.0.0/8
end
execute certificate local import client1 $T/c.crt $T/c.key"
check "set-up: the configuration" test $? = 0

# ---- the local file form, the same key: byte for byte -----------------------
run "$A" "execute backup all-settings file $T/plain.conf"
check "backup to a file" has "Backed up all settings to file $T/plain.conf"
check "the file is the appliance's form" bash -c "head -1 '$T/plain.conf' | grep -q '^#config-version=APPSH-' && grep -q '^#checksum=sha256:' '$T/plain.conf'"
check "the file holds secrets only as ENC" bash -c "! grep -q 'S3cr' '$T/plain.conf' && grep -q 'set passwd ENC' '$T/plain.conf'"
check "the file is 0600" test "$(stat -c %a "$T/plain.conf")" = 600
B=$T/b
mkdir -m 700 "$B" && cp "$A/secret.key" "$B/"
run "$B" "execute restore all-settings file $T/plain.conf"
check "restore into a fresh state directory" has "Restored all settings from file $T/plain.conf as revision 1"
full "$A" >"$T/fa"; full "$B" >"$T/fb"
check "same key: show full-configuration byte for byte" cmp "$T/fa" "$T/fb"
run "$B" "execute revision list"
check "the restore is one revision, named as such" bash -c "test \$(grep -c '^[0-9]' '$T/out') = 1 && grep -q 'restore .*\[restore from file' '$T/out'"
run "$B" "execute revision revert 0"
run "$B" "show system mail"
check "the restore can be reverted" bash -c "! grep -q edit '$T/out'"

# ---- with a crptpasswd, across two keys ------------------------------------------
run "$A" "execute backup all-settings file $T/sealed.conf Crypt0-pw"
check "a sealed backup" has "(encrypted with the crptpasswd)"
check "the sealed file shows nothing of the configuration" bash -c "! grep -q 'smtp.example.com\|S3cr\|BEGIN' '$T/sealed.conf'"
# The format, read here from its documentation (docs/cli.md): header line,
# then base64 of AES-256-GCM(ciphertext | tag), key scrypt(N, r, p, salt),
# the header line (with its newline) as associated data.
cat >"$T/unseal.py" <<'PY'
import base64, hashlib, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
data = open(sys.argv[1], "rb").read()
head, _, body = data.partition(b"\n")
f = dict(w.split(b"=", 1) for w in head.split()[2:])
key = hashlib.scrypt(sys.argv[2].encode(), salt=base64.b64decode(f[b"salt"]),
                     n=int(f[b"n"]), r=int(f[b"r"]), p=int(f[b"p"]),
                     maxmem=128 << 20, dklen=32)
plain = AESGCM(key).decrypt(base64.b64decode(f[b"nonce"]),
                            base64.b64decode(body.replace(b"\n", b"")), head + b"\n")
sys.stdout.write(plain.decode())
PY
$PY "$T/unseal.py" "$T/sealed.conf" Crypt0-pw >"$T/inner" 2>"$T/err"
check "the sealed file opens with the documented format" grep -q '^#checksum=sha256:' "$T/inner"
printf '        set passwd "S3cr\\"et one"\n' >"$T/want-pw"
check "... and carries the secrets themselves" bash -c "grep -qxFf '$T/want-pw' '$T/inner' && grep -q 'set private-key \"-----BEGIN PRIVATE KEY' '$T/inner'"
C=$T/c
run "$C" "execute restore all-settings file $T/sealed.conf Crypt0-pw"
check "sealed: restored under another key" has "as revision 1"
full "$C" >"$T/fc"
check "another key: the same show full-configuration but for the ciphertexts" cmp <(noenc <"$T/fa") <(noenc <"$T/fc")
check "another key: the ciphertexts differ" bash -c "! cmp -s '$T/fa' '$T/fc'"
run "$C" "execute backup all-settings file $T/sealed-c.conf Other-pw"
$PY "$T/unseal.py" "$T/sealed-c.conf" Other-pw >"$T/inner-c" 2>"$T/err"
check "another key: the secrets decrypt to the same values" cmp <(grep -v '^#config-version' "$T/inner") <(grep -v '^#config-version' "$T/inner-c")

# ---- a plain backup under another key: which secrets did not come -------------
D=$T/d
run "$D" "execute restore all-settings file $T/plain.conf"
check "another key, no crptpasswd: restored" has "as revision 1"
check "... naming the mail password" has 'config system mail, edit "1": passwd'
check "... and the certificate's key" has 'config system certificate local, edit "client1": private-key'
check "... and the built-in certificate's key (each appliance has its own)" has 'config system certificate local, edit "Fortinet_Local": private-key'
check "... and how many" has "These 3 secret(s) were made under another appliance's key"
run "$D" "show system mail 1"
check "... the rest of that entry is there" has 'set user "alerts@example.com"'

# ---- bad files change nothing ------------------------------------------------------
E=$T/e
run "$E" "config system global
set hostname before
end"
full "$E" >"$T/fe"
before_revs=$(revs "$E")
bad() { # NAME FILE EXPECTED-MESSAGE [CRPTPASSWD]
	run "$E" "execute restore all-settings file $2 ${4:-}"
	local rc=$?
	check "$1: refused" test $rc != 0
	check "$1: says why" errhas "$3"
	full "$E" >"$T/now"
	check "$1: nothing changed" cmp -s "$T/fe" "$T/now"
	check "$1: no revision" test "$(revs "$E")" = "$before_revs"
}
size=$(stat -c %s "$T/plain.conf")
for cut in 10 200 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$T/plain.conf" >"$T/cut$cut"
	# Cut inside the header it is not even an appsh backup any more.
	want="truncated or altered"
	[ "$cut" -lt 30 ] && want="not an appsh backup"
	bad "truncated at $cut bytes" "$T/cut$cut" "$want"
done
sed 's/smtp.example.com/smtp.example.net/' "$T/plain.conf" >"$T/altered"
bad "a value altered" "$T/altered" "its checksum does not match"
ssize=$(stat -c %s "$T/sealed.conf")
head -c $((ssize - 40)) "$T/sealed.conf" >"$T/scut"
bad "sealed, truncated" "$T/scut" "is damaged: truncated or altered" Crypt0-pw
$PY - "$T/sealed.conf" "$T/sflip" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"\n") + 100
d[i] = ord("A") if d[i] != ord("A") else ord("B")
open(sys.argv[2], "wb").write(d)
PY
bad "sealed, one byte changed" "$T/sflip" "is damaged: truncated or altered" Crypt0-pw
bad "the wrong crptpasswd" "$T/sealed.conf" "the crptpasswd does not open it" wrong-pw
bad "no crptpasswd for a sealed file" "$T/sealed.conf" "it is encrypted: give its crptpasswd"
# A newer appsh's file, with a correct checksum.
{ sed -n '1,5p' "$T/plain.conf" | sed 's/^#conf_file_ver=.*/#conf_file_ver=99/'; } >"$T/newer.head"
tail -n +6 "$T/plain.conf" >"$T/body"
sed -i "s/^#checksum=sha256:.*/#checksum=sha256:$(sha256sum "$T/body" | cut -d' ' -f1)/" "$T/newer.head"
cat "$T/newer.head" "$T/body" >"$T/newer"
bad "a newer appsh's file" "$T/newer" "made by a newer appsh (configuration version 99"
printf 'config system global\n    set hostname x\nend\n' >"$T/foreign"
bad "not a backup" "$T/foreign" "not an appsh backup"
# A body that does not read (an unknown attribute), checksum made right.
sed -n '1,5p' "$T/plain.conf" >"$T/badline.head"
{ tail -n +6 "$T/plain.conf"; printf 'config system global\n    set no-such-thing 1\nend\n'; } >"$T/body"
sed -i "s/^#checksum=sha256:.*/#checksum=sha256:$(sha256sum "$T/body" | cut -d' ' -f1)/" "$T/badline.head"
cat "$T/badline.head" "$T/body" >"$T/badline"
bad "a line that does not read" "$T/badline" "does not read"
bad "a file that does not exist" "$T/nosuch" "cannot read $T/nosuch"
ln -s "$T/plain.conf" "$T/link"
bad "a symbolic link" "$T/link" "cannot read $T/link"

# ---- kill -9 during a restore: the old configuration or the new ---------------
BIG=$T/big
{ echo "config system mail"; for i in $(seq 2000); do
	printf '    edit "m%d"\n        set server "s%d.example.com"\n        set port %d\n    next\n' "$i" "$i" $((1024 + i))
done; echo end; } | "$APPSH" --state-dir "$BIG" >/dev/null
run "$BIG" "execute backup all-settings file $T/big.conf"
K=$T/k
cp "$BIG/secret.key" "$T/k.key"
full "$BIG" | sha256sum >"$T/new.sum"
seen_old=0 seen_new=0 torn=0
for delay in 0.02 0.05 0.08 0.12 0.16 0.2 0.3 0.5; do
	# A fresh store each time (its own built-in certificate: the old
	# configuration is read anew).
	rm -rf "$K" && mkdir -m 700 "$K" && cp "$T/k.key" "$K/secret.key"
	"$APPSH" --state-dir "$K" -c 'config system global
set hostname old
end' >/dev/null
	full "$K" | sha256sum >"$T/old.sum"
	"$APPSH" --state-dir "$K" -c "execute restore all-settings file $T/big.conf" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	now=$(full "$K" | sha256sum)
	if [ "$now" = "$(cat "$T/old.sum")" ]; then seen_old=$((seen_old + 1))
	elif [ "$now" = "$(cat "$T/new.sum")" ]; then seen_new=$((seen_new + 1))
	else torn=$((torn + 1)); fi
done
echo "kill -9 during restore: $seen_old old, $seen_new new, $torn other"
check "kill -9 during restore: never a configuration between the two" test "$torn" = 0

# ---- permissions and the local form ------------------------------------------
run "$A" "config system admin user
edit reader
set profileid Restricted_User
end"
"$APPSH" --state-dir "$A" --admin reader -c "execute backup all-settings file $T/r.conf" >"$T/out" 2>"$T/err"
check "a Restricted_User cannot back up: -37" errhas "Return code -37"
"$APPSH" --state-dir "$A" --admin ops -c "execute restore all-settings sftp 127.0.0.1 x u p" >"$T/out" 2>"$T/err"
check "a Standard_User cannot restore: -37" errhas "Return code -37"
"$APPSH" --state-dir "$A" --admin admin -c "execute backup all-settings file $T/o.conf" >"$T/out" 2>"$T/err"
check "the local file form is for the root console, not an admin's profile" errhas "the local file form is for the root console"
"$APPSH" --state-dir "$A" -c "diagnose system admin-session audit" >"$T/out" 2>&1
check "the audit trail has the backup, never a password" bash -c "grep -q 'backup admin=admin' '$T/out' && ! grep -q 'Crypt0-pw\|S3cr' '$T/out'"

# ---- sftp and scp against OpenSSH, as an account of its own -------------------
useradd -m -d "$T/home" -s /bin/sh "$U" || { echo "FAIL: useradd"; exit 1; }
made_user=1
echo "$U:Xfer-pw-1" | chpasswd
S=$T/s
mkdir -m 700 "$S" && cp -a "$A"/. "$S"/ && chown -R "$U:" "$S"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey2"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[ -d /run/sshd ] || { mkdir -m 755 /run/sshd && made_run_sshd=1; }
start_sshd() { # HOSTKEY
	cat >"$T/sshd_config" <<CFG
ListenAddress 127.0.0.1:$PORT
HostKey $1
PidFile $T/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowUsers $U
Subsystem sftp internal-sftp
CFG
	/usr/sbin/sshd -D -e -f "$T/sshd_config" 2>>"$T/sshd.log" &
	sshd_pid=$!
	for _ in $(seq 100); do
		$PY -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && return
		sleep 0.05
	done
}
start_sshd "$T/hostkey"
as_u() { setpriv --reuid="$U" --regid="$U" --init-groups "$APPSH" --state-dir "$S" -c "$*" >"$T/out" 2>"$T/err"; }
as_u "execute backup all-settings sftp 127.0.0.1:$PORT $T/home/by-sftp.conf $U Xfer-pw-1"
check "sftp: backed up" has "Backed up all settings to sftp://$U@127.0.0.1:$PORT/"
check "sftp: a new host's key is added and said" has "is a new host: its key SHA256:"
run "$S" "execute backup all-settings file $T/s-local.conf"
check "sftp: the file arrived whole" cmp <(tail -n +2 "$T/home/by-sftp.conf") <(tail -n +2 "$T/s-local.conf")
check "sftp: known_hosts is the account's own" test -s "$T/home/.ssh/known_hosts"
as_u "execute backup all-settings scp 127.0.0.1:$PORT $T/home/by-scp.conf $U Xfer-pw-1 Crypt0-pw"
check "scp: backed up, sealed" has "(encrypted with the crptpasswd)"
check "scp: the host is known now: no note" bash -c "! grep -q 'new host' '$T/out'"
F=$T/f
mkdir -m 700 "$F" && chown "$U:" "$F"
setpriv --reuid="$U" --regid="$U" --init-groups "$APPSH" --state-dir "$F" -c \
	"execute restore all-settings scp 127.0.0.1:$PORT $T/home/by-scp.conf $U Xfer-pw-1 Crypt0-pw" >"$T/out" 2>"$T/err"
check "scp: restored elsewhere" has "as revision 1"
full "$F" >"$T/ff"
full "$S" >"$T/fs"
check "scp: the same configuration" cmp <(noenc <"$T/fs") <(noenc <"$T/ff")
setpriv --reuid="$U" --regid="$U" --init-groups "$APPSH" --state-dir "$F" -c \
	"execute restore all-settings sftp 127.0.0.1:$PORT $T/home/by-sftp.conf $U Xfer-pw-1" >"$T/out" 2>"$T/err"
check "sftp: restore (the same settings): done" has "Restored all settings"
as_u "execute backup all-settings sftp 127.0.0.1:$PORT $T/home/x.conf $U wrong-pw"
check "a wrong SSH password is refused" errhas "refused the password"
check "... and the file is not there" test ! -e "$T/home/x.conf"
as_u "execute backup all-settings sftp 127.0.0.1:$PORT /nonexistent/dir/x.conf $U Xfer-pw-1"
check "a path the server cannot write: refused with its words" errhas "cannot write /nonexistent/dir/x.conf"
kill "$sshd_pid"; wait "$sshd_pid" 2>/dev/null
start_sshd "$T/hostkey2"
as_u "execute restore all-settings sftp 127.0.0.1:$PORT $T/home/by-sftp.conf $U Xfer-pw-1"
check "a changed host key is refused" errhas "the host key of 127.0.0.1 changed"
check "... and nothing changed" test "$(revs "$S")" = "$(revs "$A")"
check "the SSH password is in no history or audit row" bash -c "! grep -rq 'Xfer-pw-1' '$S' '$T/home/.ssh'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
