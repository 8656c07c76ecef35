#!/bin/bash
# SPDX-License-Identifier: MIT
# run-verdict-net.sh - the fault matrix, network part, in namespaces
# (tests/net/lib-topo.sh: client -- router -- server): nftables drop and
# reject with each ICMP type on the router, a host missing on the
# client's own subnet (no ARP answer) and behind the router (the router's
# host unreachable), a network the router has no route to, and DNS
# through `system dns`: dnsmasq, a resolver with nothing on port 53, a
# silent one, none configured.  appsh runs in the client namespace, as
# root, so it captures the packets.  usage: run-verdict-net.sh path/to/appsh
set -u
APPSH=${1:?usage: run-verdict-net.sh path/to/appsh}
HERE=$(cd "$(dirname "$0")" && pwd)
APPSH=$(cd "$(dirname "$APPSH")" && pwd)/$(basename "$APPSH")
P=apv$$-
# shellcheck source=tests/net/lib-topo.sh
. "$HERE/../net/lib-topo.sh"
# shellcheck source=tests/smtp/lib-smtp.sh
. "$HERE/../smtp/lib-smtp.sh"
# shellcheck source=tests/diag/lib-verdict.sh
. "$HERE/lib-verdict.sh"
smtp_init
trap 'smtp_cleanup; cleanup' EXIT
export SSL_CERT_FILE=$SMTP_PKI/ca.crt
unset SSL_CERT_DIR
DNSMASQ=/usr/sbin/dnsmasq
[ -x "$DNSMASQ" ] || { echo "SKIP: dnsmasq not installed (dnsmasq-base)"; exit 77; }

# The SMTP peer listens on several ports of the server, one per router rule.
PORTS=(25 2601 2602 2603 2604 2605 2606 2607)
for p in "${PORTS[@]}"; do
	SMTP_NETNS=$S launch_server "p$p" --host 10.99.2.2 --host fd99:2::2 --port "$p" --mode plain
	: >>"$SMTP_TMP/p$p.out"
done
for p in "${PORTS[@]}"; do
	wait_server "p$p" || { echo "FAIL peer p$p"; echo "0 passed, 1 failed"; exit 1; }
done
ip netns exec "$S" "$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--no-poll --bind-interfaces --listen-address=10.99.2.2 --port=53 --user=root --group=root \
	--pid-file="$SMTP_TMP/dnsmasq.pid" --local=/example.test/ \
	--host-record=mail.example.test,10.99.2.2 2>"$SMTP_TMP/dnsmasq.err" &
bg_pids+=($!)
ip netns exec "$R" nft -f - <<'END_NFT'
table inet verdict {
	chain forward {
		type filter hook forward priority 0; policy accept;
		tcp dport 2601 drop
		tcp dport 2602 reject with icmp type admin-prohibited
		tcp dport 2603 reject with icmp type host-unreachable
		tcp dport 2604 reject with icmp type port-unreachable
		tcp dport 2605 reject with tcp reset
		tcp dport 2606 reject with icmp type net-unreachable
		ip6 daddr fd99:2::2 tcp dport 2607 reject with icmpv6 type admin-prohibited
		ip daddr 10.99.2.8 drop
		ip daddr 10.99.2.3 udp dport 53 drop
	}
}
END_NFT
for _ in $(seq 100); do [ -s "$SMTP_TMP/dnsmasq.pid" ] && break; smtp_sleep 0.02; done

VERDICT_RUN="ip netns exec $C"
F=alerts@example.test T=ops@example.test
srv() { echo "server $1; port $2; secure-option none"; }
DNS_OF=([dns-ok]="set primary 10.99.2.2" [dns-nxdomain]="set primary 10.99.2.2"
	[dns-closed]="set primary 10.99.2.1" [dns-silent]="set primary 10.99.2.3"
	[dns-none]="set primary 0.0.0.0"
	[dns-fallback]=$'set primary 10.99.2.1\nset secondary 10.99.2.2')
# name # settings # args # layer # reason # category # naive hints # rc
CASES=(
	"routed-ok # $(srv 10.99.2.2 25) # $F $T 3 # OK"
	"fw-drop # $(srv 10.99.2.2 2601) # $F $T 3 # TCP # no answer in time; [0-9]+ SYN sent, no reply; ping to the host: ok # firewall-drop # check port|mail service runs|routing table # 3"
	"fw-prohibited # $(srv 10.99.2.2 2602) # $F $T 3 # TCP # ICMP type 3 code 13 \\(administratively prohibited\\) from 10\\.99\\.1\\.1 # firewall-reject # check port|mail service runs|routing table|is up # 3"
	"fw-host-unreach # $(srv 10.99.2.2 2603) # $F $T 3 # TCP # ICMP type 3 code 1 \\(host unreachable\\) from 10\\.99\\.1\\.1 # host-unreachable # check port|routing table and default gateway|firewall # 3"
	"fw-port-unreach # $(srv 10.99.2.2 2604) # $F $T 3 # TCP # ICMP type 3 code 3 \\(port unreachable\\) from 10\\.99\\.1\\.1 # port-closed # firewall|route # 3"
	"fw-reset # $(srv 10.99.2.2 2605) # $F $T 3 # TCP # Connection refused; SYN answered by RST # port-closed # firewall|route # 3"
	"fw-net-unreach # $(srv 10.99.2.2 2606) # $F $T 3 # TCP # ICMP type 3 code 0 \\(net unreachable\\) from 10\\.99\\.1\\.1 # router-no-route # check port|firewall|default gateway # 3"
	"fw6-prohibited # $(srv fd99:2::2 2607) # $F $T 3 # TCP # ICMPv6 type 1 code 1 \\(administratively prohibited\\) from fd99:1::1 # firewall-reject # check port|mail service runs|routing table # 3"
	"router-no-route # $(srv 10.99.3.2 25) # $F $T 3 # TCP # ICMP type 3 code 0 \\(net unreachable\\) from 10\\.99\\.1\\.1 # router-no-route # check port|firewall|default gateway # 3"
	"router-arp # $(srv 10.99.2.9 25) # $F $T 6 # TCP # ICMP type 3 code 1 \\(host unreachable\\) from 10\\.99\\.1\\.1 # host-unreachable # check port|firewall|default gateway # 3"
	"onlink-dead # $(srv 10.99.1.9 25) # $F $T 6 # TCP # [0-9]+ ARP requests? for 10\\.99\\.1\\.9, no answer # host-down-onlink # router|firewall|check port|routing table # 3"
	"host-silent # $(srv 10.99.2.8 25) # $F $T 3 # TCP # no answer in time; [0-9]+ SYN sent, no reply; ping to the host: no reply either # host-silent # check port|mail service runs # 3"
	"dns-ok # server mail.example.test; port 25; secure-option none # $F $T 3 # OK"
	"dns-fallback # server mail.example.test; port 25; secure-option none # $F $T 3 # OK"
	"dns-nxdomain # server nosuch.example.test; port 25; secure-option none # $F $T 3 # DNS # nosuch\\.example\\.test: NXDOMAIN # dns-nxdomain # config system dns|firewall # 3"
	"dns-closed # server mail.example.test; port 25; secure-option none # $F $T 3 # DNS # unreachable # dns-closed # spelling|is up|firewall # 3"
	"dns-silent # server mail.example.test; port 25; secure-option none # $F $T 2 # DNS # timeout # dns-silent # spelling|runs no DNS # 3"
	"dns-none # server mail.example.test; port 25; secure-option none # $F $T 3 # DNS # no DNS server is configured # dns-none # spelling|firewall # 3"
)
run_matrix

# The verdicts name who said what, and never call this appliance a router.
case_has fw-prohibited '^Verdict: a firewall at 10\.99\.1\.1 rejects TCP port 2602 to 10\.99\.2\.2 ' "the firewall's address"
case_has router-arp '^Verdict: the router 10\.99\.1\.1 cannot reach 10\.99\.2\.9 .*: the host is down or unreachable behind that router' "host unreachable from the router"
case_has onlink-dead "^Verdict: 10\.99\.1\.9 is on this appliance's own subnet but never answered [0-9]+ ARP request" "no ARP answer on the own subnet"
if grep -qE '^(Verdict|Hint): .*(router|10\.99\.1\.2)' "$VDIR/onlink-dead.out"; then
	fail "onlink-dead: a router or the appliance's own address named as the culprit"
else
	pass "onlink-dead: neither a router nor the appliance's own address blamed"
fi
case_has fw-drop '^Verdict: [0-9]+ SYN to 10\.99\.2\.2 port 2601 went unanswered while the host answers ping: .*\(waited [0-9.]+ s; the timeout is 3 s per step' "how long it waited, and which timeout"
case_has dns-closed '^Verdict: nothing answers DNS at 10\.99\.2\.1: port 53 is closed there' "the resolver with nothing on port 53 named"
case_has dns-silent '^Verdict: no DNS server answered: 10\.99\.2\.3: no answer in [0-9]+ ms \(the timeout is 2 s per step' "the silent resolver named, with the time waited"
case_has dns-nxdomain '^Verdict: the DNS server 10\.99\.2\.2 says the name nosuch\.example\.test does not exist' "who said NXDOMAIN"
summary
