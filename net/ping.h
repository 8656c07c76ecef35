/* SPDX-License-Identifier: MIT */
/*
 * ping.h - the engine behind `execute ping` and `execute ping6`.
 *
 * In the iputils style, two parts: this engine (ping_run) opens the ICMP
 * socket, sends the echo requests and reports what happens as events; a
 * printer (cmds/ping.c, behind the CLI handlers) turns the events into the
 * appliance's output (spec §8.4).
 */
#ifndef APPSH_NET_PING_H
#define APPSH_NET_PING_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ping_opts {
	unsigned count;	      /* repeat-count, default 5 */
	unsigned data_size;   /* bytes after the ICMP header, default 56 */
	unsigned interval_ms; /* between requests, default 1000 */
	unsigned timeout_ms;  /* wait for replies after the last request, default 2000 */
	unsigned ttl;	      /* default 64 */
	unsigned tos;	      /* IP TOS / IPv6 traffic class, default 0 */
	bool df;	      /* df-bit yes: IP_PMTUDISC_DO */
	bool validate;	      /* validate-reply yes: compare the echoed data */
	char source[46];      /* "auto" or an address */
	uint8_t pattern[16];  /* repeated over the payload */
	size_t pattern_len;   /* 0: the bytes 0, 1, 2, ... */
};

void ping_opts_default(struct ping_opts *o);

enum ping_event_kind {
	PING_EV_REPLY,	   /* an echo reply: seq, ttl, rtt_us, bytes, dup, bad_data */
	PING_EV_ICMP_ERR,  /* an ICMP error for one of ours: seq, from, text */
	PING_EV_SEND_ERR,  /* sendto failed: seq, sys_errno */
	PING_EV_LOCAL_ERR, /* a local error from the error queue (EMSGSIZE...): seq, sys_errno */
};

struct ping_event {
	enum ping_event_kind kind;
	unsigned seq;
	int ttl;
	unsigned long rtt_us;
	size_t bytes;
	bool dup, bad_data;
	int sys_errno;
	char from[46];
	char text[64]; /* "Destination Host Unreachable", ... */
};

struct ping_stats {
	unsigned long sent, received, dups, errors;
	unsigned long rtt_min_us, rtt_max_us;
	unsigned long long rtt_sum_us;
	bool interrupted;
};

/* Called for each event; ctx is the caller's. */
typedef void (*ping_event_fn)(void *ctx, const struct ping_event *ev);

/*
 * Sends o->count echo requests to dst (AF_INET or AF_INET6) and waits for
 * the replies, calling ev for each event, until all came back, the timeout
 * after the last request passed, or *stop became non-zero.  Returns 0 with
 * st filled, or -1 with err set when no socket could be opened or set up.
 */
int ping_run(const struct sockaddr_storage *dst, const struct ping_opts *o,
	     const volatile sig_atomic_t *stop, ping_event_fn ev, void *ctx, struct ping_stats *st,
	     char *err, size_t errlen);

#endif
