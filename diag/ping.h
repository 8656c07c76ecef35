/* SPDX-License-Identifier: MIT */
/*
 * ping.h - `execute ping`, `execute ping6` and `execute ping-options`.
 *
 * In the iputils style, two parts: an engine (ping_run) that opens the
 * ICMP socket, sends the echo requests and reports what happens as events,
 * and a printer (in ping.c, behind the CLI handlers) that turns the events
 * into the appliance's output (spec §8.4).  The options of ping-options
 * (spec §8.5) live for the rest of the shell process.
 */
#ifndef APPSH_DIAG_PING_H
#define APPSH_DIAG_PING_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "schema/schema.h"

struct cli;
struct cli_args;

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

/* The arguments of the grammar (diag/grammar.c). */
extern const struct schema_attr diag_ping_host_arg, diag_ping6_host_arg;
extern const struct schema_attr diag_ping_opt_data_size, diag_ping_opt_df_bit,
	diag_ping_opt_interval, diag_ping_opt_pattern, diag_ping_opt_repeat_count,
	diag_ping_opt_source, diag_ping_opt_timeout, diag_ping_opt_tos, diag_ping_opt_ttl,
	diag_ping_opt_validate_reply;

int diag_ping(struct cli *cli, const struct cli_args *a);
int diag_ping6(struct cli *cli, const struct cli_args *a);
/* Or'ed into cli_args.opt by the `ping6-options` keyword: the handlers
 * below then work on ping6's options instead of ping's. */
#define DIAG_PING_OPT_V6 (1u << 8)

/* `execute ping[6]-options <option> <value>`, for every option above. */
int diag_ping_set_option(struct cli *cli, const struct cli_args *a);
int diag_ping_view_settings(struct cli *cli, const struct cli_args *a);
int diag_ping_reset(struct cli *cli, const struct cli_args *a);

#endif
