/* SPDX-License-Identifier: MIT */
/*
 * dns.c - the stub resolver of dns.h: one question to each server in turn,
 * over a connected UDP socket, and over TCP when the reply is truncated.
 *
 * The servers are asked in order.  An answer (records, NXDOMAIN or NODATA)
 * ends the search.  SERVFAIL, REFUSED and unparsable replies, silence and
 * unreachable servers move on to the next server, like glibc.  When no
 * server gives an answer, the status reported is the most telling of the
 * failures, earliest server first: a reply (SERVFAIL, REFUSED, BAD_REPLY)
 * over an unreachable server over silence.  answered_by names the server
 * whose reply or network error is reported, and is -1 for TIMEOUT (nobody
 * said anything), NO_SERVER, BAD_NAME and IP literals.
 */
#include "net/dns.h"
#include "net/dns_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

_Static_assert(DNS_WIRE_MAX_RECORDS ==
		       sizeof((struct dns_answer *)0)->rec / sizeof((struct dns_answer *)0)->rec[0],
	       "dns_wire keeps as many records as struct dns_answer holds");

enum { MSG_MAX = 65535 }; /* a TCP message; a UDP datagram cannot be longer */

const char *dns_status_text(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "OK";
	case DNS_NXDOMAIN:
		return "NXDOMAIN (no such name)";
	case DNS_NODATA:
		return "NODATA (the name exists but has no record of that type)";
	case DNS_SERVFAIL:
		return "SERVFAIL (the server failed to answer)";
	case DNS_REFUSED:
		return "REFUSED (the server refused to answer)";
	case DNS_TIMEOUT:
		return "timeout (no server answered in time)";
	case DNS_UNREACHABLE:
		return "unreachable (the query could not reach the server)";
	case DNS_NO_SERVER:
		return "no DNS server configured";
	case DNS_BAD_REPLY:
		return "bad reply (the server's answer could not be parsed)";
	case DNS_BAD_NAME:
		return "invalid name";
	}
	return "unknown DNS status";
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline, 0 when it has passed. */
static int left_ms(int64_t deadline)
{
	int64_t d = deadline - now_ms();
	return d <= 0 ? 0 : d > INT32_MAX ? INT32_MAX : (int)d;
}

/* A query ID nobody off the path can guess (RFC 5452). */
static uint16_t random_id(void)
{
	uint16_t id;
	ssize_t got;
	do
		got = getrandom(&id, sizeof id, 0);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof id) { /* no getrandom: weaker, but still varies */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		id = (uint16_t)(ts.tv_nsec ^ ts.tv_nsec >> 16 ^ getpid());
	}
	return id;
}

static bool server_ok(const struct dns_server *s)
{
	return (s->addr.ss_family == AF_INET && s->len >= sizeof(struct sockaddr_in)) ||
	       (s->addr.ss_family == AF_INET6 && s->len >= sizeof(struct sockaddr_in6));
}

/* The error an ICMP message (or a refused TCP connect) left on a socket:
 * the pending one, else the one in the IP_RECVERR queue, which would keep
 * poll() returning POLLERR; 0 when there is none. */
static int socket_error(int fd)
{
	int err = 0;
	socklen_t elen = sizeof err;
	union { /* aligned for the cmsghdr inside */
		char buf[512];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = {.msg_control = cbuf.buf, .msg_controllen = sizeof cbuf.buf};

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err != 0)
		return err;
	if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			     (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
				struct sock_extended_err ee;
				memcpy(&ee, CMSG_DATA(c), sizeof ee);
				if (ee.ee_errno)
					return (int)ee.ee_errno;
			}
	return 0;
}

/* What the rcode of a reply to our query means. */
static enum dns_status reply_status(const struct dns_wire_reply *r)
{
	switch (r->rcode) {
	case 0:
		return r->n > 0 ? DNS_OK : DNS_NODATA;
	case 2:
		return DNS_SERVFAIL;
	case 3:
		return DNS_NXDOMAIN;
	case 5:
		return DNS_REFUSED;
	default: /* FORMERR, NOTIMP, ...: the server did not understand us */
		return DNS_BAD_REPLY;
	}
}

struct ask {
	const char *name; /* checked, without the trailing dot */
	enum dns_type type;
	int64_t deadline;
	uint8_t *buf; /* MSG_MAX + 2 bytes for replies */
	struct dns_wire_reply reply;
	int sys_errno;
};

/* Waits for events on fd until the deadline; 0 when it passed. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int rc = poll(&p, 1, left_ms(deadline));
		if (rc > 0)
			return p.revents;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return POLLERR;
	}
}

/* Reads or writes exactly len bytes on a non-blocking stream socket. */
static int stream_io(int fd, uint8_t *p, size_t len, bool out, int64_t deadline,
		     enum dns_status *st, int *err)
{
	while (len > 0) {
		ssize_t k = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (k > 0) {
			p += k;
			len -= (size_t)k;
			continue;
		}
		if (k == 0) { /* the server closed the connection before the whole reply */
			*st = DNS_BAD_REPLY;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			*err = errno;
			*st = out ? DNS_UNREACHABLE : DNS_BAD_REPLY; /* sent, then dropped */
			return -1;
		}
		if (left_ms(deadline) == 0 || wait_fd(fd, out ? POLLOUT : POLLIN, deadline) == 0) {
			*st = DNS_TIMEOUT;
			return -1;
		}
	}
	return 0;
}

/* The same question over TCP (RFC 7766), within what is left of the
 * server's time: a 2-byte length before each message. */
static enum dns_status ask_tcp(const struct dns_server *s, struct ask *a)
{
	uint8_t q[2 + DNS_WIRE_MAX_QUERY];
	uint16_t id = random_id();
	int qlen = dns_wire_encode_query(q + 2, sizeof q - 2, id, a->name, a->type, false);
	enum dns_status st = DNS_BAD_REPLY;
	size_t rlen;
	int fd, ev;

	if (qlen < 0)
		return DNS_BAD_NAME;
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;
	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		a->sys_errno = errno;
		return DNS_UNREACHABLE;
	}
	if (connect(fd, (const struct sockaddr *)&s->addr, s->len) != 0) {
		if (errno != EINPROGRESS) {
			a->sys_errno = errno;
			st = DNS_UNREACHABLE;
			goto out;
		}
		ev = wait_fd(fd, POLLOUT, a->deadline);
		if (ev == 0) {
			st = DNS_TIMEOUT;
			goto out;
		}
		a->sys_errno = socket_error(fd);
		if (a->sys_errno != 0 || !(ev & POLLOUT)) {
			if (a->sys_errno == 0)
				a->sys_errno = ECONNREFUSED;
			st = DNS_UNREACHABLE;
			goto out;
		}
	}
	if (stream_io(fd, q, (size_t)qlen + 2, true, a->deadline, &st, &a->sys_errno) != 0 ||
	    stream_io(fd, a->buf, 2, false, a->deadline, &st, &a->sys_errno) != 0)
		goto out;
	rlen = (size_t)a->buf[0] << 8 | a->buf[1];
	if (stream_io(fd, a->buf, rlen, false, a->deadline, &st, &a->sys_errno) != 0)
		goto out;
	/* Only one question was sent on this connection: anything else in
	 * reply, or a reply still truncated, is the server's fault. */
	if (dns_wire_parse_reply(a->buf, rlen, id, a->name, a->type, &a->reply) != DNS_WIRE_OK ||
	    a->reply.tc)
		st = DNS_BAD_REPLY;
	else
		st = reply_status(&a->reply);
out:
	close(fd);
	return st;
}

/* Asks one server until its deadline. */
static enum dns_status ask_server(const struct dns_server *s, struct ask *a)
{
	uint8_t q[DNS_WIRE_MAX_QUERY];
	uint16_t id = random_id();
	int qlen = dns_wire_encode_query(q, sizeof q, id, a->name, a->type, true);
	enum dns_status st = DNS_BAD_REPLY;
	int fd, on = 1;

	a->sys_errno = 0;
	if (!server_ok(s)) {
		a->sys_errno = EAFNOSUPPORT;
		return DNS_UNREACHABLE;
	}
	if (qlen < 0)
		return DNS_BAD_NAME;
	fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		a->sys_errno = errno;
		return DNS_UNREACHABLE;
	}
	/* Without IP_RECVERR a connected UDP socket reports only ICMP port
	 * unreachable; with it, net/host unreachable and prohibited too. */
	if (s->addr.ss_family == AF_INET)
		setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof on);
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof on);
	if (connect(fd, (const struct sockaddr *)&s->addr, s->len) != 0 ||
	    send(fd, q, (size_t)qlen, MSG_NOSIGNAL) != qlen) {
		a->sys_errno = errno;
		st = DNS_UNREACHABLE;
		goto out;
	}
	for (;;) {
		int ev = wait_fd(fd, POLLIN, a->deadline);
		ssize_t k;
		if (ev == 0) {
			st = DNS_TIMEOUT;
			break;
		}
		k = recv(fd, a->buf, MSG_MAX, 0);
		if (k < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
				if (!(ev & POLLERR))
					continue;
				a->sys_errno = socket_error(fd);
				if (a->sys_errno == 0)
					a->sys_errno = EHOSTUNREACH;
			} else {
				a->sys_errno = errno;
			}
			st = DNS_UNREACHABLE;
			break;
		}
		switch (dns_wire_parse_reply(a->buf, (size_t)k, id, a->name, a->type, &a->reply)) {
		case DNS_WIRE_FOREIGN:
			continue; /* not ours: keep waiting for the real reply */
		case DNS_WIRE_MALFORMED:
			st = DNS_BAD_REPLY;
			break;
		case DNS_WIRE_OK:
			st = a->reply.tc ? ask_tcp(s, a) : reply_status(&a->reply);
			break;
		}
		break;
	}
out:
	close(fd);
	return st;
}

/* How much a failure tells the operator; the higher one is reported. */
static int failure_rank(enum dns_status st)
{
	return st == DNS_TIMEOUT ? 1 : st == DNS_UNREACHABLE ? 2 : 3;
}

/* An IP address answers for itself, when it is of the family asked for. */
static bool answer_literal(const char *name, enum dns_type type, struct dns_answer *ans)
{
	struct dns_record *rec = &ans->rec[0];
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, name, &a4) == 1) {
		ans->status = type == DNS_A ? DNS_OK : DNS_NODATA;
		if (type == DNS_A) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&rec->addr;
			sin->sin_family = AF_INET;
			sin->sin_addr = a4;
			inet_ntop(AF_INET, &a4, rec->text, sizeof rec->text);
		}
	} else if (inet_pton(AF_INET6, name, &a6) == 1) {
		ans->status = type == DNS_AAAA ? DNS_OK : DNS_NODATA;
		if (type == DNS_AAAA) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&rec->addr;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = a6;
			inet_ntop(AF_INET6, &a6, rec->text, sizeof rec->text);
		}
	} else {
		return false;
	}
	if (ans->status == DNS_OK) {
		rec->type = type;
		ans->n = 1;
	}
	return true;
}

enum dns_status dns_query(const struct dns_server *servers, size_t n, const char *name,
			  enum dns_type type, int timeout_ms, struct dns_answer *ans)
{
	char checked[256];
	int64_t start = now_ms();
	struct ask *a;

	memset(ans, 0, sizeof *ans);
	ans->answered_by = -1;
	if (name && answer_literal(name, type, ans))
		return ans->status;
	if ((type != DNS_A && type != DNS_AAAA && type != DNS_MX) ||
	    dns_wire_check_name(name, checked, sizeof checked) != 0)
		return ans->status = DNS_BAD_NAME;
	if (!servers || n == 0)
		return ans->status = DNS_NO_SERVER;
	a = calloc(1, sizeof *a);
	if (a)
		a->buf = malloc(MSG_MAX + 2);
	if (!a || !a->buf) {
		free(a);
		ans->sys_errno = ENOMEM;
		return ans->status = DNS_UNREACHABLE;
	}
	a->name = checked;
	a->type = type;

	ans->status = DNS_TIMEOUT;
	for (size_t i = 0; i < n; i++) {
		enum dns_status st;
		int64_t t0 = now_ms();
		a->deadline = t0 + (timeout_ms > 0 ? timeout_ms : 0);
		st = ask_server(&servers[i], a);
		if (ans->ntried < sizeof ans->tried / sizeof ans->tried[0])
			ans->tried[ans->ntried++] =
				(struct dns_try){st, st == DNS_UNREACHABLE ? a->sys_errno : 0,
						 (unsigned)(now_ms() - t0)};
		if (st == DNS_OK || st == DNS_NXDOMAIN || st == DNS_NODATA) {
			ans->status = st;
			ans->answered_by = (int)i;
			ans->sys_errno = 0;
			ans->n = st == DNS_OK ? a->reply.n : 0;
			memcpy(ans->rec, a->reply.rec, ans->n * sizeof ans->rec[0]);
			break;
		}
		if (failure_rank(st) > failure_rank(ans->status)) {
			ans->status = st;
			ans->answered_by = (int)i;
			ans->sys_errno = a->sys_errno;
		}
	}
	free(a->buf);
	free(a);
	ans->elapsed_ms = (unsigned)(now_ms() - start);
	return ans->status;
}
