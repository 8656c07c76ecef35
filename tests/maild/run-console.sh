#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-console.sh - fazmaild's debug lines on an interactive console (a real
# pty, driven with tmux): they appear above the prompt as they happen, and
# the line being typed is redrawn intact below them.
set -u
# shellcheck source=tests/maild/lib-maild.sh
. "$APPSH_SRC/tests/maild/lib-maild.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 77; }
maild_init
unset TMUX

expect() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
SOCK=$SMTP_TMP/tmux.sock
tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t con -S - -E -; }
cursor_line() {
	local y
	y=$(tm display -p -t con '#{cursor_y}')
	tm capture-pane -p -t con -S "$y" -E "$y" | sed 's/ *$//'
}
wait_screen() { # ERE [SECONDS]
	for _ in $(seq $((${2:-10} * 20))); do
		screen | grep -qE -- "$1" && return 0
		smtp_sleep 0.05
	done
	return 1
}
trap 'tm kill-server 2>/dev/null; maild_cleanup' EXIT

start_server sink --mode plain
mail_entry "$PORT"
"$APPSH" -c 'diagnose test application fazmaild 1' >/dev/null # the daemon runs, as on the appliance
tm new-session -d -s con -x 160 -y 40 \
	env APPSH_STATE_DIR="$STATE" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
	"$APPSH"
expect "the prompt appears" wait_screen ' # ?$' 10
for cmd in 'diagnose debug application fazmaild 8' 'diagnose debug timestamp enable' \
	'diagnose debug enable'; do
	tm send-keys -t con -l -- "$cmd"
	tm send-keys -t con Enter
done
smtp_sleep 0.5
# Half a command typed, not entered, when the daemon starts talking.
tm send-keys -t con -l -- 'get system sta'
smtp_sleep 0.3
submit "on the console" >/dev/null
expect "the daemon's line appears on the console as it happens" \
	wait_screen '^[0-9-]+ [0-9:]+ sendmail_loop:[0-9]+: mail [0-9]+ sent' 10
smtp_sleep 0.3
expect "the typed line is redrawn below it" \
	bash -c "[[ \"\$1\" =~ ' # get system sta'\$ ]]" _ "$(cursor_line)"
expect "the debug line is above the prompt, not in the middle of it" \
	bash -c '! grep -qE "# get system sta.*sendmail|sendmail.*# get system" <<<"$1"' _ "$(screen)"
tm send-keys -t con -l -- 'tus'
tm send-keys -t con Enter
expect "the typed command still runs whole" wait_screen '^Version *:' 10
tm send-keys -t con -l -- 'exit'
tm send-keys -t con Enter
smtp_sleep 0.5
maild_stop
maild_asan_check
summary
