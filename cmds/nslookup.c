/* SPDX-License-Identifier: MIT */
/*
 * nslookup.c - `execute nslookup` and `execute nslookup-mx`.
 *
 * Asks the stub resolver (diag/dns.c), the same one the mail test uses, so
 * what the operator sees here is what the appliance's own lookups get.
 * Success prints the answering server, the records and the time taken;
 * a failure prints the server it came from (when one replied) and fails
 * the command with one line that names the failure: NXDOMAIN, NODATA,
 * SERVFAIL, REFUSED, timeout, unreachable, or no DNS configured.
 */
#include "cmds/nslookup.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/walk.h"
#include "net/dns.h"
#include "diag/resolve.h"

/* Per server and question: a healthy resolver answers in well under a
 * second; a dead one should not keep the operator waiting long. */
enum { NSLOOKUP_TIMEOUT_MS = 2000 };

static const char *check_server(const char *v)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1)
		return NULL;
	return "is not a valid IPv4 or IPv6 address";
}

const struct schema_attr cmds_nslookup_name_arg = {
	.name = "name",
	.help = "Host or domain name to look up.",
	.type = SCHEMA_T_STRING,
	.max = 253,
	.check = schema_check_host,
};
const struct schema_attr cmds_nslookup_server_arg = {
	.name = "server",
	.help = "DNS server to ask instead of config system dns (IPv4 or IPv6 address).",
	.type = SCHEMA_T_STRING,
	.max = 45,
	.check = check_server,
};

struct lookup {
	struct cli *cli;
	const char *name;
	struct dns_server servers[4];
	const char *roles[4]; /* "primary"...; NULL for the server given */
	size_t n;
	unsigned elapsed_ms;
};

/* Fills l->servers from the argument or from system dns; 0 when there is
 * none (the caller fails the command). */
static size_t servers_of(struct lookup *l, const struct cli_args *a)
{
	l->name = a->argv[0];
	if (a->argc < 2) {
		l->n = diag_dns_servers(l->cli->cfg, l->servers, l->roles);
		return l->n;
	}
	struct dns_server *s = &l->servers[0];
	struct sockaddr_in *a4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&s->addr;
	memset(s, 0, sizeof *s);
	l->roles[0] = NULL;
	if (inet_pton(AF_INET, a->argv[1], &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(53);
		s->len = sizeof *a4;
	} else {
		/* The walker checked the argument: it is one or the other. */
		inet_pton(AF_INET6, a->argv[1], &a6->sin6_addr);
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(53);
		s->len = sizeof *a6;
	}
	return l->n = 1;
}

static void print_server(struct lookup *l, int idx)
{
	char ip[INET6_ADDRSTRLEN];
	if (idx < 0 || (size_t)idx >= l->n)
		return;
	diag_dns_server_text(&l->servers[idx], ip, sizeof ip);
	if (l->roles[idx])
		cli_out_printf(l->cli->out, "Server:  %s (system dns %s)\n", ip, l->roles[idx]);
	else
		cli_out_printf(l->cli->out, "Server:  %s\n", ip);
}

/* The failure line for a status that is not DNS_OK; what_type names the
 * records asked for ("A or AAAA", "MX"). */
static int fail(struct lookup *l, const struct dns_answer *ans, const char *what_type)
{
	char msg[512], ip[INET6_ADDRSTRLEN] = "";
	if (ans->answered_by >= 0 && (size_t)ans->answered_by < l->n)
		diag_dns_server_text(&l->servers[ans->answered_by], ip, sizeof ip);
	switch (ans->status) {
	case DNS_NXDOMAIN:
		snprintf(msg, sizeof msg, "** server can't find %s: NXDOMAIN (no such name)",
			 l->name);
		break;
	case DNS_NODATA:
		snprintf(msg, sizeof msg,
			 "** server can't find %s: NODATA (the name has no %s record)", l->name,
			 what_type);
		break;
	case DNS_SERVFAIL:
		snprintf(msg, sizeof msg, "** server can't find %s: SERVFAIL (the server failed)",
			 l->name);
		break;
	case DNS_REFUSED:
		snprintf(msg, sizeof msg,
			 "** server can't find %s: REFUSED (the server refused the query)",
			 l->name);
		break;
	case DNS_BAD_REPLY:
		snprintf(msg, sizeof msg,
			 "** server can't find %s: bad reply (the answer could not be parsed)",
			 l->name);
		break;
	case DNS_TIMEOUT:
		snprintf(msg, sizeof msg,
			 ";; connection timed out after %u ms; no servers could be reached",
			 ans->elapsed_ms);
		break;
	case DNS_UNREACHABLE:
		snprintf(msg, sizeof msg, ";; %s unreachable (%s); no servers could be reached",
			 *ip ? ip : "server", strerror(ans->sys_errno));
		break;
	case DNS_BAD_NAME:
		snprintf(msg, sizeof msg, "%s is not a valid DNS name", l->name);
		break;
	case DNS_NO_SERVER:
	case DNS_OK:
	default:
		snprintf(msg, sizeof msg, "no DNS server is configured (config system dns)");
		break;
	}
	return cli_fail(l->cli, -1, NULL, NULL, msg);
}

static int no_server(struct cli *cli)
{
	return cli_fail(cli, -1, NULL, NULL, "no DNS server is configured (config system dns)");
}

/* An address typed as the name answers itself; say so rather than pretend
 * a server was asked. */
static bool literal(struct lookup *l)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, l->name, buf) != 1 && inet_pton(AF_INET6, l->name, buf) != 1)
		return false;
	cli_out_printf(l->cli->out, "Name:    %s\nAddress: %s\n(an address: no lookup needed)\n",
		       l->name, l->name);
	return true;
}

int cmds_nslookup(struct cli *cli, const struct cli_args *a)
{
	struct lookup l = {.cli = cli};
	struct dns_answer ans[2];
	static const enum dns_type types[2] = {DNS_A, DNS_AAAA};
	static const char *const tnames[2] = {"A", "AAAA"};
	int asked = 0, shown = -1;

	l.name = a->argv[0];
	if (literal(&l))
		return 0;
	if (servers_of(&l, a) == 0)
		return no_server(cli);
	for (int k = 0; k < 2; k++) {
		dns_query(l.servers, l.n, l.name, types[k], NSLOOKUP_TIMEOUT_MS, &ans[k]);
		l.elapsed_ms += ans[k].elapsed_ms;
		asked++;
		/* The AAAA question would only repeat these. */
		if (ans[k].status == DNS_NXDOMAIN || ans[k].status == DNS_TIMEOUT ||
		    ans[k].status == DNS_UNREACHABLE || ans[k].status == DNS_BAD_NAME)
			break;
	}
	for (int k = 0; k < asked; k++)
		if (ans[k].status == DNS_OK && shown < 0)
			shown = k;
	if (shown < 0) {
		/* Neither type has records: report the A answer, unless A had
		 * NODATA and AAAA a more telling failure. */
		const struct dns_answer *f = &ans[0];
		if (asked == 2 && f->status == DNS_NODATA && ans[1].status != DNS_NODATA)
			f = &ans[1];
		print_server(&l, f->answered_by);
		return fail(&l, f, "A or AAAA");
	}
	print_server(&l, ans[shown].answered_by);
	cli_out_printf(cli->out, "Name:    %s\n", l.name);
	for (int k = 0; k < asked; k++)
		for (size_t i = 0; ans[k].status == DNS_OK && i < ans[k].n; i++)
			cli_out_printf(cli->out, "Address: %s\n", ans[k].rec[i].text);
	/* One type answered, the other failed other than with NODATA: say so. */
	for (int k = 0; k < asked; k++)
		if (ans[k].status != DNS_OK && ans[k].status != DNS_NODATA)
			cli_out_printf(cli->out, "%s lookup: %s\n", tnames[k],
				       dns_status_text(ans[k].status));
	cli_out_printf(cli->out, "(answered in %u ms)\n", l.elapsed_ms);
	return 0;
}

int cmds_nslookup_mx(struct cli *cli, const struct cli_args *a)
{
	struct lookup l = {.cli = cli};
	struct dns_answer ans;

	if (servers_of(&l, a) == 0)
		return no_server(cli);
	dns_query(l.servers, l.n, l.name, DNS_MX, NSLOOKUP_TIMEOUT_MS, &ans);
	l.elapsed_ms = ans.elapsed_ms;
	print_server(&l, ans.answered_by);
	if (ans.status != DNS_OK)
		return fail(&l, &ans, "MX");
	cli_out_printf(cli->out, "Name:    %s\n", l.name);
	for (size_t i = 0; i < ans.n; i++)
		cli_out_printf(cli->out, "Mail exchanger: %s\n", ans.rec[i].text);
	cli_out_printf(cli->out, "(answered in %u ms)\n", l.elapsed_ms);
	return 0;
}
