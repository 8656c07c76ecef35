/* SPDX-License-Identifier: MIT */
/*
 * evidence.c - see evidence.h.  The capture runs in the kernel's ring
 * while the SMTP client blocks in connect(); immediate mode makes every
 * packet readable the moment it was seen, so reading the ring after the
 * attempt misses nothing and needs no thread.
 */
#include "diag/evidence.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/capture.h"
#include "net/ping.h"
#include "net/sniff_decode.h"
#include "diag/verdict.h"

enum { MAX_ADDRS = 8, MAX_LOCAL = 32, DUP_US = 2000 };

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
	bool on_link;
	unsigned neigh_asked;
	bool neigh_answered;
	int ping; /* -2 not yet decided, then as evidence_wire.ping */
	char ping_err[128];
};

/* One of this appliance's own addresses and its prefix. */
struct local {
	int family;
	uint8_t ip[16], mask[16];
};

struct evidence {
	pcap_t *p;
	int linktype;
	uint16_t port;
	struct sockaddr_storage addrs[MAX_ADDRS];
	struct seen seen[MAX_ADDRS];
	size_t n;
	struct local local[MAX_LOCAL];
	size_t nlocal;
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

static void load_locals(struct evidence *ev)
{
	struct ifaddrs *all, *i;
	if (getifaddrs(&all) != 0)
		return;
	for (i = all; i && ev->nlocal < MAX_LOCAL; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		/* getifaddrs' sockaddrs are only as long (and aligned) as their family's */
		struct sockaddr_storage a = {0}, m = {0};
		size_t n = i->ifa_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							      : sizeof(struct sockaddr_in);
		memcpy(&a, i->ifa_addr, n);
		memcpy(&m, i->ifa_netmask, n);
		m.ss_family = a.ss_family;
		struct local *l = &ev->local[ev->nlocal++];
		int f;
		addr_bytes(&a, &l->family, l->ip);
		addr_bytes(&m, &f, l->mask);
	}
	freeifaddrs(all);
}

static bool is_self(const struct evidence *ev, int family, const uint8_t *ip)
{
	for (size_t i = 0; i < ev->nlocal; i++)
		if (same(family, ip, ev->local[i].family, ev->local[i].ip))
			return true;
	return false;
}

/* On a subnet of one of our interfaces: reached through ARP or neighbour
 * discovery, not through a router. */
static bool on_link(const struct evidence *ev, int family, const uint8_t *ip)
{
	size_t n = family == AF_INET6 ? 16 : 4;
	for (size_t i = 0; i < ev->nlocal; i++) {
		const struct local *l = &ev->local[i];
		bool match = l->family == family;
		for (size_t k = 0; match && k < n; k++)
			match = ((l->ip[k] ^ ip[k]) & l->mask[k]) == 0;
		if (match)
			return true;
	}
	return false;
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
	/* ARP and neighbour discovery tell a dead host on our own subnet. */
	snprintf(filter + o, sizeof filter - o, ")) or icmp or icmp6 or arp");
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
	load_locals(ev);
	for (size_t i = 0; i < ev->n; i++) {
		ev->seen[i].on_link = on_link(ev, ev->seen[i].family, ev->seen[i].ip);
		ev->seen[i].ping = -2;
	}
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
	for (size_t i = 0; i < ev->n && p.l3 == SNIFF_L3_ARP; i++) {
		struct seen *s = &ev->seen[i];
		if (s->family != AF_INET)
			continue;
		if (p.arp_op == 1 && !memcmp(p.arp_tpa, s->ip, 4) && !is_self(ev, AF_INET, s->ip))
			s->neigh_asked++;
		else if (p.arp_op == 2 && !memcmp(p.arp_spa, s->ip, 4))
			s->neigh_answered = true;
	}
	if (p.l3 != SNIFF_L3_IPV4 && p.l3 != SNIFF_L3_IPV6)
		return;
	for (size_t i = 0; i < ev->n; i++) {
		struct seen *s = &ev->seen[i];
		if (p.proto == 58 && s->family == AF_INET6 && p.icmp_type == 135 &&
		    (same(AF_INET6, p.dst, AF_INET6, s->ip) ||
		     (p.dst[0] == 0xff && p.dst[11] == 1 && p.dst[12] == 0xff &&
		      !memcmp(p.dst + 13, s->ip + 13, 3)))) {
			s->neigh_asked++; /* a neighbour solicitation for it */
			continue;
		}
		if (p.proto == 58 && p.icmp_type == 136 &&
		    same(p.family, p.src, s->family, s->ip)) {
			s->neigh_answered = true;
			continue;
		}
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

/* 1 for an echo reply, 0 for none, -1 (why in buf) when ping failed. */
static int ping_host(const struct sockaddr_storage *dst, char *buf, size_t len)
{
	static volatile sig_atomic_t never;
	struct ping_opts o;
	struct ping_stats st;
	char err[256];

	ping_opts_default(&o);
	o.count = 2;
	o.interval_ms = 200;
	o.timeout_ms = 800;
	*buf = '\0';
	if (ping_run(dst, &o, &never, no_event, NULL, &st, err, sizeof err) != 0) {
		snprintf(buf, len, "%.*s", (int)(len ? len - 1 : 0), err);
		return -1;
	}
	return st.received > 0;
}

void evidence_result(struct evidence *ev, size_t i, struct evidence_wire *w)
{
	memset(w, 0, sizeof *w);
	w->ping = -1;
	if (!ev || i >= ev->n)
		return;
	drain(ev);
	struct seen *s = &ev->seen[i];
	/* Ping only when the SYNs went unanswered: it tells a port filter
	 * from a dead host, and costs a second otherwise. */
	if (s->ping == -2)
		s->ping = s->syns && !s->synack && !s->rst && !s->icmp &&
					  !(s->on_link && s->neigh_asked && !s->neigh_answered)
				  ? ping_host(&ev->addrs[i], s->ping_err, sizeof s->ping_err)
				  : -1;
	w->captured = true;
	w->syns = s->syns;
	w->synack = s->synack;
	w->rst = s->rst;
	w->icmp = s->icmp;
	w->icmp_family = s->icmp_family;
	w->icmp_type = s->icmp_type;
	w->icmp_code = s->icmp_code;
	if (s->icmp) {
		inet_ntop(s->icmp_family, s->icmp_from, w->icmp_from, sizeof w->icmp_from);
		w->icmp_from_self = is_self(ev, s->icmp_family, s->icmp_from);
	}
	w->on_link = s->on_link;
	w->neigh_asked = s->neigh_asked;
	w->neigh_answered = s->neigh_answered;
	w->ping = s->ping;
	snprintf(w->ping_err, sizeof w->ping_err, "%s", s->ping_err);
}

void evidence_describe(struct evidence *ev, size_t i, char *buf, size_t len)
{
	struct evidence_wire w;
	char ip[INET6_ADDRSTRLEN];

	if (!ev || i >= ev->n) {
		snprintf(buf, len, "no capture for this address");
		return;
	}
	evidence_result(ev, i, &w);
	const struct seen *s = &ev->seen[i];
	inet_ntop(s->family, s->ip, ip, sizeof ip);
	long long rtt = s->reply_us - s->first_syn_us;
	const char *neigh = s->family == AF_INET6 ? "neighbour solicitation" : "ARP request";
	if (w.rst)
		snprintf(buf, len, "SYN answered by RST");
	else if (w.on_link && w.neigh_asked && !w.neigh_answered)
		snprintf(buf, len, "%u %s%s for %s, no answer", w.neigh_asked, neigh,
			 w.neigh_asked > 1 ? "s" : "", ip);
	else if (w.icmp)
		snprintf(buf, len, "ICMP%s type %u code %u (%s) from %s%s",
			 w.icmp_family == AF_INET ? "" : "v6", w.icmp_type, w.icmp_code,
			 diag_icmp_name(w.icmp_family, w.icmp_type, w.icmp_code), w.icmp_from,
			 w.icmp_from_self ? " (this appliance)" : "");
	else if (w.synack)
		snprintf(buf, len, "SYN answered by SYN-ACK in %lld.%lld ms", rtt / 1000,
			 rtt % 1000 / 100);
	else if (w.syns)
		snprintf(buf, len, "%u SYN sent, no reply; ping to the host: %s", w.syns,
			 w.ping == 1   ? "ok"
			 : w.ping == 0 ? "no reply either"
				       : w.ping_err);
	else
		snprintf(buf, len, "no SYN left this host");
}

void evidence_stop(struct evidence *ev)
{
	if (!ev)
		return;
	pcap_close(ev->p);
	free(ev);
}
