/* SPDX-License-Identifier: MIT */
/*
 * traceroute.c - `execute traceroute`, `execute traceroute6`,
 * `execute traceroute-options`.
 *
 * Probes are UDP datagrams to ports 33434 and up, as in the classic
 * traceroute: they need no privilege and no sysctl (unlike ICMP echo,
 * which needs CAP_NET_RAW or ping_group_range).  Each probe has its own
 * socket, connected to the destination, with its TTL (hop limit) and
 * IP_RECVERR: the router where the TTL runs out answers with "time
 * exceeded", the destination with "port unreachable", and the kernel puts
 * either on that probe's error queue, so an answer belongs to its probe
 * without parsing the quoted packet.  A socket per probe also keeps one
 * probe's error from failing the next send (a pending socket error makes
 * sendto fail).
 *
 * Up to WINDOW probes are in flight at once (traceroute's -N 16), so a
 * path of silent hops costs a few waits, not one per probe; hops are still
 * reported strictly in order, each once all its probes are answered or
 * timed out.
 */
#include "cmds/traceroute.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/output.h"
#include "cli/session.h"
#include "cli/walk.h"
#include "cmds/ping.h"
#include "cmds/state.h"
#include "cmds/target.h"
#include "net/ping.h"
#include "net/probe.h"

void trace_opts_default(struct trace_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_hops = 32;
	o->queries = 3;
	o->wait_ms = 3000;
	snprintf(o->source, sizeof o->source, "auto");
}

/* ---- engine ------------------------------------------------------------- */

enum { WINDOW = 16, POLL_SLICE_MS = 100 };

enum probe_state { P_UNSENT, P_PENDING, P_DONE };

struct probe {
	enum probe_state state;
	int fd;
	uint64_t sent_us;
	bool final; /* from the destination, or an unreachable: the last hop */
	struct trace_reply r;
};

struct tracer {
	const struct sockaddr_storage *dst;
	const struct trace_opts *o;
	struct probe *p; /* max_hops * queries, hop h's at [(h-1)*queries, h*queries) */
	char dst_text[46];
	unsigned send_limit; /* probes for hops above this are not sent */
	unsigned pending;
};

/* The traceroute annotation of an ICMP error; *final when the trace ends
 * here (the destination's "port unreachable" or any other unreachable). */
static void classify(int family, const struct probe_err *pe, char *note, size_t len, bool *final)
{
	note[0] = 0;
	*final = false;
	if (family == AF_INET) {
		if (pe->type == 11) /* time exceeded: a hop on the way */
			return;
		if (pe->type != 3) {
			snprintf(note, len, "!<%d>", pe->type);
			return;
		}
		*final = true;
		switch (pe->code) {
		case 0:
			snprintf(note, len, "!N");
			break;
		case 1:
			snprintf(note, len, "!H");
			break;
		case 2:
			snprintf(note, len, "!P");
			break;
		case 3:
			break; /* port unreachable: the destination */
		case 4:
			snprintf(note, len, "!F-%u", (unsigned)pe->info);
			break;
		case 5:
			snprintf(note, len, "!S");
			break;
		case 9:
		case 10:
		case 13:
			snprintf(note, len, "!X");
			break;
		case 14:
			snprintf(note, len, "!V");
			break;
		case 15:
			snprintf(note, len, "!C");
			break;
		default:
			snprintf(note, len, "!<%d>", pe->code);
			break;
		}
		return;
	}
	if (pe->type == ICMP6_TIME_EXCEEDED)
		return;
	if (pe->type == ICMP6_PACKET_TOO_BIG) {
		snprintf(note, len, "!F-%u", (unsigned)pe->info);
		*final = true;
		return;
	}
	if (pe->type != ICMP6_DST_UNREACH) {
		snprintf(note, len, "!<%d>", pe->type);
		return;
	}
	*final = true;
	switch (pe->code) {
	case ICMP6_DST_UNREACH_NOROUTE:
		snprintf(note, len, "!N");
		break;
	case ICMP6_DST_UNREACH_ADMIN:
		snprintf(note, len, "!X");
		break;
	case ICMP6_DST_UNREACH_BEYONDSCOPE:
		snprintf(note, len, "!S");
		break;
	case ICMP6_DST_UNREACH_ADDR:
		snprintf(note, len, "!H");
		break;
	case ICMP6_DST_UNREACH_NOPORT:
		break;
	default:
		snprintf(note, len, "!X");
		break; /* 5, 6: policy, reject route */
	}
}

static void finish(struct tracer *t, struct probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->state = P_DONE;
	t->pending--;
}

static void answered(struct tracer *t, struct probe *p, unsigned idx, uint64_t at, const char *from,
		     const char *note, bool final)
{
	p->r.answered = true;
	p->r.rtt_us = (unsigned long)(at > p->sent_us ? at - p->sent_us : 0);
	snprintf(p->r.from, sizeof p->r.from, "%s", from);
	snprintf(p->r.note, sizeof p->r.note, "%s", note);
	p->final = final || strcmp(from, t->dst_text) == 0;
	if (p->final && idx / t->o->queries + 1 < t->send_limit)
		t->send_limit = idx / t->o->queries + 1;
	finish(t, p);
}

static int send_probe(struct tracer *t, unsigned idx, char *err, size_t errlen)
{
	struct probe *p = &t->p[idx];
	int family = t->dst->ss_family;
	int one = 1, ttl = (int)(idx / t->o->queries + 1);
	p->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (p->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	p->state = P_PENDING;
	t->pending++;
	int rc = family == AF_INET
			 ? setsockopt(p->fd, SOL_IP, IP_RECVERR, &one, sizeof one) ||
				   setsockopt(p->fd, SOL_IP, IP_TTL, &ttl, sizeof ttl)
			 : setsockopt(p->fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof one) ||
				   setsockopt(p->fd, SOL_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
	if (rc) {
		snprintf(err, errlen, "cannot set up the UDP socket: %s", strerror(errno));
		return -1;
	}
	if (probe_bind_source(p->fd, family, t->o->source, err, errlen) < 0)
		return -1;
	struct sockaddr_storage to = *t->dst;
	uint16_t port = htons((uint16_t)(TRACE_BASE_PORT + idx));
	socklen_t tolen;
	if (family == AF_INET) {
		((struct sockaddr_in *)&to)->sin_port = port;
		tolen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&to)->sin6_port = port;
		tolen = sizeof(struct sockaddr_in6);
	}
	/* connect: a missing route shows here, before anything is sent. */
	if (connect(p->fd, (struct sockaddr *)&to, tolen) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		return -1;
	}
	uint8_t data[TRACE_DATA_LEN];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(0x40 + i);
	p->sent_us = probe_now_us();
	if (send(p->fd, data, sizeof data, 0) < 0) {
		snprintf(err, errlen, "sendto failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Whatever came back on probe idx's socket. */
static void collect(struct tracer *t, unsigned idx, short revents)
{
	struct probe *p = &t->p[idx];
	if (revents & POLLERR) {
		uint8_t payload[TRACE_DATA_LEN + 64];
		size_t n;
		struct probe_err pe;
		while (p->state == P_PENDING &&
		       probe_read_error(p->fd, &pe, payload, sizeof payload, &n)) {
			if (!pe.icmp)
				continue; /* a local error (no neighbour...): let it time out */
			char note[16];
			bool final;
			classify(t->dst->ss_family, &pe, note, sizeof note, &final);
			answered(t, p, idx, pe.at_us, pe.from, note, final);
		}
	}
	if (p->state == P_PENDING && (revents & POLLIN)) {
		/* A UDP answer: something listens on the destination's port. */
		uint8_t buf[512];
		if (recv(p->fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
			answered(t, p, idx, probe_now_us(), t->dst_text, "", true);
	}
}

int trace_run(const struct sockaddr_storage *dst, const struct trace_opts *o,
	      const volatile sig_atomic_t *stop, trace_hop_fn hopfn, void *ctx, char *err,
	      size_t errlen)
{
	unsigned total = o->max_hops * o->queries;
	struct tracer t = {.dst = dst, .o = o, .send_limit = o->max_hops};
	t.p = calloc(total, sizeof *t.p);
	struct trace_reply *hop = calloc(o->queries, sizeof *hop);
	int rc = -1;
	if (!t.p || !hop) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < total; i++)
		t.p[i].fd = -1;
	probe_addr_text((const struct sockaddr *)dst, t.dst_text, sizeof t.dst_text);

	unsigned next = 0, head = 0; /* next probe to send; first hop not reported */
	while (head < t.send_limit) {
		if (stop && *stop)
			break;
		while (t.pending < WINDOW && next < total && next / o->queries < t.send_limit)
			if (send_probe(&t, next++, err, errlen) < 0)
				goto out;

		/* Report the hops that are complete, in order. */
		bool progress = true;
		while (progress && head < t.send_limit) {
			struct probe *hp = &t.p[head * o->queries];
			bool final = false;
			for (unsigned q = 0; q < o->queries && progress; q++) {
				progress = hp[q].state == P_DONE;
				hop[q] = hp[q].r;
				final = final || hp[q].final;
			}
			if (!progress)
				break;
			hopfn(ctx, head + 1, hop, o->queries);
			head++;
			if (final)
				t.send_limit = head;
		}
		if (head >= t.send_limit)
			break;

		/* Wait for answers on the probes in flight, or the first timeout. */
		struct pollfd pf[WINDOW];
		unsigned idx[WINDOW], n = 0;
		uint64_t now = probe_now_us(), first = UINT64_MAX;
		for (unsigned i = head * o->queries; i < next && n < WINDOW; i++) {
			struct probe *p = &t.p[i];
			if (p->state != P_PENDING)
				continue;
			uint64_t due = p->sent_us + (uint64_t)o->wait_ms * 1000u;
			if (due < first)
				first = due;
			pf[n] = (struct pollfd){.fd = p->fd, .events = POLLIN};
			idx[n++] = i;
		}
		uint64_t wait_ms = first > now ? (first - now + 999) / 1000 : 0;
		if (wait_ms > POLL_SLICE_MS)
			wait_ms = POLL_SLICE_MS;
		int r = poll(pf, n, (int)wait_ms);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		for (unsigned k = 0; r > 0 && k < n; k++)
			if (pf[k].revents)
				collect(&t, idx[k], pf[k].revents);
		now = probe_now_us();
		for (unsigned k = 0; k < n; k++) {
			struct probe *p = &t.p[idx[k]];
			if (p->state == P_PENDING &&
			    now >= p->sent_us + (uint64_t)o->wait_ms * 1000u)
				finish(&t, p); /* lost: answered stays false */
		}
	}
	rc = 0;
out:
	for (unsigned i = 0; t.p && i < total; i++)
		if (t.p[i].fd >= 0)
			close(t.p[i].fd);
	free(t.p);
	free(hop);
	return rc;
}

/* ---- printer and commands ------------------------------------------------ */

/* traceroute-options, for the rest of the session. */
static struct trace_opts *cur_opts(struct cli *cli)
{
	struct cmds_state *s = cmds_state(cli);
	return s ? &s->trace : NULL;
}

/* " 1  10.0.0.1  0.423 ms  0.391 ms !N  *": the address again only when it
 * changes within the hop, as traceroute prints it. */
static void print_hop(void *ctx, unsigned hop, const struct trace_reply *r, unsigned n)
{
	struct cli *cli = ctx;
	char line[1024];
	size_t len = (size_t)snprintf(line, sizeof line, "%2u ", hop);
	const char *last = "";
	for (unsigned i = 0; i < n && len < sizeof line; i++) {
		if (!r[i].answered) {
			len += (size_t)snprintf(line + len, sizeof line - len, " *");
			continue;
		}
		if (strcmp(r[i].from, last) != 0)
			len += (size_t)snprintf(line + len, sizeof line - len, " %s", r[i].from);
		last = r[i].from;
		if (len < sizeof line)
			len += (size_t)snprintf(line + len, sizeof line - len, "  %.3f ms%s%s",
						(double)r[i].rtt_us / 1000.0, *r[i].note ? " " : "",
						r[i].note);
	}
	cmds_say(cli, "%s\n", line);
}

static int do_trace(struct cli *cli, const struct cli_args *a, int family)
{
	const char *host = a->argv[0];
	struct sockaddr_storage dst;
	if (cmds_resolve(cli, host, family,
			 family == AF_INET ? "execute traceroute6" : "execute traceroute",
			 &dst) < 0)
		return -1;
	char ip[46];
	probe_addr_text((struct sockaddr *)&dst, ip, sizeof ip);
	const struct trace_opts *o = cur_opts(cli);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	cli->cancel = 0;
	cmds_say(cli,
		 "traceroute to %s (%s), %u hops max, %u probe packets per hop, %u byte packets\n",
		 host, ip, o->max_hops, o->queries,
		 (family == AF_INET ? 20u : 40u) + 8u + TRACE_DATA_LEN);
	char err[300];
	int rc = trace_run(&dst, o, &cli->cancel, print_hop, cli, err, sizeof err);
	cli->cancel = 0;
	return rc < 0 ? cli_fail(cli, -1, NULL, NULL, err) : 0;
}

int cmds_traceroute(struct cli *cli, const struct cli_args *a)
{
	return do_trace(cli, a, AF_INET);
}

int cmds_traceroute6(struct cli *cli, const struct cli_args *a)
{
	return do_trace(cli, a, AF_INET6);
}

/* ---- traceroute-options ----------------------------------------------------- */

const struct schema_attr cmds_trace_host_arg = {
	.name = "host",
	.help = "IPv4 address or DNS resolvable host name.",
	.type = SCHEMA_T_STRING,
	.max = 253,
	.check = schema_check_host,
};
const struct schema_attr cmds_trace6_host_arg = {
	.name = "host",
	.help = "IPv6 address or DNS resolvable host name.",
	.type = SCHEMA_T_STRING,
	.max = 253,
	.check = schema_check_host,
};
const struct schema_attr cmds_trace_opt_max_hops = {
	.name = "hops",
	.help = "Largest TTL to try (1-255, default 32).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 255,
};
const struct schema_attr cmds_trace_opt_queries = {
	.name = "queries",
	.help = "Probes per hop (1-10, default 3).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 10,
};
const struct schema_attr cmds_trace_opt_timeout = {
	.name = "seconds",
	.help = "Seconds to wait for each probe (default 3; fractions allowed).",
	.type = SCHEMA_T_STRING,
	.max = 16,
	.check = probe_check_seconds,
};

/* `execute traceroute-options <option> <value>`: one handler for every
 * option (the source argument is ping-options' own). */
int cmds_trace_set_option(struct cli *cli, const struct cli_args *a)
{
	const struct schema_attr *at = a->argattr[0];
	const char *v = a->argv[0];
	struct trace_opts *o = cur_opts(cli);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");

	(void)cli;
	if (at == &cmds_trace_opt_max_hops)
		o->max_hops = (unsigned)strtoul(v, NULL, 10);
	else if (at == &cmds_trace_opt_queries)
		o->queries = (unsigned)strtoul(v, NULL, 10);
	else if (at == &cmds_trace_opt_timeout)
		probe_parse_seconds(v, &o->wait_ms);
	else if (at == &cmds_ping_opt_source)
		snprintf(o->source, sizeof o->source, "%s", v);
	return 0;
}

int cmds_trace_view_settings(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	const struct trace_opts *o = cur_opts(cli);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	char timeout[24];
	probe_seconds_text(timeout, sizeof timeout, o->wait_ms);
	cli_out_printf(cli->out,
		       "Traceroute Options:\n"
		       "Max Hops: %u\n"
		       "Queries: %u\n"
		       "Timeout: %s\n"
		       "Source Address: %s\n",
		       o->max_hops, o->queries, timeout, o->source);
	return 0;
}

int cmds_trace_reset(struct cli *cli, const struct cli_args *a)
{
	(void)cli;
	(void)a;
	struct trace_opts *o = cur_opts(cli);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	trace_opts_default(o);
	return 0;
}
