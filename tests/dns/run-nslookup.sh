#!/bin/bash
# SPDX-License-Identifier: MIT
# run-nslookup.sh - `execute nslookup` and `execute nslookup-mx` against real
# DNS servers on port 53 of random 127.53.x.y addresses: two dnsmasq (each
# with its own answer for mail.example.test, so the server that answered
# shows), a resolver that never answers, ones that answer SERVFAIL and
# REFUSED, and an address where nothing listens.
#
# usage: run-nslookup.sh path/to/appsh      (exit 0 pass, 1 fail, 77 skip)
#
# `config system dns` only takes addresses (port 53 implied), so the servers
# need root.  Each case runs `appsh -c` in a fresh state directory.
# Checks are passed to eval in single quotes on purpose:
# shellcheck disable=SC2016
set -u
APPSH=${1:?usage: run-nslookup.sh path/to/appsh}
PY=/usr/bin/python3
DNSMASQ=/usr/sbin/dnsmasq
[ -x "$APPSH" ] || { echo "FAIL: $APPSH is not executable"; echo "0 passed, 1 failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: need root (DNS servers on port 53)"; exit 77; }
[ -x "$DNSMASQ" ] || { echo "SKIP: dnsmasq not installed (package dnsmasq-base)"; exit 77; }
[ -x "$PY" ] || { echo "SKIP: $PY not installed"; exit 77; }
unset APPSH_STATE_DIR
export LC_ALL=C

T=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
exec {SLEEP_FD}<> <(:)
nap() { read -r -t "$1" -u "$SLEEP_FD" _ || true; }

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	{ echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"; echo "--- rc $rc, $ms ms"; } |
		sed 's/^/    /'
}
check() { # DESC COMMAND...: passes when the command succeeds
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
out_has() { grep -qxF -- "$1" "$T/out"; }
out_re() { grep -qE -- "$1" "$T/out"; }
out_lacks() { ! grep -qE -- "$1" "$T/out"; }
err_has() { grep -qxF -- "$1" "$T/err"; }
status() { test "$rc" = "$1"; }
# waited_once LINE: the timeout line of script line LINE reports one 2 s
# wait: at least the timeout and less than two (asking again for AAAA after
# A timed out, or falling back to another server, would double it).  appsh
# measures that itself; a busy machine's wall clock is not asserted on.
waited_once() {
	local n
	n=$(sed -nE "s/^line $1: ;; connection timed out after ([0-9]+) ms; no servers could be reached\$/\1/p" "$T/err")
	[ -n "$n" ] && [ "$n" -ge 1980 ] && [ "$n" -lt 4000 ]
}
no_out() { test ! -s "$T/out"; }

# run DNS_SETS COMMAND: one appsh session; stdout, stderr in $T/out, $T/err,
# the exit status in $rc, the wall time in $ms.
run() {
	local st script t0
	st=$(mktemp -d "$T/state.XXXXXX")
	script=''
	[ -n "$1" ] && script=$(printf 'config system dns\n%s\nend' "$1")$'\n'
	script+=$2
	t0=${EPOCHREALTIME/./}
	"$APPSH" --state-dir "$st" -c "$script" >"$T/out" 2>"$T/err"
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	# The command is the script's last line.
	line=$(printf '%s\n' "$script" | wc -l)
}
# The failure as the shell reports it: the detail, then the return code.
fails_with() {
	status 1 && err_has "line $line: $1" && err_has "line $line: Command fail. Return code -1"
}

# ---- the servers ----------------------------------------------------------
up=0
for _ in 1 2 3 4 5; do
	b=$((RANDOM % 250 + 1)) c=$((RANDOM % 240 + 1))
	OK=127.53.$b.$c OK2=127.53.$b.$((c + 1)) SILENT=127.53.$b.$((c + 2))
	SERVFAIL=127.53.$b.$((c + 3)) REFUSED=127.53.$b.$((c + 4)) NONE=127.53.$b.$((c + 5))
	dp=()
	for s in OK OK2; do
		addr=${!s}
		if [ $s = OK ]; then
			data=("--host-record=mail.example.test,192.0.2.10,2001:db8::10"
				"--host-record=v4.example.test,192.0.2.11"
				"--host-record=v6.example.test,2001:db8::12"
				"--mx-host=example.test,mail.example.test,10"
				"--mx-host=example.test,mx2.example.test,20")
		else
			data=("--host-record=mail.example.test,198.51.100.7")
		fi
		"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
			--listen-address="$addr" --port=53 --bind-interfaces --user=root --group=root \
			--pid-file="$T/dnsmasq-$s.pid" --log-facility="$T/dnsmasq-$s.log" --log-queries \
			--local=/example.test/ --local-ttl=300 "${data[@]}" 2>"$T/dnsmasq-$s.err" &
		dp+=($!)
	done
	# The faulty servers: one process, one socket per address and mode.
	"$PY" -c 'import select, socket, struct, sys
socks = {}
for arg in sys.argv[1:]:
    addr, mode = arg.split("=", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    socks[s] = mode
print("READY", flush=True)
while True:
    for s in select.select(list(socks), [], [])[0]:
        q, peer = s.recvfrom(4096)
        mode = socks[s]
        if mode == "drop" or len(q) < 12:
            continue
        i = 12
        while i < len(q) and q[i]:
            i += 1 + q[i]
        flags = 0x8000 | 0x0100 | 0x0080 | int(mode)
        s.sendto(q[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + q[12:i + 5], peer)' \
		"$SILENT=drop" "$SERVFAIL=2" "$REFUSED=5" >"$T/stub.out" 2>"$T/stub.err" &
	sp=$!
	up=0
	for _ in $(seq 150); do
		kill -0 "${dp[0]}" "${dp[1]}" "$sp" 2>/dev/null || break
		if grep -q READY "$T/stub.out" && [ -s "$T/dnsmasq-OK.pid" ] && [ -s "$T/dnsmasq-OK2.pid" ]; then
			up=1
			break
		fi
		nap 0.02
	done
	pids+=("${dp[@]}" "$sp")
	[ "$up" = 1 ] && break
	kill "${dp[@]}" "$sp" 2>/dev/null
	wait "${dp[@]}" "$sp" 2>/dev/null
	pids=()
done
if [ "$up" != 1 ]; then
	echo "FAIL DNS servers did not start: $(cat "$T"/dnsmasq-*.err "$T/stub.err")"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---- answers ----------------------------------------------------------------
run "set primary $OK" "execute nslookup mail.example.test"
check "A+AAAA: exit 0, nothing on stderr" eval 'status 0 && test ! -s "$T/err"'
check "A+AAAA: the answering server, named as the system dns primary" \
	out_has "Server:  $OK (system dns primary)"
check "A+AAAA: the name" out_has "Name:    mail.example.test"
check "A+AAAA: the A record" out_has "Address: 192.0.2.10"
check "A+AAAA: the AAAA record, after the A" \
	eval 'test "$(sed -n "s/^Address: //p" "$T/out" | tr "\n" " ")" = "192.0.2.10 2001:db8::10 "'
check "A+AAAA: the time taken, last" eval 'tail -n1 "$T/out" | grep -qE "^\(answered in [0-9]+ ms\)$"'
check "A+AAAA: dnsmasq saw both questions from us" \
	eval 'grep -q "query\[A\] mail.example.test from 127" "$T/dnsmasq-OK.log" &&
	      grep -q "query\[AAAA\] mail.example.test from 127" "$T/dnsmasq-OK.log"'

run "set primary $OK" "execute nslookup v6.example.test"
check "AAAA only: the address, no note about A (NODATA is not a failure)" \
	eval 'status 0 && out_has "Address: 2001:db8::12" && test "$(grep -c "^Address:" "$T/out")" = 1 && out_lacks "lookup:"'
run "set primary $OK" "execute nslookup v4.example.test"
check "A only: one address" eval 'status 0 && out_has "Address: 192.0.2.11" && test "$(grep -c "^Address:" "$T/out")" = 1'

run "set primary $OK" "execute nslookup-mx example.test"
check "MX: exit 0" status 0
check "MX: server line" out_has "Server:  $OK (system dns primary)"
check "MX: both exchangers with their preference" \
	eval 'out_has "Mail exchanger: 10 mail.example.test" && out_has "Mail exchanger: 20 mx2.example.test"'
check "MX: the time taken" out_re '^\(answered in [0-9]+ ms\)$'
check "MX: dnsmasq saw an MX question" \
	eval 'grep -q "query\[MX\] example.test from 127" "$T/dnsmasq-OK.log"'
run "set primary $OK" "execute nslookup-mx mail.example.test"
check "MX: a name without MX is NODATA" \
	eval 'fails_with "** server can'"'"'t find mail.example.test: NODATA (the name has no MX record)" &&
	      out_has "Server:  $OK (system dns primary)"'

# ---- failures ----------------------------------------------------------------
run "set primary $OK" "execute nslookup nosuch.example.test"
check "NXDOMAIN: one line, Return code -1, exit 1" \
	fails_with "** server can't find nosuch.example.test: NXDOMAIN (no such name)"
check "NXDOMAIN: which server said so" out_has "Server:  $OK (system dns primary)"
check "NXDOMAIN: no address printed" out_lacks '^Address:'

run "set primary $OK" "execute nslookup example.test"
check "NODATA (name with MX only): told apart from NXDOMAIN" \
	fails_with "** server can't find example.test: NODATA (the name has no A or AAAA record)"

run "set primary $SERVFAIL" "execute nslookup mail.example.test"
check "SERVFAIL" fails_with "** server can't find mail.example.test: SERVFAIL (the server failed)"
check "SERVFAIL: the server that failed" out_has "Server:  $SERVFAIL (system dns primary)"

run "set primary $REFUSED" "execute nslookup-mx example.test"
check "REFUSED" fails_with "** server can't find example.test: REFUSED (the server refused the query)"
run "set primary $OK" "execute nslookup www.other.test"
check "REFUSED from dnsmasq (not its zone, no upstream)" \
	fails_with "** server can't find www.other.test: REFUSED (the server refused the query)"

run "set primary $SILENT" "execute nslookup mail.example.test"
check "silent server: timed out after the 2 s timeout" \
	eval 'status 1 && waited_once "$line"'
check "silent server: no Server line (nobody answered)" no_out

run "set primary $NONE" "execute nslookup mail.example.test"
check "nothing listening: unreachable, told apart from silence" \
	fails_with ";; $NONE unreachable (Connection refused); no servers could be reached"

run "" "execute nslookup mail.example.test"
check "no DNS configured" fails_with "no DNS server is configured (config system dns)"
check "no DNS configured: nothing on stdout" no_out
run "set primary 0.0.0.0" "execute nslookup-mx example.test"
check "no DNS configured (0.0.0.0), MX form" fails_with "no DNS server is configured (config system dns)"

# ---- the server list and the explicit server -----------------------------------
run "$(printf 'set primary %s\nset secondary %s' "$NONE" "$OK")" "execute nslookup mail.example.test"
check "primary down: the secondary answers and is named" \
	eval 'status 0 && out_has "Server:  $OK (system dns secondary)" && out_has "Address: 192.0.2.10"'

asked() { grep -c "query\[.*\] mail.example.test from" "$T/dnsmasq-OK.log"; }
# shellcheck disable=SC2034 # read by the eval below
before=$(asked)
run "set primary $OK" "execute nslookup mail.example.test $OK2"
check "explicit server overrides system dns: its answer" \
	eval 'status 0 && out_has "Address: 198.51.100.7" && out_lacks "192\.0\.2\.10"'
check "explicit server: named without a system dns role" out_has "Server:  $OK2"
check "explicit server: system dns was not asked" eval 'nap 0.2; test "$(asked)" = "$before"'
run "" "execute nslookup mail.example.test $OK2"
check "explicit server works with no DNS configured" \
	eval 'status 0 && out_has "Address: 198.51.100.7"'
run "set primary $OK" "execute nslookup-mx example.test $SERVFAIL"
check "explicit server, MX form: its failure, not system dns's answer" \
	eval 'fails_with "** server can'"'"'t find example.test: SERVFAIL (the server failed)" && out_has "Server:  $SERVFAIL"'
run "set primary $OK" "execute nslookup mail.example.test $SILENT"
check "explicit silent server: timeout, system dns not used as a fallback" \
	eval 'status 1 && waited_once "$line"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
