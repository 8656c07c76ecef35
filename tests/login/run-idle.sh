#!/bin/bash
# SPDX-License-Identifier: MIT
# run-idle.sh - the idle timeout of interactive sessions (`system global`
# admin-timeout, in minutes, 1-480, default 15; cli/editline.c read_char),
# on real ptys driven by tmux as in tests/tty/run-tty.sh.
#
# Three shells, each with its own state directory, run side by side:
#   A  sets admin-timeout 1 interactively, gets a key ~40 s after `end`, and
#      must still be there at ~70 s with its prompt and the typed text; with
#      no key for 60 s more it ends by itself: the idle message, exit status
#      0 (what cli_interactive returns), the typed text not run;
#   C  starts with admin-timeout 1 already stored and gets no key at all: it
#      must not end before ~55 s and must end by ~66 s;
#   B  keeps the default (15 min) and must outlive the test.
# Whole run: about 110 s.  Over SSH the same code runs (cli_interactive for
# a login with a terminal), so no sshd here: tests/login/run-ssh.sh covers
# the login itself.
#
# usage: run-idle.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skipped)
set -u
APPSH=${1:?usage: run-idle.sh path/to/appsh}
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 77; }
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
unset TMUX APPSH_STATE_DIR

T=$(mktemp -d /tmp/appsh-idle.XXXXXX)
SOCK=$T/tmux.sock
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0 FAIL=0 ROW=0 X=0 LINE='' W=''
START=${EPOCHREALTIME/./}
MSG='appsh: idle for 1 minute: session ended' # cli/editline.c, cli_interactive

tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# start NAME STATEDIR: a 100x30 session running appsh; remain-on-exit keeps
# the pane (and its exit status) after appsh leaves
start() {
	W=$1
	tm new-session -d -s "$W" -x 100 -y 30 "$APPSH" --state-dir "$2"
	tm set-option -t "$W" remain-on-exit on >/dev/null
}
# cursor state of session W: ROW (absolute), X (column), LINE (cursor's line)
state() {
	local h y
	read -r h y X < <(tm display -p -t "$W" '#{history_size} #{cursor_y} #{cursor_x}') || return 1
	[ -n "${X:-}" ] || return 1
	ROW=$((h + y))
	LINE=$(tm capture-pane -p -N -t "$W" -S "$y" -E "$y")
}
# the whole transcript of session W, without tmux's "Pane is dead" line and
# trailing blanks
screen() {
	tm capture-pane -p -N -t "$W" -S - -E - | grep -v '^Pane is dead' | sed 's/ *$//' |
		awk '{ a[NR] = $0; if ($0 != "") n = NR } END { for (i = 1; i <= n; i++) print a[i] }'
}
keys() { tm send-keys -t "$W" "$@"; }
text() { tm send-keys -t "$W" -l -- "$1"; }

# poll_until SECONDS CMD...: until CMD succeeds or SECONDS have passed
poll_until() {
	local end=$(($(now_us) + $1 * 1000000))
	shift
	until "$@"; do
		[ "$(now_us)" -gt "$end" ] && return 1
		sleep 0.05
	done
}
# at T SECONDS: wait until SECONDS after the time T (in µs)
at() {
	local d=$(($1 + $2 * 1000000 - $(now_us)))
	[ $d -gt 0 ] && sleep "$((d / 1000000)).$(printf %06d $((d % 1000000)))"
	return 0
}
# the cursor line is exactly TEXT with the cursor right after it
is_at() {
	state || return 1
	[ "$X" -eq "${#1}" ] && [ "${LINE:0:X}" = "$1" ] && [[ "${LINE:X}" =~ ^\ *$ ]]
}
# run LINE PROMPT: type LINE + Enter, wait (5 s) for a fresh PROMPT below
run() {
	local before
	state
	before=$ROW
	text "$1"
	keys Enter
	fresh() { is_at "$1" && [ "$ROW" -gt "$before" ]; }
	poll_until 5 fresh "$2"
}
dead() { [ "$(tm display -p -t "$W" '#{pane_dead}')" = 1 ]; }
alive() { ! dead; }
# appsh's exit status once the pane is dead.  tmux 3.3a now and then misses
# a pane's SIGCHLD (see run-tty.sh); a run-shell child makes it reap again.
got_status() { [ -n "$(tm display -p -t "$W" '#{pane_dead_status}')" ]; }
exit_status() {
	dead || return 1
	got_status || { tm run-shell true && poll_until 3 got_status; }
	tm display -p -t "$W" '#{pane_dead_status}'
}
exited_0() { [ "$(exit_status)" = 0 ]; }
secs() { echo "$((($(now_us) - $1) / 1000000))"; }

pass() {
	PASS=$((PASS + 1))
	echo "PASS $1"
}
fail() {
	FAIL=$((FAIL + 1))
	echo "FAIL $1"
	echo "     --- screen of session $W (cursor row $ROW col $X, pane_dead=$(tm display -p -t "$W" '#{pane_dead}')) ---"
	screen | tail -n 12 | sed 's/^/     | /'
}
ok() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
has() { screen | grep -Eq -- "$1"; }
hasnt() { ! has "$1"; }
# the screen ends with exactly these lines
ends_with() { [ "$(screen | tail -n $#)" = "$(printf '%s\n' "$@")" ]; }

# ---------------------------------------------------------------- set-up
SA=$T/state-a SB=$T/state-b SC=$T/state-c SD=$T/state-d
if "$APPSH" --state-dir "$SC" -c 'config system global
set admin-timeout 1
end' >"$T/setup.out" 2>&1 &&
	"$APPSH" --state-dir "$SC" -c 'get system global' | grep -Eq '^admin-timeout +: 1$'; then
	pass "set-up: C's store has admin-timeout 1 (set by a script)"
else
	W=setup
	FAIL=$((FAIL + 1))
	echo "FAIL set-up: admin-timeout 1 for C"
	sed 's/^/     | /' "$T/setup.out"
fi

start B "$SB"
ok "B (default timeout): prompt" poll_until 5 is_at 'appsh # '

start A "$SA"
ok "A: prompt" poll_until 5 is_at 'appsh # '
ok "A: config system global" run 'config system global' 'appsh (global) # '
run 'set admin-timeout 0' 'appsh (global) # '
ok "A: admin-timeout 0 is refused (1-480)" has '^admin-timeout: 0 is out of range 1-480$'
run 'set admin-timeout 481' 'appsh (global) # '
ok "A: admin-timeout 481 is refused (1-480)" has '^admin-timeout: 481 is out of range 1-480$'
run 'set admin-timeout 1' 'appsh (global) # '
ok "A: set admin-timeout 1, end" run end 'appsh # '
T0=$(now_us) # A's last key (the Enter of `end`) was just before this

start C "$SC"
W=C
ok "C (admin-timeout 1 stored): prompt" poll_until 5 is_at 'appsh # '
TC=$(now_us) # C's idle time counts from its start, just before this

# D: a command that runs longer than admin-timeout (a 62 s ping) is not
# idleness; the session must outlive it.  Root: ping's socket.
if [ "$(id -u)" = 0 ]; then
	cp -r "$SC" "$SD"
	start D "$SD"
	ok "D: prompt" poll_until 5 is_at 'appsh # '
	run 'execute ping-options repeat-count 62' 'appsh # '
	text 'execute ping 127.0.0.1'
	keys Enter
	TD=$(now_us)
fi

# ---------------------------------------------------------------- A: a key at ~40 s
at "$T0" 40
W=A
text 'get system status'
ok "A at $(secs "$T0") s: alive, the typed text on the line" \
	poll_until 3 is_at 'appsh # get system status'
state
TK=$(now_us) AROW=$ROW

# ---------------------------------------------------------------- C: no key at all
at "$TC" 55
W=C
ok "C at $(secs "$TC") s without a key: still alive" alive
ok "C: ends within 66 s of its start (admin-timeout 1)" poll_until $((66 - $(secs "$TC"))) dead
echo "     (C ended $(secs "$TC") s after its prompt appeared)"
ok "C: the idle message, exactly, below the prompt" ends_with 'appsh #' "$MSG"
ok "C: exit status 0" exited_0

# ---------------------------------------------------------------- A: past the first minute
at "$T0" 70
W=A
ok "A at $(secs "$T0") s (key at ~40 s): alive" alive
# on the same row as at ~40 s: nothing was printed in between
kept_line() { is_at 'appsh # get system status' && [ "$ROW" -eq "$AROW" ]; }
ok "A: prompt and typed text still there, nothing printed since" kept_line
ok "A: no idle message yet" hasnt 'idle for'

# ---------------------------------------------------------------- A: 60 s without a key
at "$TK" 55
ok "A $(secs "$TK") s after the last key: still alive" alive
ok "A: ends within 66 s of the last key" poll_until $((66 - $(secs "$TK"))) dead
echo "     (A ended $(secs "$TK") s after the last key, $(secs "$T0") s after end)"
ok "A: the idle message, exactly, below the typed line" \
	ends_with 'appsh # get system status' "$MSG"
ok "A: the half-typed command did not run" hasnt '^(Platform Type|Version) '
ok "A: exit status 0" exited_0
ok "A: its session is no longer listed" \
	test -z "$("$APPSH" --state-dir "$SA" -c 'diagnose system admin-session list' 2>&1)"
ok "A: the idle logout is in the audit trail" \
	grep -qE ' logout admin=[^ ]+ .*: idle for 1 minutes$' \
	<<<"$("$APPSH" --state-dir "$SA" -c 'diagnose system admin-session audit' 2>&1)"

# ---------------------------------------------------------------- D: a long command
if [ -n "${TD:-}" ]; then
	W=D
	ok "D: the 62 s ping finished" poll_until 10 has 'packets transmitted'
	ok "D $(secs "$TD") s after its last key, the ping done: still alive" alive
	ok "D: back at its prompt" is_at 'appsh # '
	ok "D: no idle message" hasnt 'idle for'
fi

# ---------------------------------------------------------------- B: the default
W=B
ok "B (default 15 min) after $(secs "$T0") s idle: alive" alive
ok "B: still at its prompt" is_at 'appsh # '
ok "B: answers a command" run 'get system global' 'appsh # '
ok "B: admin-timeout is 15 (the default)" has '^admin-timeout +: 15$'
ok "B: no idle message" hasnt 'idle for'
keys C-d
ok "B: Ctrl-D still ends it" poll_until 5 dead

echo "run time $((($(now_us) - START) / 1000)) ms"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
