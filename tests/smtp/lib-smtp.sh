# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# lib-smtp.sh - start real SMTP peers (smtp_server.py) for a test script and
# check what they saw.  Source it, then:
#
#   smtp_init                       skip (exit 77) unless the peers can run;
#                                   make SMTP_TMP and the PKI (SMTP_PKI); set an
#                                   EXIT trap that stops every server
#   start_server NAME ARGS...       start smtp_server.py (ARGS as its flags) on
#                                   a free port, wait for "READY <port>";
#                                   sets SMTP_PORT[NAME], SMTP_PID[NAME] and PORT
#                                   (SMTP_NETNS=NS start_server ... runs it in
#                                   network namespace NS, e.g. with --host
#                                   10.99.2.2 --port 25)
#   launch_server NAME ARGS...      the same without waiting; then
#   wait_server NAME                ... wait for it (start several in parallel)
#   stop_server NAME | stop_all
#   start_sink NAME [OPTIONS...]    Postfix's smtp-sink (load, 4xx/5xx/drop
#                                   faults: -r/-f/-q/-Q CMD,...) on a free port;
#                                   skips (77) if it is not installed
#   sink_counters NAME              its last "sess=N quit=N mesg=N" line
#   free_port                       a port with nothing listening on 127.0.0.1
#   spool_dir NAME | transcript NAME | spool_count NAME | spool_last NAME
#   spool_env NAME KEY [FILE]       KEY from the .env of FILE (default: last msg)
#   wait_idle NAME [SECONDS]        until every connection the server saw closed
#   wait_transcript NAME ERE [SECONDS]
#   expect_spool_count NAME N DESC / expect_transcript NAME ERE DESC /
#   expect_no_transcript NAME ERE DESC / expect_env NAME KEY VALUE DESC
#                                   pass/fail checks (pass/fail/summary are
#                                   defined here unless the caller has them)
#   mailtest_script SETTINGS ARGS...  the commands of one mail-server test
#
# Every server gets --pki "$SMTP_PKI" --spool "$(spool_dir NAME)" before ARGS
# (later flags win).  Its stderr goes to $SMTP_TMP/NAME.log, which start_server
# prints if the server does not come up.  A caller with its own EXIT trap
# calls smtp_cleanup from it.

SMTP_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMTP_PY=${SMTP_PY:-/usr/bin/python3} # Debian's python: aiosmtpd is in dist-packages
SMTP_SERVER=$SMTP_LIB_DIR/smtp_server.py
SMTP_START_TIMEOUT=${SMTP_START_TIMEOUT:-5}
declare -gA SMTP_PORT=() SMTP_PID=()
SMTP_TMP=${SMTP_TMP:-}

if ! declare -F pass >/dev/null; then
	PASSED=0 FAILED=0
	pass() { echo "PASS $*"; PASSED=$((PASSED + 1)); }
	fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
	summary() {
		echo "$PASSED passed, $FAILED failed"
		[ "$FAILED" -eq 0 ]
	}
fi

# A sleep without a fork, for 20 ms polls.
exec {SMTP_SLEEP_FD}<> <(:)
smtp_sleep() { read -r -t "$1" -u "$SMTP_SLEEP_FD" _ || true; }

# smtp_need CMD... : exit 77 with the reason unless every CMD is usable.
smtp_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || {
			echo "SKIP: $c not installed"
			exit 77
		}
	done
}

smtp_init() {
	smtp_need openssl flock
	[ -x "$SMTP_PY" ] || {
		echo "SKIP: $SMTP_PY not found (Debian's python3 runs the test SMTP peers)"
		exit 77
	}
	"$SMTP_PY" -c 'import aiosmtpd' 2>/dev/null || {
		echo "SKIP: python3-aiosmtpd not installed (apt-get install python3-aiosmtpd)"
		exit 77
	}
	SMTP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/appsh-smtp.XXXXXX")
	# One PKI per build tree is enough (certs.sh is idempotent and locked).
	SMTP_PKI=${SMTP_PKI:-${APPSH_BUILD:+$APPSH_BUILD/test-pki}}
	SMTP_PKI=${SMTP_PKI:-$SMTP_TMP/pki}
	"$SMTP_LIB_DIR/certs.sh" "$SMTP_PKI" || {
		echo "FAIL certs.sh $SMTP_PKI"
		exit 1
	}
	trap smtp_cleanup EXIT
	trap 'exit 130' INT TERM
}

smtp_cleanup() {
	stop_all
	[ -n "$SMTP_TMP" ] && [ -z "${SMTP_KEEP:-}" ] && rm -rf "$SMTP_TMP"
	return 0
}

spool_dir() { echo "$SMTP_TMP/$1"; }
transcript() { echo "$SMTP_TMP/$1/transcript.log"; }

launch_server() {
	local name=$1
	shift
	[ -n "$SMTP_TMP" ] || {
		echo "lib-smtp: smtp_init first" >&2
		return 1
	}
	[ -z "${SMTP_PID[$name]:-}" ] || stop_server "$name"
	rm -rf "${SMTP_TMP:?}/$name"
	mkdir -p "$SMTP_TMP/$name"
	: >"$SMTP_TMP/$name.out" # empty until READY, so no stale READY line
	local ns=()
	[ -n "${SMTP_NETNS:-}" ] && ns=(ip netns exec "$SMTP_NETNS")
	"${ns[@]}" "$SMTP_PY" "$SMTP_SERVER" --pki "$SMTP_PKI" --spool "$SMTP_TMP/$name" "$@" \
		>"$SMTP_TMP/$name.out" 2>"$SMTP_TMP/$name.log" &
	SMTP_PID[$name]=$!
}

wait_server() {
	local name=$1 pid=${SMTP_PID[$1]} i line=
	for ((i = 0; i < SMTP_START_TIMEOUT * 50; i++)); do
		read -r line 2>/dev/null <"$SMTP_TMP/$name.out"
		case $line in READY\ *) break ;; esac
		kill -0 "$pid" 2>/dev/null || break
		smtp_sleep 0.02
	done
	case $line in
	READY\ [0-9]*)
		SMTP_PORT[$name]=${line#READY }
		# shellcheck disable=SC2034  # for the caller
		PORT=${SMTP_PORT[$name]}
		return 0
		;;
	esac
	echo "lib-smtp: server $name did not start; its log:" >&2
	sed 's/^/  /' "$SMTP_TMP/$name.log" >&2
	kill "$pid" 2>/dev/null
	unset "SMTP_PID[$name]"
	return 1
}

start_server() {
	launch_server "$@" && wait_server "$1"
}

stop_server() {
	local pid=${SMTP_PID[$1]:-} i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		smtp_sleep 0.02
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "SMTP_PID[$1]" "SMTP_PORT[$1]"
}

stop_all() {
	local n
	for n in "${!SMTP_PID[@]}"; do kill "${SMTP_PID[$n]}" 2>/dev/null; done
	for n in "${!SMTP_PID[@]}"; do stop_server "$n"; done
}

# start_sink NAME [smtp-sink options...]: counters (-c) on; as root it runs
# as nobody (-u, which smtp-sink demands of root).  Ready once the port is
# in LISTEN state (checked in /proc, so no connection skews the counters).
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
start_sink() {
	local name=$1 port hex i u=()
	shift
	[ -x "$SMTP_SINK" ] || {
		echo "SKIP: $SMTP_SINK not installed (package postfix)"
		exit 77
	}
	[ "$(id -u)" = 0 ] && u=(-u nobody)
	[ -z "${SMTP_PID[$name]:-}" ] || stop_server "$name"
	port=$(free_port)
	"$SMTP_SINK" -c "${u[@]}" "$@" "127.0.0.1:$port" 1000 \
		>"$SMTP_TMP/$name.out" 2>"$SMTP_TMP/$name.log" &
	SMTP_PID[$name]=$!
	printf -v hex ':%04X' "$port"
	for ((i = 0; i < SMTP_START_TIMEOUT * 50; i++)); do
		if awk -v p="$hex" '$2 ~ p "$" && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp; then
			SMTP_PORT[$name]=$port
			# shellcheck disable=SC2034  # for the caller
			PORT=$port
			return 0
		fi
		kill -0 "${SMTP_PID[$name]}" 2>/dev/null || break
		smtp_sleep 0.02
	done
	echo "lib-smtp: smtp-sink $name did not start; its log:" >&2
	sed 's/^/  /' "$SMTP_TMP/$name.log" >&2
	stop_server "$name"
	return 1
}

# The sink's counters are rewritten in place with CRs; print the last one.
sink_counters() {
	tr '\r' '\n' <"$SMTP_TMP/$1.out" | grep '^sess=' | tail -n 1
}

# A port nobody listens on (for "connection refused"); the kernel picks it.
free_port() {
	"$SMTP_PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

spool_count() {
	local f n=0
	for f in "$SMTP_TMP/$1"/*.eml; do [ -e "$f" ] && n=$((n + 1)); done
	echo "$n"
}

# The newest message (highest sequence number) of NAME.
spool_last() {
	# shellcheck disable=SC2012  # names are msg-<pid>-<n>.eml, no odd characters
	ls "$SMTP_TMP/$1"/*.eml 2>/dev/null | sort -t- -k3 -n | tail -n 1
}

spool_env() {
	local f=${3:-$(spool_last "$1")}
	[ -n "$f" ] || return 1
	sed -n "s/^$2=//p" "${f%.eml}.env"
}

wait_transcript() {
	local i
	for ((i = 0; i < ${3:-3} * 50; i++)); do
		grep -Eq -- "$2" "$(transcript "$1")" 2>/dev/null && return 0
		smtp_sleep 0.02
	done
	return 1
}

# Until every connection in NAME's transcript has closed (default 3 s).
wait_idle() {
	local i open
	for ((i = 0; i < ${2:-3} * 50; i++)); do
		open=$(awk '$3 == "connect" { c[$1] = 1 } $3 == "close" { delete c[$1] }
			END { n = 0; for (k in c) n++; print n }' "$(transcript "$1")" 2>/dev/null)
		[ "${open:-0}" = 0 ] && return 0
		smtp_sleep 0.02
	done
	return 1
}

expect_spool_count() {
	wait_idle "$1"
	local n
	n=$(spool_count "$1")
	if [ "$n" = "$2" ]; then pass "$3"; else fail "$3 ($1 holds $n messages, want $2)"; fi
}

expect_transcript() {
	wait_idle "$1"
	if grep -Eq -- "$2" "$(transcript "$1")" 2>/dev/null; then
		pass "$3"
	else
		fail "$3 (no /$2/ in $1's transcript)"
		sed 's/^/  | /' "$(transcript "$1")" | tail -n 20
	fi
}

expect_no_transcript() {
	wait_idle "$1"
	if ! grep -Eq -- "$2" "$(transcript "$1")" 2>/dev/null; then
		pass "$3"
	else
		fail "$3 (/$2/ in $1's transcript)"
		grep -E -- "$2" "$(transcript "$1")" | sed 's/^/  | /' | head -n 5
	fi
}

expect_env() {
	wait_idle "$1"
	local v
	v=$(spool_env "$1" "$2")
	if [ "$v" = "$3" ]; then pass "$4"; else fail "$4 ($2=$v, want $3)"; fi
}

# mailtest_script SETTINGS ARGS...: the appsh commands of one mail-server
# test: `config system dns` from $DNS_SETS (when set), entry "1" made of
# SETTINGS (set lines), debug 255 on, then the test with ARGS (mail-from
# mail-to [timeout]).  Shared by run-mailserver.sh and run-mailserver-net.sh.
mailtest_script() {
	local sets=$1 dns=''
	shift
	[ -n "${DNS_SETS:-}" ] && dns=$(printf 'config system dns\n%s\nend' "$DNS_SETS")$'\n'
	printf '%s' "${dns}config system mail
edit 1
$sets
next
end
diagnose debug application fazmaild 255
diagnose debug enable
diagnose test connection mailserver 1 $*"
}
