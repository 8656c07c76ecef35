/* SPDX-License-Identifier: MIT */
/*
 * ping.c - `execute ping`, `execute ping6`, `execute ping-options`: the
 * printer of the engine's events (net/ping.c) in the appliance's lines
 * (spec §8.4), and the options.
 */
#include "cmds/ping.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "cli/session.h"
#include "cli/walk.h"
#include "cmds/state.h"
#include "cmds/target.h"
#include "net/ping.h"
#include "net/probe.h"

/* ---- printer and commands ------------------------------------------------ */

/* ping-options [0] and ping6-options [1], for the rest of the session. */
static struct ping_opts *cur_opts(struct cli *cli, bool v6)
{
	struct cmds_state *s = cmds_state(cli);
	return s ? &s->ping[v6] : NULL;
}

static void print_event(void *ctx, const struct ping_event *ev)
{
	struct cli *cli = ctx;
	switch (ev->kind) {
	case PING_EV_REPLY:
		cmds_say(cli, "%zu bytes from %s: icmp_seq=%u ttl=%d time=%.1f ms%s%s\n", ev->bytes,
			 ev->from, ev->seq, ev->ttl, (double)ev->rtt_us / 1000.0,
			 ev->dup ? " (DUP!)" : "", ev->bad_data ? " (wrong data)" : "");
		break;
	case PING_EV_ICMP_ERR:
		cmds_say(cli, "From %s icmp_seq=%u %s\n", ev->from, ev->seq, ev->text);
		break;
	case PING_EV_SEND_ERR:
		cmds_say(cli, "sendto failed: %s\n", strerror(ev->sys_errno));
		break;
	case PING_EV_LOCAL_ERR:
		cmds_say(cli, "local error: icmp_seq=%u %s\n", ev->seq, ev->text);
		break;
	}
}

static void print_stats(struct cli *cli, const char *host, const struct ping_stats *st)
{
	unsigned long loss = st->sent ? (st->sent - st->received) * 100 / st->sent : 0;
	char dups[48] = "";
	if (st->dups)
		snprintf(dups, sizeof dups, "%lu duplicates, ", st->dups);
	cmds_say(cli, "\n--- %s ping statistics ---\n", host);
	cmds_say(cli, "%lu packets transmitted, %lu packets received, %s%lu%% packet loss\n",
		 st->sent, st->received, dups, loss);
	if (st->received)
		cmds_say(cli, "round-trip min/avg/max = %.1f/%.1f/%.1f ms\n",
			 (double)st->rtt_min_us / 1000.0,
			 (double)st->rtt_sum_us / (double)st->received / 1000.0,
			 (double)st->rtt_max_us / 1000.0);
}

static int do_ping(struct cli *cli, const struct cli_args *a, int family)
{
	const char *host = a->argv[0];
	struct sockaddr_storage dst;
	if (cmds_resolve(cli, host, family, family == AF_INET ? "execute ping6" : "execute ping",
			 &dst) < 0)
		return -1;
	char ip[INET6_ADDRSTRLEN];
	probe_addr_text((struct sockaddr *)&dst, ip, sizeof ip);
	const struct ping_opts *o = cur_opts(cli, family == AF_INET6);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	cli->cancel = 0;
	cmds_say(cli, "PING %s (%s): %u data bytes\n", host, ip, o->data_size);
	struct ping_stats st;
	char err[300];
	if (ping_run(&dst, o, &cli->cancel, print_event, cli, &st, err, sizeof err) < 0)
		return cli_fail(cli, -1, NULL, NULL, err);
	cli->cancel = 0;
	print_stats(cli, host, &st);
	return 0;
}

int cmds_ping(struct cli *cli, const struct cli_args *a)
{
	return do_ping(cli, a, AF_INET);
}

int cmds_ping6(struct cli *cli, const struct cli_args *a)
{
	return do_ping(cli, a, AF_INET6);
}

/* ---- ping-options ---------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *check_pattern(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n % 2 || n > 32)
		return "is not 1 to 16 bytes in hex (e.g. 00ffaabb)";
	for (const char *p = v; *p; p++)
		if (hexval((unsigned char)*p) < 0)
			return "is not 1 to 16 bytes in hex (e.g. 00ffaabb)";
	return NULL;
}

static const char *check_source(const char *v)
{
	unsigned char buf[16];
	if (!strcmp(v, "auto") || inet_pton(AF_INET, v, buf) == 1 ||
	    inet_pton(AF_INET6, v, buf) == 1)
		return NULL;
	return "is not auto or an IPv4 or IPv6 address";
}

static const struct schema_enum yes_no[] = {
	{"yes", "Yes.", NULL},
	{"no", "No.", NULL},
	{0},
};

static const struct schema_enum tos_values[] = {
	{"default", "Default (0).", "0"},
	{"lowcost", "Minimize cost (0x02).", "2"},
	{"lowdelay", "Minimize delay (0x10).", "16"},
	{"reliability", "Maximize reliability (0x04).", "4"},
	{"throughput", "Maximize throughput (0x08).", "8"},
	{0},
};

const struct schema_attr cmds_ping_host_arg = {
	.name = "host",
	.help = "IPv4 address or DNS resolvable host name.",
	.type = SCHEMA_T_STRING,
	.max = 253,
	.check = schema_check_host,
};
const struct schema_attr cmds_ping6_host_arg = {
	.name = "host",
	.help = "IPv6 address or DNS resolvable host name.",
	.type = SCHEMA_T_STRING,
	.max = 253,
	.check = schema_check_host,
};
const struct schema_attr cmds_ping_opt_data_size = {
	.name = "bytes",
	.help = "Data bytes per packet (0-65507, default 56).",
	.type = SCHEMA_T_UINT,
	.min = 0,
	.max = 65507,
};
const struct schema_attr cmds_ping_opt_df_bit = {
	.name = "df-bit",
	.help = "Set the don't-fragment bit (default no).",
	.type = SCHEMA_T_ENUM,
	.enums = yes_no,
};
const struct schema_attr cmds_ping_opt_interval = {
	.name = "seconds",
	.help = "Seconds between packets (default 1; fractions allowed).",
	.type = SCHEMA_T_STRING,
	.max = 16,
	.check = probe_check_seconds,
};
const struct schema_attr cmds_ping_opt_pattern = {
	.name = "hex",
	.help = "Payload pattern in hex, up to 16 bytes (e.g. 00ffaabb).",
	.type = SCHEMA_T_STRING,
	.max = 32,
	.check = check_pattern,
};
const struct schema_attr cmds_ping_opt_repeat_count = {
	.name = "count",
	.help = "Packets to send (1-2147483647, default 5).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 2147483647,
};
const struct schema_attr cmds_ping_opt_source = {
	.name = "source",
	.help = "Source address, or auto (default).",
	.type = SCHEMA_T_STRING,
	.max = 45,
	.check = check_source,
};
const struct schema_attr cmds_ping_opt_timeout = {
	.name = "seconds",
	.help = "Seconds to wait for replies (default 2; fractions allowed).",
	.type = SCHEMA_T_STRING,
	.max = 16,
	.check = probe_check_seconds,
};
const struct schema_attr cmds_ping_opt_tos = {
	.name = "tos",
	.help = "IP type of service (default 0).",
	.type = SCHEMA_T_ENUM,
	.enums = tos_values,
};
const struct schema_attr cmds_ping_opt_ttl = {
	.name = "hops",
	.help = "Time to live (1-255, default 64).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 255,
};
const struct schema_attr cmds_ping_opt_validate_reply = {
	.name = "validate-reply",
	.help = "Check that replies echo the data sent (default no).",
	.type = SCHEMA_T_ENUM,
	.enums = yes_no,
};

/* `execute ping-options <option> <value>`: one handler for every option;
 * the walker says which option's argument the value matched. */
int cmds_ping_set_option(struct cli *cli, const struct cli_args *a)
{
	const struct schema_attr *at = a->argattr[0];
	const char *v = a->argv[0];
	struct ping_opts *o = cur_opts(cli, a->opt & CMDS_PING_OPT_V6);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");

	(void)cli;
	if (at == &cmds_ping_opt_data_size) {
		o->data_size = (unsigned)strtoul(v, NULL, 10);
	} else if (at == &cmds_ping_opt_df_bit) {
		o->df = !strcmp(v, "yes");
	} else if (at == &cmds_ping_opt_interval) {
		probe_parse_seconds(v, &o->interval_ms);
	} else if (at == &cmds_ping_opt_pattern) {
		o->pattern_len = strlen(v) / 2;
		for (size_t i = 0; i < o->pattern_len; i++)
			o->pattern[i] = (uint8_t)(hexval((unsigned char)v[2 * i]) << 4 |
						  hexval((unsigned char)v[2 * i + 1]));
	} else if (at == &cmds_ping_opt_repeat_count) {
		o->count = (unsigned)strtoul(v, NULL, 10);
	} else if (at == &cmds_ping_opt_source) {
		snprintf(o->source, sizeof o->source, "%s", v);
	} else if (at == &cmds_ping_opt_timeout) {
		probe_parse_seconds(v, &o->timeout_ms);
	} else if (at == &cmds_ping_opt_tos) {
		const struct schema_enum *e = schema_enum_find(at, v);
		o->tos = e ? (unsigned)strtoul(e->data, NULL, 10) : 0;
	} else if (at == &cmds_ping_opt_ttl) {
		o->ttl = (unsigned)strtoul(v, NULL, 10);
	} else if (at == &cmds_ping_opt_validate_reply) {
		o->validate = !strcmp(v, "yes");
	}
	return 0;
}

int cmds_ping_view_settings(struct cli *cli, const struct cli_args *a)
{
	bool v6 = a->opt & CMDS_PING_OPT_V6;
	const struct ping_opts *o = cur_opts(cli, v6);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	char timeout[24], interval[24], pattern[40] = "";
	probe_seconds_text(timeout, sizeof timeout, o->timeout_ms);
	probe_seconds_text(interval, sizeof interval, o->interval_ms);
	for (size_t i = 0; i < o->pattern_len; i++)
		snprintf(pattern + 2 * i, sizeof pattern - 2 * i, "%02x", o->pattern[i]);
	cli_out_printf(cli->out,
		       "%s Options:\n"
		       "Repeat Count: %u\n"
		       "Data Size: %u\n"
		       "Timeout: %s\n"
		       "Interval: %s\n"
		       "TTL: %u\n"
		       "TOS: %u\n",
		       v6 ? "Ping6" : "Ping", o->count, o->data_size, timeout, interval, o->ttl,
		       o->tos);
	if (!v6) /* IPv6 routers never fragment: ping6-options has no df-bit */
		cli_out_printf(cli->out, "DF bit: %s\n", o->df ? "set" : "unset");
	cli_out_printf(cli->out,
		       "Source Address: %s\n"
		       "Pattern:%s%s\n"
		       "Validate Reply: %s\n",
		       o->source, *pattern ? " " : "", pattern, o->validate ? "yes" : "no");
	return 0;
}

int cmds_ping_reset(struct cli *cli, const struct cli_args *a)
{
	(void)cli;
	struct ping_opts *o = cur_opts(cli, a->opt & CMDS_PING_OPT_V6);
	if (!o)
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	ping_opts_default(o);
	return 0;
}
