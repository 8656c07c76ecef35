# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# lib-maild.sh - a state directory with fazmaild, appsh-sendmail and real
# SMTP peers (tests/smtp/lib-smtp.sh) for the mail daemon's tests.
#
#   maild_init             lib-smtp's smtp_init, then a fresh state dir
#                          ($STATE, exported as APPSH_STATE_DIR) and ASan
#                          logs of the detached daemon kept in files
#   mail_entry PORT        config system mail entry "1" -> 127.0.0.1:PORT, plain
#   submit SUBJECT [ARGS]  one message through appsh-sendmail (default
#                          recipient rcpt@example.com); prints its Message-ID
#   stat NAME              a field of `fazmaild 2` (sent, failed, discard, queue)
#   wait_stat NAME VALUE [SECONDS]
#   daemon_pid             the running daemon's pid (from its pid file), or ""
#   maild_asan_check       fails if the daemon (or anything) left an ASan report
APPSH=${1:?usage: $0 path/to/appsh}
BIN=$(dirname "$APPSH")
SENDMAIL=$BIN/appsh-sendmail
FAZMAILD=$BIN/fazmaild
# shellcheck source=tests/smtp/lib-smtp.sh
. "$APPSH_SRC/tests/smtp/lib-smtp.sh"

maild_init() {
	smtp_init
	trap maild_cleanup EXIT
	STATE=$SMTP_TMP/state
	export APPSH_STATE_DIR=$STATE
	# The daemon detaches and closes its stdio: keep its sanitizer
	# reports in files that maild_asan_check reads.
	export ASAN_OPTIONS="log_path=$SMTP_TMP/asan:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="log_path=$SMTP_TMP/ubsan:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	export APPSH_MAILD_RETRY=1
}

maild_stop() {
	local pid
	pid=$(daemon_pid)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	for _ in $(seq 100); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
		smtp_sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

maild_cleanup() {
	maild_stop
	smtp_cleanup
}

daemon_pid() {
	local pid
	pid=$(cat "$STATE/fazmaild.pid" 2>/dev/null) || return 0
	# Only a live fazmaild counts: a dead one's pid file stays behind.
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = fazmaild ] && echo "$pid"
	return 0
}

mail_entry() {
	"$APPSH" -c "config system mail
edit \"1\"
set server \"127.0.0.1\"
set port $1
set secure-option none
set from \"fazmaild@example.com\"
next
end" >/dev/null
}

N_SUBMIT=0
submit() {
	local subject=$1
	shift
	N_SUBMIT=$((N_SUBMIT + 1))
	local id="<t$N_SUBMIT.$$@test.example>"
	printf 'From: sender@example.com\nTo: rcpt@example.com\nSubject: %s\nMessage-ID: %s\n\nbody of %s\n' \
		"$subject" "$id" "$subject" | "$SENDMAIL" "$@" -- "${RCPT:-rcpt@example.com}" >/dev/null || return $?
	echo "$id"
}

stat() {
	"$APPSH" -c 'diagnose test application fazmaild 2' |
		sed -n "s/^total $1[a-z ]* count: *//p; s/^$1: *//p" | head -1
}

wait_stat() {
	local name=$1 want=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		[ "$(stat "$name")" = "$want" ] && return 0
		smtp_sleep 0.1
	done
	return 1
}

maild_asan_check() {
	if compgen -G "$SMTP_TMP/asan*" >/dev/null || compgen -G "$SMTP_TMP/ubsan*" >/dev/null; then
		fail "sanitizer reports: $(cat "$SMTP_TMP"/asan* "$SMTP_TMP"/ubsan* 2>/dev/null | head -40)"
	else
		pass "no sanitizer report from the daemon or the tools"
	fi
}
