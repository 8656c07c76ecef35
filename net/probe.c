/* SPDX-License-Identifier: MIT */
/*
 * probe.c - shared by ping and traceroute (see probe.h).  Taken out of
 * ping.c when traceroute arrived, so both read ICMP errors the same way.
 */
#include "net/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t probe_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void probe_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	buf[0] = 0;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

bool probe_read_error(int fd, struct probe_err *e, uint8_t *payload, size_t cap, size_t *len)
{
	char ctl[512];
	struct iovec iov = {payload, cap};
	struct msghdr m = {.msg_name = &e->to,
			   .msg_namelen = sizeof e->to,
			   .msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof ctl};
	memset(&e->to, 0, sizeof e->to);
	ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return false;
	e->at_us = probe_now_us();
	*len = (size_t)n;
	e->icmp = false;
	e->type = e->code = e->sys_errno = 0;
	e->info = 0;
	e->from[0] = 0;
	const struct sock_extended_err *ee = NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
	if (!ee)
		return true;
	e->icmp = ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6;
	e->type = ee->ee_type;
	e->code = ee->ee_code;
	e->info = ee->ee_info;
	e->sys_errno = (int)ee->ee_errno;
	if (e->icmp)
		probe_addr_text(SO_EE_OFFENDER(ee), e->from, sizeof e->from);
	return true;
}

int probe_bind_source(int fd, int family, const char *source, char *err, size_t errlen)
{
	if (strcmp(source, "auto") == 0)
		return 0;
	struct sockaddr_storage src;
	memset(&src, 0, sizeof src);
	socklen_t len;
	int rc;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
		s4->sin_family = AF_INET;
		rc = inet_pton(AF_INET, source, &s4->sin_addr) == 1 ? 0 : -1;
		len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&src;
		s6->sin6_family = AF_INET6;
		rc = inet_pton(AF_INET6, source, &s6->sin6_addr) == 1 ? 0 : -1;
		len = sizeof *s6;
	}
	if (rc) {
		snprintf(err, errlen, "source %s is not an %s address", source,
			 family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&src, len) < 0) {
		snprintf(err, errlen, "cannot use source %s: %s", source, strerror(errno));
		return -1;
	}
	return 0;
}

/* Seconds, with a fraction allowed (beyond the appliance, whose interval
 * is whole seconds), so tests and busy operators can go below one. */
bool probe_parse_seconds(const char *v, unsigned *ms)
{
	char *end;
	errno = 0;
	double s = strtod(v, &end);
	if (errno || end == v || *end || !(s >= 0.01) || s > 2147483.0)
		return false;
	*ms = (unsigned)(s * 1000.0 + 0.5);
	return true;
}

const char *probe_check_seconds(const char *v)
{
	unsigned ms;
	return probe_parse_seconds(v, &ms) ? NULL
					   : "is not a number of seconds from 0.01 to 2147483";
}

void probe_seconds_text(char *buf, size_t len, unsigned ms)
{
	if (ms % 1000)
		snprintf(buf, len, "%u.%03u", ms / 1000, ms % 1000);
	else
		snprintf(buf, len, "%u", ms / 1000);
	/* 0.250 -> 0.25 */
	size_t n = strlen(buf);
	if (strchr(buf, '.'))
		while (n && buf[n - 1] == '0')
			buf[--n] = 0;
}
