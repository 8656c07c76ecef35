/* SPDX-License-Identifier: MIT */
/* target.c - resolving a probe's target and streaming its lines (target.h). */
#include "cmds/target.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli/session.h"
#include "diag/resolve.h"

int cmds_resolve(struct cli *cli, const char *host, int family, const char *other_cmd,
		 struct sockaddr_storage *dst)
{
	unsigned char ip[16];
	char why[300], msg[600];
	int other = family == AF_INET ? AF_INET6 : AF_INET;
	if (inet_pton(other, host, ip) == 1)
		snprintf(msg, sizeof msg, "%s is an %s address: use %s", host,
			 other == AF_INET6 ? "IPv6" : "IPv4", other_cmd);
	else if (diag_resolve(cli->cfg, host, family, 2000, dst, 1, why, sizeof why) == 1)
		return 0;
	else
		snprintf(msg, sizeof msg, "unknown host %s: %s", host, why);
	return cli_fail(cli, -1, NULL, NULL, msg);
}

void cmds_say(struct cli *cli, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	cli_out_printf(cli->out, "%s", line);
	fflush(stdout);
}
