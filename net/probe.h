/* SPDX-License-Identifier: MIT */
/*
 * probe.h - what the probing commands (ping, traceroute) share: one entry
 * of a socket's error queue (IP_RECVERR / IPV6_RECVERR) taken apart, the
 * monotonic clock, addresses as text, seconds with a fraction.
 */
#ifndef APPSH_NET_PROBE_H
#define APPSH_NET_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Monotonic microseconds. */
uint64_t probe_now_us(void);

/* The address of sa (AF_INET or AF_INET6) as text, without the port. */
void probe_addr_text(const struct sockaddr *sa, char *buf, size_t len);

/* One entry of a socket's error queue. */
struct probe_err {
	bool icmp;		    /* an ICMP/ICMPv6 error (else a local one) */
	int type, code;		    /* ICMP type and code */
	uint32_t info;		    /* the MTU for "frag needed", the pointer... */
	int sys_errno;		    /* the errno the kernel gave it */
	struct sockaddr_storage to; /* where the failed packet was going (port included) */
	char from[46];		    /* ICMP: who sent the error */
	uint64_t at_us;		    /* when it was read (probe_now_us) */
};

/*
 * Reads one entry of fd's error queue without blocking: fills *e and up to
 * cap bytes of the packet that failed into payload (*len: how many).
 * Returns false when the queue is empty.  An entry without the extended
 * error is returned with e->icmp false and e->sys_errno 0.
 */
bool probe_read_error(int fd, struct probe_err *e, uint8_t *payload, size_t cap, size_t *len);

/* Binds fd to source unless it is "auto"; -1 with err set when it is not
 * an address of family or cannot be used. */
int probe_bind_source(int fd, int family, const char *source, char *err, size_t errlen);

/* "0.25" -> 250 ms: seconds with a fraction, 0.01 to 2147483. */
bool probe_parse_seconds(const char *v, unsigned *ms);
/* The schema check for such a value (NULL when good). */
const char *probe_check_seconds(const char *v);
/* 250 -> "0.25", 2000 -> "2". */
void probe_seconds_text(char *buf, size_t len, unsigned ms);

#endif
