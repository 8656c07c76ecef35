#!/bin/bash
# appsh as the login shell of real accounts behind a real OpenSSH server
# (../shared/testenv.md §3): administrators and profiles, trusted hosts,
# nothing reaching a system shell, scp/sftp refused, the state directory
# fixed, sessions listed and killed, the audit trail.  Root only.
#
# The test makes its own group, accounts, keys and sshd (on 127.0.0.1, a
# free port), installs a copy of appsh set-group-ID as the install step does
# (scripts/install-login.sh), and runs sshd in a private mount namespace
# whose /var/lib/appsh is a directory of the test: the machine's own system
# store is never touched.  Everything is removed in the EXIT trap.
# usage: run-ssh.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
set -u
APPSH=${1:?usage: run-ssh.sh path/to/appsh}
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (accounts, sshd)"; exit 77; }
for t in /usr/sbin/sshd ssh ssh-keygen scp sftp useradd unshare; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (openssh-server, openssh-client)"; exit 77; }
done
unset APPSH_STATE_DIR

N=$$
G=apg$N          # the dedicated group (appsh in a real install)
SA=apsa$N        # Super_User
RO=apro$N        # Restricted_User
NO=apno$N        # no admin entry
TR=aptr$N        # Super_User, but only from 10.1.2.0/24
USERS="$SA $RO $NO $TR"
T=$(mktemp -d)
chmod 755 "$T" # the accounts must reach their shell
made_users=() made_group=0 made_run_sshd=0 sshd_pid=
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	for u in "${made_users[@]}"; do
		pkill -KILL -u "$u" 2>/dev/null
		userdel "$u" 2>/dev/null
	done
	[ $made_group = 1 ] && groupdel "$G" 2>/dev/null
	[ $made_run_sshd = 1 ] && rmdir /run/sshd 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0
check() { # name, then a command that must succeed
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); echo "FAIL $name"
		[ -f "$T/out" ] && sed 's/^/    out: /' "$T/out" | head -20
		[ -f "$T/err" ] && sed 's/^/    err: /' "$T/err" | head -20
	fi
}
has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
lacks() { ! grep -qF -- "$1" "$T/out" && ! grep -qF -- "$1" "$T/err"; }

# ---- set-up ----------------------------------------------------------------
for u in $USERS; do id "$u" >/dev/null 2>&1 && { echo "SKIP: user $u exists"; exit 77; }; done
groupadd "$G" || { echo "SKIP: cannot create a group"; exit 77; }
made_group=1
# The installed shell: a copy of the build, set-group-ID to the group that
# owns the state directory; the accounts are not in that group.
install -m 2755 -o root -g "$G" "$APPSH" "$T/appsh"
install -d -m 2770 -o root -g "$G" "$T/state"
for u in $USERS; do
	useradd -M -d "$T/home/$u" -s "$T/appsh" "$u" || { echo "FAIL: useradd $u"; exit 1; }
	made_users+=("$u")
	usermod -p '*' "$u" # not locked (UsePAM no refuses "!")
done
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/key"
for u in $USERS; do
	install -d -m 700 -o "$u" -g "$u" "$T/home/$u" "$T/home/$u/.ssh"
	install -m 600 -o "$u" -g "$u" "$T/key.pub" "$T/home/$u/.ssh/authorized_keys"
done
# The administrators, set up from the console (root, not a login).
"$T/appsh" --state-dir "$T/state" -c "config system admin user
edit $SA
set profileid Super_User
next
edit $RO
set profileid Restricted_User
next
edit $TR
set profileid Super_User
set trusthost1 10.1.2.0/24
next
end
config system mail
edit 1
set server old.example.com
end" >"$T/out" 2>"$T/err"
check "set-up: admins created from the console" test $? = 0
check "set-up: the store is group-shared (0660)" test "$(stat -c %a "$T/state/config.db")" = 660
check "set-up: the key is group-readable only (0640)" test "$(stat -c %a "$T/state/secret.key")" = 640

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PORT2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[ -d /run/sshd ] || { mkdir -m 755 /run/sshd && made_run_sshd=1; }
cat >"$T/sshd_config" <<CFG
ListenAddress 127.0.0.1:$PORT
ListenAddress 127.0.0.1:$PORT2
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers $USERS
PrintMotd no
PrintLastLog no
Subsystem sftp /usr/lib/openssh/sftp-server
# An attempt to redirect appsh through the environment: ignored in a login.
SetEnv APPSH_STATE_DIR=$T/evil XDG_STATE_HOME=$T/evil
Match LocalPort $PORT2
    ForceCommand $T/appsh --login
CFG
/usr/sbin/sshd -t -f "$T/sshd_config" || { echo "FAIL: sshd -t"; echo "0 passed, 1 failed"; exit 1; }
# sshd, and every login under it, sees the test's directory as /var/lib/appsh.
unshare -m --propagation private sh -c '
	mount -t tmpfs -o mode=755 none /var/lib && mkdir /var/lib/appsh &&
	mount --bind "$1" /var/lib/appsh && exec /usr/sbin/sshd -D -e -f "$2"' sh \
	"$T/state" "$T/sshd_config" 2>"$T/sshd.log" &
sshd_pid=$!
for _ in $(seq 100); do
	/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
	sleep 0.05
done

SSH=(ssh -i "$T/key" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o LogLevel=ERROR -o ConnectTimeout=5)
# as USER [ssh options...] [command]: output in $T/out, $T/err, status in $rc.
as() {
	local u=$1; shift
	timeout 30 "${SSH[@]}" -p "$PORT" "$u@127.0.0.1" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

# ---- Super_User ------------------------------------------------------------
printf 'config system mail\nedit 1\nset server new.example.com\nset port 587\nend\nexit\n' |
	timeout 30 "${SSH[@]}" -tt -p "$PORT" "$SA@127.0.0.1" >"$T/out" 2>"$T/err"
rc=$?
check "super, pty: exit 0" test $rc = 0
check "super, pty: the prompt" has "appsh # "
check "super, pty: the config shell prompt" has "appsh (1) # "
as $SA 'get system mail 1'
check "super: get exits 0" test $rc = 0
check "super: get shows the change" has "server        : new.example.com"
check "super: port changed" has "port          : 587"
as $SA 'nosuchcommand'
check "bad command: non-zero exit" test $rc != 0
check "bad command: named" err_has "command parse error before 'nosuchcommand'"
as $SA 'get system status'
check "state directory: the system one despite SetEnv APPSH_STATE_DIR" \
	has "State Directory             : /var/lib/appsh"
check "state directory: the environment's was not created" test ! -e "$T/evil"
as $SA "--state-dir=$T/evil2 get system status"
check "--state-dir through ssh: not an option (refused as a command)" test $rc != 0
check "--state-dir through ssh: nothing created" test ! -e "$T/evil2"
# ForceCommand: the command asked for is SSH_ORIGINAL_COMMAND.
timeout 30 "${SSH[@]}" -p "$PORT2" "$SA@127.0.0.1" 'get system mail 1' </dev/null >"$T/out" 2>"$T/err"
check "ForceCommand: SSH_ORIGINAL_COMMAND runs" has "server        : new.example.com"

# ---- Restricted_User -------------------------------------------------------
as $RO 'get system mail 1'
check "restricted: get works" has "server        : new.example.com"
as $RO 'show system mail'
check "restricted: show works" has 'set server "new.example.com"'
as $RO 'execute ping-options repeat-count 1
execute ping-options timeout 1
execute ping 127.0.0.1'
check "restricted: execute ping is allowed (it ran)" has "PING 127.0.0.1 (127.0.0.1)"
as $RO 'config system mail
edit 1
set port 26
end'
check "restricted: set refused, non-zero exit" test $rc != 0
check "restricted: the refusal names the right" \
	err_has "permission denied: 'set' needs mail-setting read-write"
check "restricted: return code -37" err_has "Command fail. Return code -37"
as $RO 'config system mail
edit 1
?'
check "restricted: ? in an entry offers get and show" has "show"
check "restricted: ? does not offer set" lacks "Modify value."
check "restricted: ? does not offer unset" lacks "Set to default value."
as $RO 'config system ?'
check "restricted: config system ? hides admin" lacks "Administrator settings."
as $RO 'diagnose system admin-session kill 1'
check "restricted: kill refused" err_has "permission denied"
as $SA 'get system mail 1'
check "restricted: nothing changed" has "port          : 587"
as $SA "diagnose system admin-session audit admin $RO"
check "audit: the refusal is recorded" has "denied admin=$RO from=127.0.0.1"
check "audit: names the command" has "'set' needs mail-setting read-write"
check "audit: the login is recorded" has "login admin=$RO from=127.0.0.1"
as $SA "diagnose system admin-session audit admin $SA since 1h"
check "audit: commits with old and new values" has "system mail \"1\": port: 25 -> 587"
check "audit: commits name admin and address" has "commit admin=$SA from=127.0.0.1"

# ---- refused logins ----------------------------------------------------------
as $NO 'get system status'
check "no admin entry: refused, non-zero" test $rc != 0
check "no admin entry: one line" err_has "login refused: no administrator '$NO' is configured"
check "no admin entry: nothing ran" lacks "Platform Type"
as $TR 'get system status'
check "trusted host mismatch: refused" test $rc != 0
check "trusted host mismatch: says why" err_has "127.0.0.1 is not a trusted host of administrator '$TR'"
as $SA 'diagnose system admin-session audit'
check "audit: refused logins recorded" has "login-refused admin=$TR from=127.0.0.1"

# ---- no way out to a shell ---------------------------------------------------
as $SA 'get system status; cat /etc/shadow'
check "';': an error, not a second command" test $rc != 0
check "';': no shadow file" lacks "root:"
as $SA 'get system status $(id)'
check '$(id): not run' lacks "uid="
as $SA 'get system status `id`'
check 'backticks: not run' lacks "uid="
as $SA "get system status > $T/pwned"
check "redirection: no file made" test ! -e "$T/pwned"
as $SA "get system status | tee $T/pwned2"
check "pipe to a program: refused" err_has "only '| grep' may follow a command"
check "pipe to a program: no file made" test ! -e "$T/pwned2"
echo data >"$T/file"
timeout 30 scp -O -i "$T/key" -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -P "$PORT" "$T/file" "$SA@127.0.0.1:$T/copied" \
	</dev/null >"$T/out" 2>"$T/err"
rc=$?
check "scp (legacy): refused" test $rc != 0
check "scp (legacy): clear message" err_has "file transfer (scp, sftp, rsync) is not available"
check "scp (legacy): nothing copied" test ! -e "$T/copied"
echo "put $T/file $T/copied2" >"$T/batch"
timeout 30 sftp -b "$T/batch" -i "$T/key" -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -P "$PORT" "$SA@127.0.0.1" </dev/null >"$T/out" 2>"$T/err"
rc=$?
check "sftp: refused" test $rc != 0
# The sftp client does not show the server's stderr: the channel just ends.
check "sftp: the session ends before the protocol starts" err_has "Connection closed"
check "sftp: nothing copied" test ! -e "$T/copied2"

# ---- sessions ----------------------------------------------------------------
# Two interactive sessions that wait for input.
sleep 60 | timeout 60 "${SSH[@]}" -tt -p "$PORT" "$SA@127.0.0.1" >"$T/s1" 2>&1 &
s1=$!
sleep 60 | timeout 60 "${SSH[@]}" -tt -p "$PORT" "$RO@127.0.0.1" >"$T/s2" 2>&1 &
s2=$!
for _ in $(seq 100); do
	grep -q 'appsh # ' "$T/s1" 2>/dev/null && grep -q 'appsh # ' "$T/s2" 2>/dev/null && break
	sleep 0.1
done
as $SA 'diagnose system admin-session list'
check "list: both interactive sessions" test "$(grep -c '^from: ssh-tty(127.0.0.1)$' "$T/out")" = 2
check "list: the restricted admin's session" has "username: $RO"
check "list: this session marked" grep -q '^session_id: [0-9]* (this session)$' "$T/out"
sid=$(awk -v u="$RO" '/^session_id:/ {id=$2} $0 == "username: " u {print id}' "$T/out")
as $SA "diagnose system admin-session kill $sid"
check "kill: done" has "session $sid of $RO killed"
for _ in $(seq 50); do kill -0 $s2 2>/dev/null || break; sleep 0.1; done
check "kill: the killed session ended" bash -c "! kill -0 $s2 2>/dev/null"
check "kill: the session was told" grep -q "this session was killed by an administrator" "$T/s2"
check "kill: the other session runs on" kill -0 $s1
as $SA 'diagnose system admin-session list'
check "list: one interactive session left" test "$(grep -c '^from: ssh-tty(127.0.0.1)$' "$T/out")" = 1
as $SA 'diagnose system admin-session audit'
check "audit: the kill is recorded" has "kill admin=$SA from=127.0.0.1"
kill $s1 2>/dev/null

echo "$pass passed, $fail failed"
[ $fail = 0 ]
