#!/bin/bash
# The state directory: where it is, how it is created, what is in it, and
# what appsh does with a store it cannot use.
set -u
APPSH=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { # name, then a command that must succeed
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "PASS $name"
	else fail=$((fail + 1)); echo "FAIL $name"; fi
}
mode() { stat -c %a "$1"; }

# --state-dir: created 0700 with parents, default config, files 0600.
out=$("$APPSH" --state-dir "$T/a/b/state" -c 'get system global
get system mail
show' 2>&1)
check "--state-dir creates the directory and its parents" test -d "$T/a/b/state"
check "state directory is 0700" test "$(mode "$T/a/b/state")" = 700
check "default hostname is appsh" grep -q '^hostname *: appsh$' <<<"$out"
check "default console-output is standard" grep -q '^console-output *: standard$' <<<"$out"
# show prints only the built-ins: the admin profiles and account (31 lines),
# the local certificate Fortinet_Local (16), and 8 lines of get.
check "no mail servers; show has only the built-ins" test "$(grep -c . <<<"$out")" = 55
check "a new store has the built-in local certificate Fortinet_Local" \
	grep -q '^    edit "Fortinet_Local"$' <<<"$out"
check "config.db is 0600" test "$(mode "$T/a/b/state/config.db")" = 600
check "secret.key is 0600 and 32 bytes" test "$(stat -c '%a %s' "$T/a/b/state/secret.key")" = "600 32"
check "store is in WAL mode" test "$(sqlite3 "$T/a/b/state/config.db" 'PRAGMA journal_mode')" = wal
check "store records its schema version" test "$(sqlite3 "$T/a/b/state/config.db" 'PRAGMA user_version')" = 5

# APPSH_STATE_DIR, and --state-dir winning over it.
APPSH_STATE_DIR=$T/env "$APPSH" -c 'get system status' >/dev/null 2>&1
check "APPSH_STATE_DIR is used" test -f "$T/env/config.db"
APPSH_STATE_DIR=$T/env2 "$APPSH" --state-dir "$T/flag" -c 'get system status' >/dev/null 2>&1
check "--state-dir wins over APPSH_STATE_DIR" test -f "$T/flag/config.db" -a ! -e "$T/env2"

# The defaults for root and for other users.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	mkdir -p "$T/home" && chown nobody "$T/home" && chmod 755 "$T"
	as_nobody() { env -i HOME="$T/home" PATH="$PATH" "$@" setpriv --reuid=nobody --regid=nogroup --clear-groups "$APPSH" -c 'get system status'; }
	as_nobody >/dev/null 2>&1
	check "non-root default is ~/.local/state/appsh" test -f "$T/home/.local/state/appsh/config.db"
	as_nobody XDG_STATE_HOME="$T/home/xdg" >/dev/null 2>&1
	check "non-root default honours XDG_STATE_HOME" test -f "$T/home/xdg/appsh/config.db"
	# In a private mount namespace, so the machine's real store is not touched.
	root_out=$(env -u APPSH_STATE_DIR unshare -m sh -c \
		'mount -t tmpfs none /var/lib && "$0" -c "get system status" && stat -c %a /var/lib/appsh' "$APPSH")
	check "root default is /var/lib/appsh" grep -q '^State Directory *: /var/lib/appsh$' <<<"$root_out"
	check "root default is created 0700" grep -qx 700 <<<"$root_out"
else
	echo "SKIP default directories: needs root, the nobody account and setpriv"
fi

# A store written by a newer appsh is refused, untouched.
sqlite3 "$T/a/b/state/config.db" 'PRAGMA user_version = 99'
err=$("$APPSH" --state-dir "$T/a/b/state" -c 'show' 2>&1); rc=$?
check "newer store: non-zero exit" test "$rc" -ne 0
check "newer store: message names both versions" grep -q 'schema version 99.*knows up to 5' <<<"$err"
check "newer store: left as it was" test "$(sqlite3 "$T/a/b/state/config.db" 'PRAGMA user_version')" = 99

# A key that others can read, or of the wrong size, is refused.
mkdir -p "$T/k" && "$APPSH" --state-dir "$T/k" -c 'show' >/dev/null 2>&1
chmod 644 "$T/k/secret.key"
err=$("$APPSH" --state-dir "$T/k" -c 'show' 2>&1); rc=$?
check "world-readable key refused" test "$rc" -ne 0
check "world-readable key: says chmod 600" grep -q 'chmod 600' <<<"$err"
chmod 600 "$T/k/secret.key" && head -c 40 /dev/zero >"$T/k/secret.key"
check "40-byte key refused" bash -c "! '$APPSH' --state-dir '$T/k' -c show"

# A state directory that cannot be created gets a clear error.
err=$("$APPSH" --state-dir /proc/nope -c 'show' 2>&1); rc=$?
check "uncreatable state dir: non-zero exit" test "$rc" -ne 0
check "uncreatable state dir: names it" grep -q 'cannot create state directory /proc/nope' <<<"$err"

# --help and --version.
check "--version" grep -qx "appsh [0-9.]*" <<<"$("$APPSH" --version)"
check "--help names -c, -e and --state-dir" bash -c "'$APPSH' --help | grep -q -- '--state-dir' && '$APPSH' --help | grep -q -- '-c COMMANDS'"
check "an unknown option exits 2" bash -c "'$APPSH' --bogus 2>/dev/null; test \$? = 2"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
