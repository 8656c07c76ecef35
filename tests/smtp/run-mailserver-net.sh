#!/bin/bash
# SPDX-License-Identifier: MIT
# run-mailserver-net.sh - `diagnose test connection mailserver` across a
# routed network made of namespaces, for the seed article's examples:
#
#   [client] c0 10.99.1.2/24 -- r0 10.99.1.1 [router] r1 10.99.2.1 -- s0 10.99.2.2/24 [server]
#
# appsh runs in the client namespace (ip netns exec), the SMTP peer
# (smtp_server.py) on 10.99.2.2 port 25 in the server namespace, dnsmasq
# there too.  Cases: delivery through the router, port 25 with and without
# AUTH; example 1, the network is unreachable (the client's interface is
# down; the router has no route); example 2, ping works but TCP/25 is
# silently dropped on the router (SYN retransmissions, then a timeout); RST
# (nothing listening); a name resolved by the DNS server behind the router.
#
# usage: run-mailserver-net.sh path/to/appsh  (exit 0 pass, 1 fail, 77 skip)
# Needs root, iproute2, nftables, iputils-ping; dnsmasq-base for the DNS case.
set -u
APPSH=${1:?usage: run-mailserver-net.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces)"
	exit 77
fi
for c in ip nft ping; do
	command -v "$c" >/dev/null || {
		echo "SKIP: $c not installed (packages iproute2 nftables iputils-ping)"
		exit 77
	}
done
if ! ip netns add "appsh-probe-$$" 2>/dev/null; then
	echo "SKIP: cannot create network namespaces here"
	exit 77
fi
ip netns del "appsh-probe-$$"
if [ ! -x "$APPSH" ]; then
	echo "FAIL: $APPSH is not executable"
	echo "0 passed, 1 failed"
	exit 1
fi
APPSH=$(cd "$(dirname "$APPSH")" && pwd)/$(basename "$APPSH")
# shellcheck source=tests/smtp/lib-smtp.sh
. "$HERE/lib-smtp.sh"
smtp_init
export SSL_CERT_FILE=$SMTP_PKI/ca.crt # the test CA (no certificate store yet)
unset SSL_CERT_DIR APPSH_STATE_DIR
T0=${EPOCHREALTIME/./}

# ---- the topology ------------------------------------------------------------
# Names unique to this run; only the namespaces made here are ever deleted.
NS_C=appsh$$-client NS_R=appsh$$-router NS_S=appsh$$-server
IP_C=10.99.1.2 IP_RC=10.99.1.1 IP_RS=10.99.2.1 IP_S=10.99.2.2
MADE_NS=()
inC() { ip netns exec "$NS_C" "$@"; }
inR() { ip netns exec "$NS_R" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

topo_up() {
	local ns
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || return 1
		MADE_NS+=("$ns")
		ip -n "$ns" link set lo up || return 1
		# ICMP errors unthrottled, so that back-to-back cases each get theirs
		ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 || return 1
	done
	# veth pairs made inside the namespaces: nothing appears in the root one
	ip link add c0 netns "$NS_C" type veth peer name r0 netns "$NS_R" &&
		ip link add s0 netns "$NS_S" type veth peer name r1 netns "$NS_R" &&
		ip -n "$NS_C" addr add "$IP_C/24" dev c0 &&
		ip -n "$NS_R" addr add "$IP_RC/24" dev r0 &&
		ip -n "$NS_R" addr add "$IP_RS/24" dev r1 &&
		ip -n "$NS_S" addr add "$IP_S/24" dev s0 &&
		ip -n "$NS_C" link set c0 up && ip -n "$NS_R" link set r0 up &&
		ip -n "$NS_R" link set r1 up && ip -n "$NS_S" link set s0 up &&
		ip -n "$NS_C" route add default via "$IP_RC" &&
		ip -n "$NS_S" route add default via "$IP_RS" &&
		inR sysctl -qw net.ipv4.ip_forward=1
}

topo_down() {
	local ns pid
	for ns in "${MADE_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	MADE_NS=()
}
DNSMASQ_PID=
cleanup() {
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	smtp_cleanup
	topo_down
}
trap cleanup EXIT

if ! topo_up; then
	echo "FAIL the namespaces could not be set up"
	echo "0 passed, 1 failed"
	exit 1
fi

# The peers run in the server namespace: lib-smtp starts "$SMTP_PY" with the
# server's flags, so SMTP_PY becomes a wrapper that enters it first.
cat >"$SMTP_TMP/py-in-server" <<EOF
#!/bin/sh
exec ip netns exec $NS_S $SMTP_PY "\$@"
EOF
chmod +x "$SMTP_TMP/py-in-server"
SMTP_PY=$SMTP_TMP/py-in-server

USER_NAME=alice
PW=Nq3-ecr3t_Pw7
# Port 25 with STARTTLS, AUTH offered after TLS but not required: it takes
# mail with and without AUTH (the article's fourth example).
for p in "p25 --host $IP_S --port 25 --auth plain,login --user $USER_NAME --password $PW" \
	"p587 --host $IP_S --port 587 --mode plain"; do
	# shellcheck disable=SC2086 # the flags are words
	launch_server $p
	: >>"$SMTP_TMP/${p%% *}.out" # wait_server may read it before the server opens it
done
for n in p25 p587; do
	wait_server "$n" || {
		echo "FAIL peer $n did not start"
		echo "0 passed, 1 failed"
		exit 1
	}
done

# ---- running a case ------------------------------------------------------------
CASES=$SMTP_TMP/cases
mkdir -p "$CASES"
AUTH=$(printf 'set auth enable\nset user %s\nset passwd %s' "$USER_NAME" "$PW")
DNS_SETS=''
WRAP=() # a command appsh runs under (setpriv, to take a privilege away)
FROM=alerts@example.test TO=ops@example.test

# mt CASE SETTINGS ARGS...: the test of entry "1" (SETTINGS: set lines), run
# by appsh in the client namespace with debug 255 on.
mt() {
	local c=$1 st=$SMTP_TMP/state-$1 script t0
	shift
	mkdir -p "$st"
	script=$(mailtest_script "$@")
	LAST=$(printf '%s\n' "$script" | wc -l)
	t0=${EPOCHREALTIME/./}
	inC "${WRAP[@]}" "$APPSH" --state-dir "$st" -c "$script" >"$CASES/$c.out" 2>"$CASES/$c.err"
	RC=$?
	MS=$(((${EPOCHREALTIME/./} - t0) / 1000))
	OUT=$(cat "$CASES/$c.out")
	ERR=$(cat "$CASES/$c.err")
}

PROBLEMS=()
problem() { PROBLEMS+=("$*"); }
verdict() {
	if [ ${#PROBLEMS[@]} -eq 0 ]; then
		pass "$1"
	else
		fail "$1"
		local p
		for p in "${PROBLEMS[@]}"; do echo "    - $p"; done
		printf '%s\n' "$OUT" | tail -n 25 | sed 's/^/    | /'
		[ -z "$ERR" ] || printf '%s\n' "$ERR" | sed 's/^/    ! /'
	fi
	PROBLEMS=()
}
has() { grep -qF -- "$1" <<<"$OUT" || problem "stdout lacks: $1"; }
has_re() { grep -qE -- "$1" <<<"$OUT" || problem "stdout lacks /$1/"; }
setup_ok() {
	local bad
	bad=$(grep -v "^line $LAST: " <<<"$ERR" | grep -v '^$')
	[ -z "$bad" ] || problem "a setup command failed: $bad"
}
ok() {
	setup_ok
	[ "$(grep '^Result: ' <<<"$OUT")" = 'Result: OK (mail server "1" accepted the message)' ] ||
		problem "verdict is '$(grep '^Result: ' <<<"$OUT")', want Result: OK"
	[ "$RC" = 0 ] || problem "exit status $RC, want 0"
	[ -z "$ERR" ] || problem "stderr not empty"
}
# failed LAYER REASON-ERE HINT-PHRASE CODE (see run-mailserver.sh)
failed() {
	local r h
	setup_ok
	r=$(grep '^Result: ' <<<"$OUT")
	case $r in
	"Result: FAILED at $1: "*)
		grep -qE -- "$2" <<<"${r#"Result: FAILED at $1: "}" ||
			problem "reason does not match /$2/: $r"
		;;
	*) problem "verdict is '$r', want 'Result: FAILED at $1: /$2/'" ;;
	esac
	h=$(grep '^Hint: ' <<<"$OUT")
	case $h in
	"Hint: "*"$3"*) ;;
	*) problem "hint is '$h', want it to hold '$3'" ;;
	esac
	[ "$RC" = 1 ] || problem "exit status $RC, want 1"
	grep -qxF "line $LAST: Command fail. Return code $4" <<<"$ERR" ||
		problem "stderr lacks 'line $LAST: Command fail. Return code $4'"
}
spooled() {
	wait_idle "$1"
	[ "$(spool_count "$1")" = "$2" ] || problem "$1 spooled $(spool_count "$1") messages, want $2"
}
in_range() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
# The time appsh itself reports for the connection attempt ("... after N ms"
# on the TCP line).  Checks compare it with the test's own timeout (3 s):
# whether the timeout was reached is the event that matters, not how long
# a loaded machine took to get there.
attempt_ms() { sed -nE 's/^TCP: [^ ]+: .* after ([0-9]+) ms$/\1/p' <<<"$OUT" | head -n1; }
ended_before_timeout() {
	local ms
	ms=$(attempt_ms)
	[ -n "$ms" ] && [ "$ms" -lt 3000 ] || problem "$1 (attempt: ${ms:-no 'after N ms'} ms, the timeout is 3000 ms)"
}
SERVER25=$(printf 'set server %s\nset port 25' "$IP_S")

# ---- through the router --------------------------------------------------------
mt routed "$SERVER25
set secure-option default" $FROM $TO 3
ok
has "TCP: connected to $IP_S:25 in"
has_re "^TLS: TLSv1\.[23] .*verification ok$"
spooled p25 1
[ "$(spool_env p25 auth)" = - ] || problem "the message was sent with AUTH"
verdict "port 25 without AUTH, through the router: delivered over STARTTLS"

mt routed-auth "$SERVER25
set secure-option default
$AUTH" $FROM $TO 3
ok
has "AUTH: AUTH PLAIN accepted"
spooled p25 2
[ "$(spool_env p25 auth)" = "$USER_NAME" ] || problem "the message was not sent as $USER_NAME"
verdict "port 25 with AUTH, through the router: delivered, authenticated"

# ---- example 1: the network is unreachable ---------------------------------------
# The client's interface is down (the article disabled it): no route at all.
ip -n "$NS_C" link set c0 down
mt if-down "$SERVER25
set secure-option default" $FROM $TO 3
failed TCP "^Network is unreachable; no SYN left this host$" "routing table" 3
has_re "^TCP: ${IP_S//./\\.}:25: Network is unreachable after [0-9]+ ms$"
has "TCP: on the wire: no SYN left this host"
has_re "^Verdict: this appliance has no route to ${IP_S//./\\.} \[no-route\]$"
ended_before_timeout "an unreachable network is known without waiting for the timeout"
verdict "example 1: the client's interface is down: FAILED at TCP, network unreachable"
ip -n "$NS_C" link set c0 up
ip -n "$NS_C" route add default via "$IP_RC" 2>/dev/null

# The router has no route to the server's network: it answers with ICMP.
mt no-route "set server 10.99.3.2
set port 25
set secure-option default" $FROM $TO 3
failed TCP "unreachable|No route to host" "on the router $IP_RC" 3
# The capture names the router's ICMP error, in the TCP line and the verdict.
has "TCP: on the wire: ICMP type 3 code 0 (net unreachable) from $IP_RC"
has_re "^Verdict: the router ${IP_RC//./\\.} has no route to 10\.99\.3\.2 \(ICMP net unreachable\) \[router-no-route\]$"
ended_before_timeout "the router's ICMP error ends the attempt before the timeout"
verdict "example 1: the router has no route to the server's network: FAILED at TCP, unreachable"

# ---- example 2: ping works, TCP/25 is silently dropped -----------------------------
inR nft -f - <<'EOF'
table inet appsh_test {
	chain forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 25 counter drop
	}
}
EOF
if inC ping -c1 -W1 -q "$IP_S" >/dev/null 2>&1; then
	pass "example 2: ping to the server works through the router"
else
	fail "example 2: ping to the server works through the router"
fi
mt dropped "$SERVER25
set secure-option default" $FROM $TO 3
failed TCP "no answer" "firewalls in between" 3
has_re "^TCP: ${IP_S//./\\.}:25: no answer \(timed out\) after [0-9]+ ms$"
# The capture saw the SYNs go out unanswered, and ping still works.
has_re "^TCP: on the wire: [0-9]+ SYN sent, no reply; ping to the host: ok$"
has_re "^Result: FAILED at TCP: no answer in time; [0-9]+ SYN sent, no reply; ping to the host: ok$"
has_re "^Verdict: [0-9]+ SYN to ${IP_S//./\\.} port 25 went unanswered while the host answers ping: a firewall silently drops TCP 25 \(waited [0-9.]+ s; the timeout is 3 s per step, the test's <timeout> argument\) \[firewall-drop\]$"
seen=$(sed -n 's/^TCP: on the wire: \([0-9]*\) SYN sent.*/\1/p' <<<"$OUT")
[ "${seen:-0}" -ge 2 ] || problem "the capture saw ${seen:-0} SYNs, want at least 2 (retransmissions)"
# The test's own 3 s timeout ended it (not the kernel's two minutes).
ms=$(attempt_ms)
in_range "${ms:-0}" 2900 60000 || problem "the attempt took ${ms:-?} ms, want the 3 s timeout (not the kernel's)"
# The SYN was sent again and again, and never answered.
syns=$(inR nft list chain inet appsh_test forward | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${syns:-0}" -ge 2 ] || problem "the router dropped ${syns:-0} SYNs, want at least 2 (retransmissions)"
spooled p25 2
verdict "example 2: TCP/25 dropped on the router: FAILED at TCP, no answer (timed out), firewall hint"
inR nft delete table inet appsh_test

# ---- RST: nothing listening -------------------------------------------------------
mt rst "set server $IP_S
set port 26
set secure-option none" $FROM $TO 3
failed TCP "^Connection refused; SYN answered by RST$" "check port in config system mail" 3
has "TCP: on the wire: SYN answered by RST"
has_re "\[port-closed\]$"
ended_before_timeout "a RST ends the attempt before the timeout"
verdict "nothing listening on the server: connection refused"

# Without CAP_NET_RAW there is no capture: one line says so, the test goes on.
if command -v setpriv >/dev/null; then
	WRAP=(setpriv --bounding-set -net_raw)
	mt rst-nocap "set server $IP_S
set port 26
set secure-option none" $FROM $TO 3
	WRAP=()
	failed TCP "^Connection refused$" "check port in config system mail" 3
	has "TCP: packet capture not permitted (it needs root or CAP_NET_RAW): testing without it"
	[ "$(grep -c 'capture' <<<"$OUT")" = 1 ] || problem "the missing capture is not said in exactly one line"
	grep -q 'on the wire' <<<"$OUT" && problem "packet evidence shown without a capture"
	verdict "no CAP_NET_RAW: the test says in one line that it cannot capture, and goes on"
else
	echo "SKIP no-capture case: setpriv not installed (package util-linux)"
fi

# ---- DNS behind the router ----------------------------------------------------------
DNSMASQ=/usr/sbin/dnsmasq
if [ ! -x "$DNSMASQ" ]; then
	echo "SKIP DNS case: dnsmasq not installed (package dnsmasq-base)"
else
	inS "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--bind-interfaces --listen-address="$IP_S" --port=53 --user=root --group=root \
		--pid-file="$SMTP_TMP/dnsmasq.pid" --log-facility="$SMTP_TMP/dnsmasq.log" \
		--log-queries --local=/example.test/ --host-record=mail.example.test,"$IP_S" \
		2>"$SMTP_TMP/dnsmasq.err" &
	DNSMASQ_PID=$!
	for _ in $(seq 100); do
		[ -s "$SMTP_TMP/dnsmasq.pid" ] && break
		smtp_sleep 0.02
	done
	DNS_SETS="set primary $IP_S"
	mt dns "set server mail.example.test
set port 587
set secure-option none" $FROM $TO 3
	ok
	has_re "^DNS: mail\.example\.test has address ${IP_S//./\\.} \(A, answered by ${IP_S//./\\.} in [0-9]+ ms\)$"
	spooled p587 1
	verdict "the server's name resolved by the DNS server behind the router, then delivered"
	DNS_SETS=''
fi

# ---- secrets -----------------------------------------------------------------------
OUT='' ERR=''
leaks=$(grep -rlF -e "$PW" -e "$(printf '\0%s\0%s' "$USER_NAME" "$PW" | base64 -w0)" \
	"$CASES" "$SMTP_TMP"/*/transcript.log "$SMTP_TMP"/*.log 2>/dev/null)
[ -z "$leaks" ] || problem "the password shows in: $leaks"
verdict "the password is in no output or peer log"

echo "total time $(((${EPOCHREALTIME/./} - T0) / 1000)) ms"
summary
