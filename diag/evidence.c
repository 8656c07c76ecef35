/* SPDX-License-Identifier: MIT */
/*
 * evidence.c - see evidence.h.  The capture runs in the kernel's ring
 * while the SMTP client blocks in connect(); immediate mode makes every
 * packet readable the moment it was seen, so reading the ring after the
 * attempt misses nothing and needs no thread.
 */
#include "diag/evidence.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/capture.h"
#include "net/ping.h"
#include "net/sniff_decode.h"

enum { MAX_ADDRS = 8, DUP_US = 2000 };

/* What was seen about one server address. */
struct seen {
	int family;
	uint8_t ip[16];
	unsigned syns;
	uint16_t syn_sport;
	uint32_t syn_seq;
	long long syn_us, first_syn_us;
	bool synack, rst;
	long long reply_us;
	bool icmp;
	int icmp_family;
	uint8_t icmp_type, icmp_code, icmp_from[16];
};

struct evidence {
	pcap_t *p;
	int linktype;
	uint16_t port;
	struct sockaddr_storage addrs[MAX_ADDRS];
	struct seen seen[MAX_ADDRS];
	size_t n;
};

static void addr_bytes(const struct sockaddr_storage *a, int *family, uint8_t ip[16])
{
	*family = a->ss_family;
	if (a->ss_family == AF_INET6)
		memcpy(ip, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	else
		memcpy(ip, &((const struct sockaddr_in *)a)->sin_addr, 4);
}

static bool same(int fa, const uint8_t *a, int fb, const uint8_t *b)
{
	return fa == fb && memcmp(a, b, fa == AF_INET6 ? 16 : 4) == 0;
}

struct evidence *evidence_start(const struct sockaddr_storage *addrs, size_t n, uint16_t port,
				bool *denied, char *err, size_t errlen)
{
	char filter[1024], ip[INET6_ADDRSTRLEN];
	size_t o;

	*denied = false;
	struct evidence *ev = calloc(1, sizeof *ev);
	if (!ev) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ev->n = n < MAX_ADDRS ? n : MAX_ADDRS;
	ev->port = port;
	o = (size_t)snprintf(filter, sizeof filter, "(tcp port %u and (", port);
	for (size_t i = 0; i < ev->n; i++) {
		ev->addrs[i] = addrs[i];
		addr_bytes(&addrs[i], &ev->seen[i].family, ev->seen[i].ip);
		inet_ntop(ev->seen[i].family, ev->seen[i].ip, ip, sizeof ip);
		o += (size_t)snprintf(filter + o, sizeof filter - o, "%shost %s", i ? " or " : "",
				      ip);
	}
	/* ICMP errors come from routers on the way: any source, checked
	 * against the packet they quote when read. */
	snprintf(filter + o, sizeof filter - o, ")) or icmp or icmp6");
	struct capture_opts co = {
		.ifname = "any",
		.filter = filter,
		.snaplen = 256,
		.buffer_bytes = 1 << 20,
	};
	enum capture_error kind;
	ev->p = capture_open(&co, &kind, err, errlen);
	if (!ev->p) {
		*denied = kind == CAPTURE_E_PERM;
		free(ev);
		return NULL;
	}
	ev->linktype = pcap_datalink(ev->p);
	return ev;
}

static long long usec(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct evidence *ev = (struct evidence *)user;
	struct sniff_parsed p;
	long long t = usec(&h->ts);

	sniff_parse(ev->linktype, bytes, h->caplen, NULL, &p);
	if (p.l3 != SNIFF_L3_IPV4 && p.l3 != SNIFF_L3_IPV6)
		return;
	for (size_t i = 0; i < ev->n; i++) {
		struct seen *s = &ev->seen[i];
		if (p.proto == 6 && p.has_ports) {
			uint8_t f = p.tcp_flags;
			if (p.dport == ev->port && same(p.family, p.dst, s->family, s->ip) &&
			    (f & SNIFF_TCP_SYN) && !(f & SNIFF_TCP_ACK)) {
				/* "any" may show one SYN on two interfaces (a bridge
				 * and its port): the same SYN at once is counted once. */
				if (s->syns && p.sport == s->syn_sport && p.seq == s->syn_seq &&
				    t - s->syn_us < DUP_US)
					continue;
				if (!s->syns)
					s->first_syn_us = t;
				s->syns++;
				s->syn_sport = p.sport;
				s->syn_seq = p.seq;
				s->syn_us = t;
			} else if (p.sport == ev->port && same(p.family, p.src, s->family, s->ip)) {
				if ((f & SNIFF_TCP_SYN) && (f & SNIFF_TCP_ACK) && !s->synack) {
					s->synack = true;
					s->reply_us = t;
				} else if ((f & SNIFF_TCP_RST) && !s->rst) {
					s->rst = true;
					s->reply_us = t;
				}
			}
		} else if ((p.proto == 1 || p.proto == 58) && p.has_inner && p.inner_proto == 6 &&
			   p.inner_ports && p.inner_dport == ev->port &&
			   same(p.inner_family, p.inner_dst, s->family, s->ip) && !s->icmp) {
			s->icmp = true;
			s->icmp_family = p.family;
			s->icmp_type = p.icmp_type;
			s->icmp_code = p.icmp_code;
			memcpy(s->icmp_from, p.src, 16);
		}
	}
}

static void drain(struct evidence *ev)
{
	/* Non-blocking: returns 0 once the ring is empty. */
	for (int i = 0; i < 1000 && pcap_dispatch(ev->p, -1, on_packet, (u_char *)ev) > 0; i++)
		;
}

static void no_event(void *ctx, const struct ping_event *e)
{
	(void)ctx;
	(void)e;
}

/* "ok" or why not, after two quick echo requests. */
static void ping_host(const struct sockaddr_storage *dst, char *buf, size_t len)
{
	static volatile sig_atomic_t never;
	struct ping_opts o;
	struct ping_stats st;
	char err[256];

	ping_opts_default(&o);
	o.count = 2;
	o.interval_ms = 200;
	o.timeout_ms = 800;
	if (ping_run(dst, &o, &never, no_event, NULL, &st, err, sizeof err) != 0)
		snprintf(buf, len, "not possible: %s", err);
	else if (st.received)
		snprintf(buf, len, "ok");
	else
		snprintf(buf, len, "no reply either");
}

static void icmp_text(const struct seen *s, uint16_t port, char *buf, size_t len)
{
	char from[INET6_ADDRSTRLEN];
	const char *what = NULL, *why = NULL;

	inet_ntop(s->icmp_family, s->icmp_from, from, sizeof from);
	bool v4 = s->icmp_family == AF_INET;
	if (v4 && s->icmp_type == 3) {
		switch (s->icmp_code) {
		case 0:
			what = "net unreachable", why = "the router has no route";
			break;
		case 1:
			what = "host unreachable", why = "the router cannot reach the host";
			break;
		case 3:
			what = "port unreachable", why = "the host refuses TCP on this port";
			break;
		case 9:
		case 10:
		case 13:
			what = "admin prohibited", why = "a firewall rejects the connection";
			break;
		}
	} else if (!v4 && s->icmp_type == 1) {
		switch (s->icmp_code) {
		case 0:
			what = "no route", why = "the router has no route";
			break;
		case 1:
			what = "admin prohibited", why = "a firewall rejects the connection";
			break;
		case 3:
			what = "address unreachable", why = "the router cannot reach the host";
			break;
		case 4:
			what = "port unreachable", why = "the host refuses TCP on this port";
			break;
		}
	} else if (s->icmp_type == (v4 ? 11 : 3)) {
		what = "time exceeded", why = "a routing loop, or too few hops allowed";
	}
	(void)port;
	if (what)
		snprintf(buf, len, "ICMP%s %s from %s (%s)", v4 ? "" : "v6", what, from, why);
	else
		snprintf(buf, len, "ICMP%s type %u code %u from %s", v4 ? "" : "v6", s->icmp_type,
			 s->icmp_code, from);
}

void evidence_describe(struct evidence *ev, size_t i, char *buf, size_t len)
{
	char ping[300];

	if (i >= ev->n) {
		snprintf(buf, len, "no capture for this address");
		return;
	}
	drain(ev);
	const struct seen *s = &ev->seen[i];
	long long rtt = s->reply_us - s->first_syn_us;
	if (s->rst)
		snprintf(buf, len, "SYN answered by RST (nothing listening on port %u)", ev->port);
	else if (s->icmp)
		icmp_text(s, ev->port, buf, len);
	else if (s->synack)
		snprintf(buf, len, "SYN answered by SYN-ACK in %lld.%lld ms", rtt / 1000,
			 rtt % 1000 / 100);
	else if (s->syns) {
		ping_host(&ev->addrs[i], ping, sizeof ping);
		if (!strcmp(ping, "ok"))
			snprintf(buf, len,
				 "%u SYN sent, no reply (a firewall or routing drop; ping to the "
				 "host: ok)",
				 s->syns);
		else
			snprintf(buf, len,
				 "%u SYN sent, no reply (the host is down or everything to it is "
				 "dropped; ping to the host: %s)",
				 s->syns, ping);
	} else
		snprintf(buf, len,
			 "no SYN left this host (the connection failed before "
			 "sending: check the routing table)");
}

void evidence_stop(struct evidence *ev)
{
	if (!ev)
		return;
	pcap_close(ev->p);
	free(ev);
}
