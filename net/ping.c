/* SPDX-License-Identifier: MIT */
/*
 * ping.c - the engine of `execute ping` and `execute ping6`.
 *
 * The engine (ping_run) knows sockets and ICMP only: it prefers a raw
 * socket (needs CAP_NET_RAW) and falls back to an ICMP datagram socket
 * (needs the caller's group in net.ipv4.ping_group_range).  ICMP errors
 * (unreachable, time exceeded) are read from the socket's error queue
 * (IP_RECVERR), which works for both kinds; a raw socket also sees the
 * error packets themselves, and those are ignored so nothing prints twice
 * (iputils does the same).  The printer (cmds/ping.c) turns events into the
 * appliance's lines (spec §8.4), one flushed line at a time.
 */
#include "net/ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/probe.h"

/* ---- options ------------------------------------------------------------ */

void ping_opts_default(struct ping_opts *o)
{
	memset(o, 0, sizeof *o);
	o->count = 5;
	o->data_size = 56;
	o->interval_ms = 1000;
	o->timeout_ms = 2000;
	o->ttl = 64;
	snprintf(o->source, sizeof o->source, "auto");
}

/* ---- engine ------------------------------------------------------------- */

enum { SEQ_SPAN = 65536, POLL_SLICE_MS = 100 };

struct engine {
	int fd, family;
	bool raw;
	uint16_t id;
	const struct ping_opts *o;
	uint64_t *sent_at; /* monotonic µs by seq & 0xffff */
	uint8_t *replied;  /* bit per seq & 0xffff: an echo reply came */
	uint8_t *answered; /* bit: a reply, an ICMP error or a send error */
	unsigned long n_answered;
	uint8_t *pkt, *rbuf; /* send and receive buffers */
	size_t pkt_len, rbuf_len;
	ping_event_fn ev;
	void *ctx;
	struct ping_stats *st;
};

static bool bit_test_set(uint8_t *bits, unsigned seq)
{
	unsigned i = seq & 0xffff;
	bool was = bits[i / 8] & (1u << (i % 8));
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
	return was;
}

static uint16_t inet_cksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t fill_byte(const struct ping_opts *o, size_t i)
{
	return o->pattern_len ? o->pattern[i % o->pattern_len] : (uint8_t)i;
}

static int open_socket(struct engine *e, char *err, size_t errlen)
{
	int proto = e->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	e->fd = socket(e->family, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (e->fd >= 0) {
		e->raw = true;
		return 0;
	}
	int raw_errno = errno;
	e->fd = socket(e->family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	if (e->fd >= 0)
		return 0;
	int dgram_errno = errno;
	snprintf(err, errlen,
		 "cannot open an ICMP socket: raw socket: %s (needs CAP_NET_RAW); "
		 "datagram socket: %s (needs group %u in net.ipv4.ping_group_range)",
		 strerror(raw_errno), strerror(dgram_errno), (unsigned)getgid());
	return -1;
}

static int setup_socket(struct engine *e, char *err, size_t errlen)
{
	const struct ping_opts *o = e->o;
	int one = 1, ttl = (int)o->ttl, tos = (int)o->tos;
	int pmtu;
	int rc;
	if (e->family == AF_INET) {
		pmtu = o->df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
		rc = setsockopt(e->fd, SOL_IP, IP_RECVERR, &one, sizeof one) ||
		     setsockopt(e->fd, SOL_IP, IP_RECVTTL, &one, sizeof one) ||
		     setsockopt(e->fd, SOL_IP, IP_TTL, &ttl, sizeof ttl) ||
		     setsockopt(e->fd, SOL_IP, IP_TOS, &tos, sizeof tos) ||
		     setsockopt(e->fd, SOL_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
	} else {
		pmtu = o->df ? IPV6_PMTUDISC_DO : IPV6_PMTUDISC_DONT;
		rc = setsockopt(e->fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one) ||
		     setsockopt(e->fd, SOL_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) ||
		     setsockopt(e->fd, SOL_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) ||
		     setsockopt(e->fd, SOL_IPV6, IPV6_TCLASS, &tos, sizeof tos) ||
		     setsockopt(e->fd, SOL_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
		if (!rc && e->raw) {
			/* Only echo replies on the normal path; errors come via the queue. */
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			rc = setsockopt(e->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
		}
	}
	if (rc) {
		snprintf(err, errlen, "cannot set up the ICMP socket: %s", strerror(errno));
		return -1;
	}
	return probe_bind_source(e->fd, e->family, o->source, err, errlen);
}

static void send_one(struct engine *e, unsigned seq, const struct sockaddr_storage *dst)
{
	uint8_t *p = e->pkt;
	p[0] = e->family == AF_INET ? 8 : ICMP6_ECHO_REQUEST;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(e->id >> 8);
	p[5] = (uint8_t)e->id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	if (e->family == AF_INET) { /* ICMPv6 checksums are the kernel's */
		uint16_t c = inet_cksum(p, e->pkt_len);
		p[2] = (uint8_t)(c >> 8);
		p[3] = (uint8_t)c;
	}
	socklen_t dlen =
		e->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	e->sent_at[seq & 0xffff] = probe_now_us();
	e->st->sent++;
	if (sendto(e->fd, p, e->pkt_len, 0, (const struct sockaddr *)dst, dlen) < 0) {
		struct ping_event ev = {.kind = PING_EV_SEND_ERR, .seq = seq, .sys_errno = errno};
		e->st->errors++;
		if (!bit_test_set(e->answered, seq))
			e->n_answered++;
		e->ev(e->ctx, &ev);
	}
}

/* Our sequence number for a 16-bit one on the wire; false if never sent. */
static bool seq_of(const struct engine *e, unsigned wire, unsigned *seq)
{
	unsigned long last = e->st->sent - 1;
	if (e->st->sent == 0)
		return false;
	unsigned long back = (last - wire) & 0xffff;
	if (back > last)
		return false;
	*seq = (unsigned)(last - back);
	return true;
}

static void icmp4_text(int type, int code, uint32_t info, char *buf, size_t len)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable",
		"Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable",
		NULL, /* 4: needs the MTU */
		"Source Route Failed",
		"Destination Net Unknown",
		"Destination Host Unknown",
		"Source Host Isolated",
		"Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
		"Precedence Violation",
		"Precedence Cutoff",
	};
	if (type == 3 && code == 4)
		snprintf(buf, len, "Frag needed and DF set (mtu = %u)", (unsigned)info);
	else if (type == 3 && code >= 0 && code < 16)
		snprintf(buf, len, "%s", unreach[code]);
	else if (type == 11)
		snprintf(buf, len, "%s",
			 code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded");
	else if (type == 12)
		snprintf(buf, len, "Parameter problem: pointer = %u", (unsigned)info);
	else if (type == 5)
		snprintf(buf, len, "Redirect (code %d)", code);
	else
		snprintf(buf, len, "ICMP type %d code %d", type, code);
}

static void icmp6_text(int type, int code, uint32_t info, char *buf, size_t len)
{
	static const char *const unreach[] = {
		"Destination unreachable: No route",
		"Destination unreachable: Administratively prohibited",
		"Destination unreachable: Beyond scope of source address",
		"Destination unreachable: Address unreachable",
		"Destination unreachable: Port unreachable",
		"Destination unreachable: Source address failed ingress/egress policy",
		"Destination unreachable: Reject route to destination",
	};
	if (type == ICMP6_DST_UNREACH && code >= 0 && code < 7)
		snprintf(buf, len, "%s", unreach[code]);
	else if (type == ICMP6_PACKET_TOO_BIG)
		snprintf(buf, len, "Packet too big: mtu=%u", (unsigned)info);
	else if (type == ICMP6_TIME_EXCEEDED)
		snprintf(buf, len, "%s",
			 code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded");
	else if (type == ICMP6_PARAM_PROB)
		snprintf(buf, len, "Parameter problem: pointer = %u", (unsigned)info);
	else
		snprintf(buf, len, "ICMPv6 type %d code %d", type, code);
}

/* One entry of the error queue; false when it is empty. */
static bool read_error(struct engine *e)
{
	uint8_t data[576];
	size_t n;
	struct probe_err pe;
	if (!probe_read_error(e->fd, &pe, data, sizeof data, &n))
		return false;
	/* The payload is the echo request that failed. */
	if ((!pe.icmp && !pe.sys_errno) || n < 8 ||
	    data[0] != (e->family == AF_INET ? 8 : ICMP6_ECHO_REQUEST))
		return true;
	if (e->raw && (data[4] << 8 | data[5]) != e->id)
		return true; /* another program's */
	unsigned seq;
	if (!seq_of(e, (unsigned)(data[6] << 8 | data[7]), &seq))
		return true;
	struct ping_event ev = {.kind = PING_EV_ICMP_ERR, .seq = seq};
	if (pe.icmp && e->family == AF_INET)
		icmp4_text(pe.type, pe.code, pe.info, ev.text, sizeof ev.text);
	else if (pe.icmp)
		icmp6_text(pe.type, pe.code, pe.info, ev.text, sizeof ev.text);
	else {
		ev.kind = PING_EV_LOCAL_ERR;
		ev.sys_errno = pe.sys_errno;
		if (pe.sys_errno == EMSGSIZE)
			snprintf(ev.text, sizeof ev.text, "message too long, mtu=%u",
				 (unsigned)pe.info);
		else
			snprintf(ev.text, sizeof ev.text, "%s", strerror(pe.sys_errno));
	}
	if (ev.kind == PING_EV_ICMP_ERR)
		snprintf(ev.from, sizeof ev.from, "%s", pe.from);
	e->st->errors++;
	if (!bit_test_set(e->answered, seq))
		e->n_answered++;
	e->ev(e->ctx, &ev);
	return true;
}

/* One received packet; false when there is none. */
static bool read_reply(struct engine *e)
{
	char ctl[256];
	struct sockaddr_storage from;
	struct iovec iov = {e->rbuf, e->rbuf_len};
	struct msghdr m = {.msg_name = &from,
			   .msg_namelen = sizeof from,
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof ctl};
	ssize_t n = recvmsg(e->fd, &m, MSG_DONTWAIT);
	if (n < 0)
		/* A pending socket error (IP_RECVERR) is returned once here; the
		 * queue holds the details. */
		return errno != EAGAIN && errno != EWOULDBLOCK;
	uint64_t t = probe_now_us();
	const uint8_t *icmp = e->rbuf;
	size_t len = (size_t)n;
	int ttl = -1;
	if (e->family == AF_INET && e->raw) {
		size_t ihl = len ? (size_t)(e->rbuf[0] & 0x0f) * 4 : 0;
		if (len < ihl + 8 || ihl < 20)
			return true;
		ttl = e->rbuf[8];
		icmp += ihl;
		len -= ihl;
	}
	if (len < 8 || icmp[0] != (e->family == AF_INET ? 0 : ICMP6_ECHO_REPLY))
		return true;
	if (e->raw && (icmp[4] << 8 | icmp[5]) != e->id)
		return true;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
			memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
	unsigned seq;
	if (!seq_of(e, (unsigned)(icmp[6] << 8 | icmp[7]), &seq))
		return true;
	struct ping_event ev = {.kind = PING_EV_REPLY, .seq = seq, .ttl = ttl, .bytes = len};
	uint64_t sent = e->sent_at[seq & 0xffff];
	ev.rtt_us = (unsigned long)(t > sent ? t - sent : 0);
	probe_addr_text((struct sockaddr *)&from, ev.from, sizeof ev.from);
	if (e->o->validate) {
		if (len != e->pkt_len)
			ev.bad_data = true;
		for (size_t i = 8; i < len && !ev.bad_data; i++)
			ev.bad_data = icmp[i] != fill_byte(e->o, i - 8);
	}
	ev.dup = bit_test_set(e->replied, seq);
	if (ev.dup) {
		e->st->dups++;
	} else {
		e->st->received++;
		if (e->st->received == 1 || ev.rtt_us < e->st->rtt_min_us)
			e->st->rtt_min_us = ev.rtt_us;
		if (ev.rtt_us > e->st->rtt_max_us)
			e->st->rtt_max_us = ev.rtt_us;
		e->st->rtt_sum_us += ev.rtt_us;
		if (!bit_test_set(e->answered, seq))
			e->n_answered++;
	}
	e->ev(e->ctx, &ev);
	return true;
}

int ping_run(const struct sockaddr_storage *dst, const struct ping_opts *o,
	     const volatile sig_atomic_t *stop, ping_event_fn evfn, void *ctx,
	     struct ping_stats *st, char *err, size_t errlen)
{
	struct engine e = {
		.fd = -1, .family = dst->ss_family, .o = o, .ev = evfn, .ctx = ctx, .st = st};
	int rc = -1;
	memset(st, 0, sizeof *st);
	e.id = (uint16_t)getpid();
	e.pkt_len = 8 + (size_t)o->data_size;
	e.rbuf_len = e.pkt_len + 60 + 8; /* room for an IPv4 header with options */
	e.sent_at = calloc(SEQ_SPAN, sizeof *e.sent_at);
	e.replied = calloc(SEQ_SPAN / 8, 1);
	e.answered = calloc(SEQ_SPAN / 8, 1);
	e.pkt = calloc(1, e.pkt_len);
	e.rbuf = malloc(e.rbuf_len);
	if (!e.sent_at || !e.replied || !e.answered || !e.pkt || !e.rbuf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 8; i < e.pkt_len; i++)
		e.pkt[i] = fill_byte(o, i - 8);
	if (open_socket(&e, err, errlen) < 0 || setup_socket(&e, err, errlen) < 0)
		goto out;

	uint64_t next_send = probe_now_us(), deadline = 0;
	unsigned long i = 0;
	for (;;) {
		if (stop && *stop) {
			st->interrupted = true;
			break;
		}
		uint64_t t = probe_now_us();
		if (i < o->count && t >= next_send) {
			send_one(&e, (unsigned)i, dst);
			i++;
			next_send += (uint64_t)o->interval_ms * 1000u;
			if (i == o->count)
				deadline = probe_now_us() + (uint64_t)o->timeout_ms * 1000u;
			continue;
		}
		if (i == o->count && (e.n_answered >= o->count || t >= deadline))
			break;
		uint64_t until = i < o->count ? next_send : deadline;
		uint64_t wait_ms = (until - t + 999) / 1000;
		struct pollfd p = {.fd = e.fd, .events = POLLIN};
		int r = poll(&p, 1, wait_ms > POLL_SLICE_MS ? POLL_SLICE_MS : (int)wait_ms);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		if (r > 0 && (p.revents & POLLERR))
			while (read_error(&e))
				;
		if (r > 0 && (p.revents & POLLIN))
			while (read_reply(&e))
				;
	}
	rc = 0;
out:
	if (e.fd >= 0)
		close(e.fd);
	free(e.sent_at);
	free(e.replied);
	free(e.answered);
	free(e.pkt);
	free(e.rbuf);
	return rc;
}
