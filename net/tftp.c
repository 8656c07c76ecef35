/* SPDX-License-Identifier: MIT */
/* tftp.c - RFC 1350 read requests: one state machine, one file. */
#include "net/tftp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int tftp_parse(const unsigned char *buf, size_t len, struct tftp_packet *p)
{
	memset(p, 0, sizeof *p);
	if (len < 4)
		return -1;
	p->op = (enum tftp_op)(buf[0] << 8 | buf[1]);
	switch (p->op) {
	case TFTP_DATA:
		if (len > 4 + TFTP_BLOCK)
			return -1;
		p->block = (unsigned)(buf[2] << 8 | buf[3]);
		p->data = buf + 4;
		p->len = len - 4;
		return 0;
	case TFTP_ACK:
		if (len != 4)
			return -1;
		p->block = (unsigned)(buf[2] << 8 | buf[3]);
		return 0;
	case TFTP_ERROR: {
		/* code, then a NUL-terminated message (some servers omit the NUL) */
		p->code = (unsigned)(buf[2] << 8 | buf[3]);
		size_t n = 0;
		for (size_t i = 4; i < len && buf[i] && n + 1 < sizeof p->msg; i++)
			p->msg[n++] = buf[i] < 0x20 || buf[i] >= 0x7f ? '?' : (char)buf[i];
		p->msg[n] = '\0';
		return 0;
	}
	default:
		return -1; /* a server never sends RRQ or WRQ to a client */
	}
}

/* The states of one read (RFC 1350 §4, §6). */
enum state {
	ST_REQUEST, /* RRQ sent; waiting for block 1 from the server's new port */
	ST_BLOCKS,  /* ACK n sent; waiting for block n+1 */
	ST_DONE,    /* the short block arrived and was acknowledged */
	ST_FAILED,
};

struct xfer {
	enum state st;
	int fd;
	struct sockaddr_storage server; /* port 69 until the first DATA */
	socklen_t server_len;
	bool locked; /* the server's transfer port is known */
	unsigned char out[600];
	size_t out_len;
	unsigned block; /* the last block received */
	char *data;
	size_t len, cap;
};

static void fmt_error(char *err, size_t errlen, const char *server, const char *what)
{
	snprintf(err, errlen, "TFTP server %s: %s", server, what);
}

static int send_out(struct xfer *x)
{
	return sendto(x->fd, x->out, x->out_len, 0, (struct sockaddr *)&x->server, x->server_len) ==
			       (ssize_t)x->out_len
		       ? 0
		       : -1;
}

static void put_ack(struct xfer *x, unsigned block)
{
	x->out[0] = 0;
	x->out[1] = TFTP_ACK;
	x->out[2] = (unsigned char)(block >> 8);
	x->out[3] = (unsigned char)block;
	x->out_len = 4;
}

/* An ERROR to a stranger (RFC 1350 §4: code 5, "Unknown transfer ID"). */
static void reject(int fd, const struct sockaddr_storage *from, socklen_t len)
{
	static const unsigned char pkt[] = {0,	 TFTP_ERROR, 0,	  5,   'U', 'n', 'k', 'n',
					    'o', 'w',	     'n', ' ', 't', 'r', 'a', 'n',
					    's', 'f',	     'e', 'r', ' ', 'I', 'D', 0};
	sendto(fd, pkt, sizeof pkt, 0, (const struct sockaddr *)from, len);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static bool same_port(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return a->ss_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port ==
						 ((const struct sockaddr_in *)b)->sin_port
				       : ((const struct sockaddr_in6 *)a)->sin6_port ==
						 ((const struct sockaddr_in6 *)b)->sin6_port;
}

/*
 * One datagram from the server, in state ST_REQUEST or ST_BLOCKS.  Returns
 * 1 when it moved the transfer on (an ACK is to be sent), 0 when it is to
 * be ignored (a duplicate, a stranger), -1 with err set when it ends it.
 */
static int on_packet(struct xfer *x, const unsigned char *buf, size_t n,
		     const struct sockaddr_storage *from, socklen_t fromlen, const char *server,
		     const struct tftp_options *o, char *err, size_t errlen)
{
	struct tftp_packet p;
	if (!same_host(from, &x->server))
		return 0; /* not the server asked: not ours */
	if (x->locked && !same_port(from, &x->server)) {
		reject(x->fd, from, fromlen);
		return 0;
	}
	if (tftp_parse(buf, n, &p) != 0) {
		fmt_error(err, errlen, server, "sent a packet that is not TFTP");
		return -1;
	}
	if (p.op == TFTP_ERROR) {
		char what[200];
		snprintf(what, sizeof what, "%s (TFTP error %u)", *p.msg ? p.msg : "error", p.code);
		fmt_error(err, errlen, server, what);
		return -1;
	}
	if (p.op != TFTP_DATA) {
		fmt_error(err, errlen, server,
			  "answered a read request with something else than data");
		return -1;
	}
	if (!x->locked) { /* its first DATA names the transfer port */
		x->server = *from;
		x->locked = true;
	}
	unsigned want = (x->block + 1) & 0xffff;
	if (p.block == x->block && x->st == ST_BLOCKS)
		return 1; /* our ACK was lost: send it again */
	if (p.block != want) {
		char what[100];
		snprintf(what, sizeof what, "sent block %u where %u was due", p.block, want);
		fmt_error(err, errlen, server, what);
		return -1;
	}
	if (x->len + p.len > o->max) {
		char what[100];
		snprintf(what, sizeof what, "the file is larger than %zu bytes", o->max);
		fmt_error(err, errlen, server, what);
		return -1;
	}
	if (x->len + p.len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4096;
		while (cap < x->len + p.len + 1)
			cap *= 2;
		char *d = realloc(x->data, cap);
		if (!d) {
			fmt_error(err, errlen, server, "out of memory");
			return -1;
		}
		x->data = d;
		x->cap = cap;
	}
	memcpy(x->data + x->len, p.data, p.len);
	x->len += p.len;
	x->block = p.block;
	put_ack(x, p.block);
	x->st = p.len < TFTP_BLOCK ? ST_DONE : ST_BLOCKS;
	return 1;
}

int tftp_get(const char *server, const char *file, const struct tftp_options *o, char **data,
	     size_t *len, char *err, size_t errlen)
{
	struct xfer x = {.st = ST_REQUEST, .fd = -1};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&x.server;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&x.server;
	size_t flen = strlen(file);

	*data = NULL;
	*len = 0;
	if (inet_pton(AF_INET, server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)o->port);
		x.server_len = sizeof *s4;
	} else if (inet_pton(AF_INET6, server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		x.server_len = sizeof *s6;
	} else {
		snprintf(err, errlen, "'%.64s' is not the IP address of a TFTP server", server);
		return -1;
	}
	if (!flen || flen > 255 || strchr(file, '\n')) {
		snprintf(err, errlen, "'%.64s' is not a file name a TFTP server can be asked for",
			 file);
		return -1;
	}
	/* RRQ: opcode, file name, NUL, mode "octet", NUL. */
	x.out[0] = 0;
	x.out[1] = TFTP_RRQ;
	memcpy(x.out + 2, file, flen + 1);
	memcpy(x.out + 3 + flen, "octet", 6);
	x.out_len = 2 + flen + 1 + 6;

	x.fd = socket(x.server.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (x.fd < 0) {
		snprintf(err, errlen, "cannot open a UDP socket: %s", strerror(errno));
		return -1;
	}
	/* The socket stays unconnected (the server answers from a new port),
	 * so an ICMP error (port unreachable: no TFTP server there) reaches
	 * us only with IP_RECVERR. */
	int on = 1;
	if (x.server.ss_family == AF_INET)
		setsockopt(x.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
	else
		setsockopt(x.fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
	unsigned sends = 0;
	while (x.st == ST_REQUEST || x.st == ST_BLOCKS) {
		if (sends++ >= o->tries) {
			char what[120];
			snprintf(what, sizeof what, "no answer after %u tries, %u ms apart%s",
				 o->tries, o->timeout_ms,
				 x.st == ST_BLOCKS ? " (the transfer stopped)" : "");
			fmt_error(err, errlen, server, what);
			x.st = ST_FAILED;
			break;
		}
		if (send_out(&x) != 0) {
			fmt_error(err, errlen, server, strerror(errno));
			x.st = ST_FAILED;
			break;
		}
		/* Wait for the next packet; wake each 100 ms for Ctrl-C. */
		struct timespec t0, now;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			long waited = (now.tv_sec - t0.tv_sec) * 1000 +
				      (now.tv_nsec - t0.tv_nsec) / 1000000;
			if (o->stop && *o->stop) {
				fmt_error(err, errlen, server, "interrupted");
				x.st = ST_FAILED;
				break;
			}
			if (waited >= (long)o->timeout_ms)
				break; /* send the same packet again */
			struct pollfd pfd = {x.fd, POLLIN, 0};
			long left = (long)o->timeout_ms - waited;
			if (poll(&pfd, 1, left < 100 ? (int)left : 100) <= 0)
				continue;
			unsigned char buf[4 + TFTP_BLOCK + 64];
			struct sockaddr_storage from;
			socklen_t fromlen = sizeof from;
			ssize_t n = recvfrom(x.fd, buf, sizeof buf, 0, (struct sockaddr *)&from,
					     &fromlen);
			if (n < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				/* An ICMP error (IP_RECVERR): port unreachable means
				 * that nothing listens there. */
				fmt_error(err, errlen, server,
					  errno == ECONNREFUSED ? "nothing listens on the TFTP port"
								: strerror(errno));
				x.st = ST_FAILED;
				break;
			}
			int rc = on_packet(&x, buf, (size_t)n, &from, fromlen, server, o, err,
					   errlen);
			if (rc < 0) {
				x.st = ST_FAILED;
				break;
			}
			if (rc > 0) {
				sends = 0;
				if (x.st == ST_DONE)
					send_out(&x); /* the last ACK, once (RFC 1350 §6) */
				break;
			}
		}
	}
	close(x.fd);
	if (x.st != ST_DONE) {
		free(x.data);
		return -1;
	}
	if (!x.data && !(x.data = calloc(1, 1))) {
		fmt_error(err, errlen, server, "out of memory");
		return -1;
	}
	x.data[x.len] = '\0';
	*data = x.data;
	*len = x.len;
	return 0;
}
