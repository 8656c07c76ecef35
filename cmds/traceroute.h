/* SPDX-License-Identifier: MIT */
/*
 * traceroute.h - `execute traceroute`, `execute traceroute6` and
 * `execute traceroute-options`.
 *
 * Like ping.h, two parts: an engine (trace_run) that sends UDP probes with
 * growing TTLs and reports each hop once all its probes are answered or
 * timed out, in hop order; and a printer behind the CLI handlers that
 * writes the appliance's lines (spec §8.6).
 */
#ifndef APPSH_CMDS_TRACEROUTE_H
#define APPSH_CMDS_TRACEROUTE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "schema/schema.h"

struct cli;
struct cli_args;

struct trace_opts {
	unsigned max_hops; /* default 32 */
	unsigned queries;  /* probes per hop, default 3 */
	unsigned wait_ms;  /* per probe, default 3000 */
	char source[46];   /* "auto" or an address */
};

void trace_opts_default(struct trace_opts *o);

/* What one probe brought back. */
struct trace_reply {
	bool answered;	      /* false: lost ("*") */
	unsigned long rtt_us; /* answered: send to answer */
	char from[46];	      /* answered: who answered */
	char note[16];	      /* "", or "!N", "!H", "!X", ... for an unreachable */
};

/* Called once per hop, in order: hop from 1, its probes' replies. */
typedef void (*trace_hop_fn)(void *ctx, unsigned hop, const struct trace_reply *r, unsigned n);

/* The probes' UDP payload: 56 bytes, so an IPv4 probe is 84 bytes. */
enum { TRACE_DATA_LEN = 56, TRACE_BASE_PORT = 33434 };

/*
 * Traces the route to dst (AF_INET or AF_INET6) until a hop answers from
 * the destination or with an unreachable, o->max_hops is done, or *stop
 * becomes non-zero.  Returns 0, or -1 with err set when a probe could not
 * be sent ("connect: Network is unreachable").
 */
int trace_run(const struct sockaddr_storage *dst, const struct trace_opts *o,
	      const volatile sig_atomic_t *stop, trace_hop_fn hop, void *ctx, char *err,
	      size_t errlen);

/* The arguments of the grammar (diag/grammar.c). */
extern const struct schema_attr cmds_trace_host_arg, cmds_trace6_host_arg;
extern const struct schema_attr cmds_trace_opt_max_hops, cmds_trace_opt_queries,
	cmds_trace_opt_timeout, cmds_trace_opt_source;

int cmds_traceroute(struct cli *cli, const struct cli_args *a);
int cmds_traceroute6(struct cli *cli, const struct cli_args *a);
/* `execute traceroute-options <option> <value>`, for every option above. */
int cmds_trace_set_option(struct cli *cli, const struct cli_args *a);
int cmds_trace_view_settings(struct cli *cli, const struct cli_args *a);
int cmds_trace_reset(struct cli *cli, const struct cli_args *a);

#endif
