#!/bin/bash
# run-tty.sh - drive the interactive shell through a real pty with tmux:
# prompts, TAB, `?` mid-line, Ctrl-C, history, --More--, purge's (y/n),
# Ctrl-D, errors on the terminal.
#
# usage: run-tty.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skipped)
#
# How it reads the screen: every step first records the absolute row of the
# cursor (history_size + cursor_y), then sends keys and polls (20 ms, with a
# deadline) until the cursor line shows what it should.  "since" is the
# transcript from the recorded row down, scrollback included, so a check sees
# exactly what that step printed.  Text is always sent with send-keys -l:
# without it tmux reads words such as "end" or "Home" as key names.
set -u
APPSH=${1:?usage: run-tty.sh path/to/appsh}
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 77; }
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; exit 1; }
unset TMUX

T=$(mktemp -d /tmp/appsh-tty.XXXXXX)
SOCK=$T/tmux.sock
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0 FAIL=0 ROW=0 X=0 LINE='' M=-1
START=${EPOCHREALTIME/./}
# A wait is a deadline for an event, never a measure: 15 s, so that a
# loaded machine (make test-stress) is not mistaken for a broken shell.
# After three waits ran out, each further one gets 0.2 s, so that a broken
# shell cannot hang the suite either.
MISSED=0

tm() { tmux -S "$SOCK" -f /dev/null "$@"; }

# start NAME COLS ROWS STATEDIR: a session running appsh; remain-on-exit keeps
# the pane (and its exit status) after appsh leaves
start() {
	W=$1
	tm new-session -d -s "$W" -x "$2" -y "$3" "$APPSH" --state-dir "$4"
	tm set-option -t "$W" remain-on-exit on >/dev/null
	M=-1
}

# cursor state: ROW (absolute), X (column), LINE (the cursor's line, raw)
state() {
	local h y
	read -r h y X < <(tm display -p -t "$W" '#{history_size} #{cursor_y} #{cursor_x}') || return 1
	[ -n "${X:-}" ] || return 1
	ROW=$((h + y))
	LINE=$(tm capture-pane -p -N -t "$W" -S "$y" -E "$y")
}
mark() { state && M=$ROW; }
# what was printed from the marked row down (trailing blank lines dropped)
since() {
	tm capture-pane -p -N -t "$W" -S - -E - | tail -n +$((M + 1)) |
		awk '{ a[NR] = $0; if ($0 ~ /[^ ]/) n = NR } END { for (i = 1; i <= n; i++) print a[i] }'
}
keys() { tm send-keys -t "$W" "$@"; }
text() { tm send-keys -t "$W" -l -- "$1"; }

# poll CMD...: until CMD succeeds or the deadline (above)
poll() {
	local now=${EPOCHREALTIME/./} limit=15000000
	[ "$MISSED" -ge 3 ] && limit=200000
	local end=$((now + limit))
	until "$@"; do
		if [ "${EPOCHREALTIME/./}" -gt "$end" ]; then
			MISSED=$((MISSED + 1))
			return 1
		fi
		sleep 0.02
	done
}
# the cursor line is exactly TEXT with the cursor right after it, on a row
# below the mark (a fresh prompt or a redrawn line) unless $2 = same
is_at() {
	state || return 1
	[ "${2:-new}" = same ] || [ "$ROW" -gt "$M" ] || return 1
	[ "$X" -eq "${#1}" ] && [ "${LINE:0:X}" = "$1" ] && [[ "${LINE:X}" =~ ^\ *$ ]]
}
wait_at() { poll is_at "$@"; }
# wait for the prompt P after typing TEXT + Enter
run() {
	mark
	text "$1"
	keys Enter
	wait_at "$2"
}
dead() { [ "$(tm display -p -t "$W" '#{pane_dead}')" = 1 ]; }
# exit_status: appsh's exit status once the pane is dead.  tmux 3.3a now and
# then misses the SIGCHLD of a pane's process and leaves it a zombie with
# #{pane_dead_status} empty; a run-shell child makes tmux reap again.
got_status() { [ -n "$(tm display -p -t "$W" '#{pane_dead_status}')" ]; }
exit_status() {
	dead || return 1
	got_status || { tm run-shell true && poll got_status; }
	tm display -p -t "$W" '#{pane_dead_status}'
}

pass() {
	PASS=$((PASS + 1))
	echo "PASS $1"
}
fail() {
	FAIL=$((FAIL + 1))
	echo "FAIL $1"
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | sed 's/^/     | /'
		return
	fi
	echo "     --- screen since the step began (cursor row $ROW col $X) ---"
	since | sed 's/^/     | /'
}
# ok NAME CMD...: PASS if CMD succeeds
ok() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
has() { since | grep -Eq -- "$1"; }
strip() { sed 's/ *$//'; }
# same_as LINE...: the step printed exactly these lines (trailing blanks aside)
same_as() { [ "$(since | strip)" = "$(printf '%s\n' "$@")" ]; }
# same_as_re RE...: as many lines as REs, each matching its RE in full
same_as_re() {
	local i=0 line
	local -a got
	mapfile -t got < <(since | strip)
	[ "${#got[@]}" -eq $# ] || return 1
	for re in "$@"; do
		line=${got[i]}
		i=$((i + 1))
		[[ "$line" =~ ^$re$ ]] || return 1
	done
}
hasnt() { ! has "$1"; }
exited_0() { [ "$(exit_status)" = 0 ]; }
# lacks WORD TEXT: TEXT does not contain WORD
lacks() { ! grep -q -- "$1" <<<"$2"; }

# ---------------------------------------------------------------- session A
ST=$T/state
start A 100 30 "$ST"
ok "prompt 'appsh # ' at start" wait_at 'appsh # '

# TAB on a keyword, then on the next level
mark
text conf
keys Tab
ok "TAB: conf -> 'config '" wait_at 'appsh # config ' same
text sys
keys Tab
ok "TAB: config sys -> 'config system '" wait_at 'appsh # config system ' same

# ? mid-line: the listing, the line redrawn below it, typing goes on
mark
text '?'
ok "?: line redrawn, cursor at its end" wait_at 'appsh # config system '
ok "?: lists dns/global/mail with help" \
	eval 'has "^dns +[A-Z]" && has "^global +[A-Z]" && has "^mail +Mail server configuration"'
ok "?: listing follows 'config system ?'" eval 'since | head -1 | grep -qx "appsh # config system ?"'
mark
text mail
keys Enter
ok "typing after ? continues the line (mail shell)" wait_at 'appsh (mail) # '
ok "no error after 'config system mail'" hasnt 'error|fail'

# TAB with two choices in the table shell: lists them, keeps the line
mark
text e
keys Tab
ok "TAB: 'e' in table shell keeps line 'e'" wait_at 'appsh (mail) # e'
ok "TAB: 'e' lists edit and end" eval 'has "^edit( |$)" && has "^end( |$)"'
keys BSpace
wait_at 'appsh (mail) # ' same

ok "prompt '(1)' after edit 1" run 'edit 1' 'appsh (1) # '

# TAB on an enum value
mark
text 'set secure-option st'
keys Tab
ok "TAB: value st -> starttls" wait_at 'appsh (1) # set secure-option starttls ' same
keys Enter
wait_at 'appsh (1) # '

# ? inside an open quote is a character
run 'set user "a?b"' 'appsh (1) # '
ok "? in quotes: no listing, no error" same_as 'appsh (1) # set user "a?b"' 'appsh (1) #'
run get 'appsh (1) # '
ok "? in quotes: get shows 'user : a?b'" has '^user +: a\?b$'
ok "TAB-completed value stored (secure-option starttls)" has '^secure-option +: starttls$'

# an error on the terminal: three lines, then the prompt
run 'set port 70000' 'appsh (1) # '
ok "set port 70000: three error lines then the prompt" same_as_re \
	'appsh \(1\) # set port 70000' \
	'port: 70000 is out of range 1-65535' \
	"value parse error before '70000'" \
	'Command fail\. Return code -[0-9]+' \
	'appsh \(1\) #'

# Ctrl-C drops the line being typed
mark
text 'config sys'
wait_at 'appsh (1) # config sys' same
keys C-c
ok "Ctrl-C: fresh prompt, line dropped" wait_at 'appsh (1) # '
keys Enter
ok "Ctrl-C then Enter: prompt unchanged" wait_at 'appsh (1) # '
ok "Ctrl-C then Enter: no error" hasnt 'error|fail'

# ... and a multi-line quoted value in progress
mark
text 'set from "abc'
keys Enter
ok "open quote + Enter: continuation prompt '> '" wait_at '> '
text def
keys C-c
ok "Ctrl-C in a multi-line value: back to '(1)'" wait_at 'appsh (1) # '
run get 'appsh (1) # '
ok "Ctrl-C in a multi-line value: nothing set" eval 'has "^from +: \(null\)$" && hasnt "abc|def"'

run 'set passwd SECRETVALUE' 'appsh (1) # '
ok "prompt '(mail)' after next" run next 'appsh (mail) # '
ok "prompt 'appsh # ' after end" run end 'appsh # '

# history: Up, Up, Up walks back over end, next, and whatever came before
# `next`, which must not be the secret line
mark
keys Up
ok "Up recalls the previous command (end)" wait_at 'appsh # end' same
keys Up
ok "Up again recalls next" wait_at 'appsh # next' same
keys Up
left_next() { state && [ "$LINE" != "appsh # next" ]; }
poll left_next
ok "Up does not recall 'set passwd SECRETVALUE'" lacks SECRETVALUE "$LINE"
keys C-c
wait_at 'appsh # '

# a mistyped command (to look for in the history file afterwards)
ok "mistyped command: error, prompt back" eval 'run "conifg system mail" "appsh # " && has "Command fail"'

# purge asks; n keeps, y removes
run 'config system mail' 'appsh (mail) # '
run 'edit 2' 'appsh (2) # '
run next 'appsh (mail) # '
mark
text purge
keys Enter
ok "purge asks 'Do you want to continue? (y/n)'" wait_at 'Do you want to continue? (y/n)'
text n
keys Enter
wait_at 'appsh (mail) # '
run end 'appsh # '
run 'show system mail' 'appsh # '
ok "purge, n: entries kept" eval "has '^ +edit \"1\"$' && has '^ +edit \"2\"$'"
run 'config system mail' 'appsh (mail) # '
mark
text purge
keys Enter
wait_at 'Do you want to continue? (y/n)'
text y
keys Enter
wait_at 'appsh (mail) # '
run end 'appsh # '
run 'show system mail' 'appsh # '
ok "purge, y: entries removed (after end)" eval "since | grep -q '^config system mail' && hasnt '^ +edit '"

# hostname drives the prompt
ok "prompt '(global)'" run 'config system global' 'appsh (global) # '
mark
text 'set hostname fw1'
keys Enter
# (whether the prompt changes before `end` is not checked)
global_prompt() { is_at 'appsh (global) # ' || is_at 'fw1 (global) # '; }
poll global_prompt
ok "prompt 'fw1 # ' after set hostname fw1 / end" run end 'fw1 # '

# Ctrl-D with staged edits: warning, exit
run 'config system mail' 'fw1 (mail) # '
run 'edit 3' 'fw1 (3) # '
run 'set port 26' 'fw1 (3) # '
mark
keys C-d
poll dead
ok "Ctrl-D in a config block: appsh exits" dead
ok "Ctrl-D in a config block: warns edits were discarded" has 'discard'
ok "Ctrl-D in a config block: status 0" exited_0
ok "Ctrl-D in a config block: entry 3 not committed" \
	lacks 'edit "3"' "$("$APPSH" --state-dir "$ST" -c 'show system mail')"

# the history file
HF=$ST/history-$(id -un)
ok "history file $(basename "$HF") exists" test -s "$HF"
HIST=$(sed 's/\\040/ /g' "$HF" 2>/dev/null)
ok "history file holds 'set user \"a?b\"'" grep -qx 'set user "a?b"' <<<"$HIST"
ok "history file has no SECRETVALUE" lacks SECRETVALUE "$HIST"
ok "history file has no mistyped 'conifg' line" lacks conifg "$HIST"

# ---------------------------------------------------------------- session B
# restart on the same state dir: history and hostname survive
start B 100 30 "$ST"
ok "restart: prompt 'fw1 # ' (hostname kept)" wait_at 'fw1 # '
mark
keys Up
ok "restart: Up recalls the last command of the previous run" wait_at 'fw1 # set port 26' same
keys C-c
wait_at 'fw1 # '
mark
keys C-d
ok "Ctrl-D after a Ctrl-C at the prompt exits" poll dead
ok "Ctrl-D after a Ctrl-C: status 0" exited_0

# ---------------------------------------------------------------- session C
# a plain Ctrl-D at the prompt: status 0, no warning
start C 100 30 "$ST"
wait_at 'fw1 # '
mark
keys C-d
ok "Ctrl-D at the prompt exits" poll dead
ok "Ctrl-D at the prompt: status 0" exited_0
ok "Ctrl-D at the prompt: no warning" hasnt 'discard'

# ---------------------------------------------------------------- session D
# --More-- in a 100x10 window (a page is 9 lines plus the --More-- row), on
# 30 entries made beforehand by a script on stdin
ST2=$T/state-more
{
	printf 'config system global\nset console-output more\nend\nconfig system mail\n'
	for i in $(seq 1 30); do
		printf 'edit m%02d\nset server "smtp%02d.example.com"\nset port 587\nnext\n' "$i" "$i"
	done
	printf 'end\n'
} >"$T/setup.txt"
EXP='' NEXP=0
if "$APPSH" --state-dir "$ST2" <"$T/setup.txt" >"$T/setup.out" 2>&1; then
	EXP=$("$APPSH" --state-dir "$ST2" -c 'show system mail') # not a tty: never paged
	NEXP=$(wc -l <<<"$EXP")
fi
# the command line, then the first N lines of the expected output
page() { printf '%s\n' "appsh # show system mail" && head -n "$1" <<<"$EXP"; }
# the pager shows --More-- before it turns echo off: a key sent while the
# terminal is still canonical would be echoed, so wait for -icanon too
pager_waits() { is_at '--More--' && stty -F "$PTY" -a | grep -q -- '-icanon'; }
# --More-- is at row mark+N and everything above it is page N-1
more_at() { pager_waits && [ "$ROW" -eq $((M + $1)) ] && [ "$(since | head -n -1 | strip)" = "$(page $(($1 - 1)))" ]; }

if [ "$NEXP" -gt 30 ]; then
	pass "setup script on stdin: show system mail has $NEXP lines"
	start D 100 10 "$ST2"
	PTY=$(tm display -p -t D '#{pane_tty}')
	wait_at 'appsh # '
	mark
	text 'show system mail'
	keys Enter
	ok "--More-- below the first 9 lines" poll more_at 10
	keys Space
	ok "space: the next 9 lines, then --More--" poll more_at 19
	keys Enter
	ok "Enter: one more line, then --More--" poll more_at 20
	keys q
	ok "q: back to the prompt" wait_at 'appsh # '
	ok "q: the rest discarded, --More-- erased" same_as "$(page 19)" 'appsh #'

	run 'config system global' 'appsh (global) # '
	run 'set console-output standard' 'appsh (global) # '
	run end 'appsh # '
	mark
	text 'show system mail'
	keys Enter
	wait_at 'appsh # '
	ok "console-output standard: whole output, no --More--" same_as "$(page "$NEXP")" 'appsh #'
else
	fail "setup script on stdin failed: no --More-- checks" "$(head -5 "$T/setup.out")"
fi

echo "run time $(((${EPOCHREALTIME/./} - START) / 1000)) ms"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
