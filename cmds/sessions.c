/* SPDX-License-Identifier: MIT */
/* sessions.c - admin sessions and the audit trail, for `diagnose system`. */
#include "cmds/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/walk.h"
#include "config/sessions.h"

long long cmds_audit_parse_time(const char *v, long long now)
{
	struct tm tm = {0};
	char unit = 0, *end;
	if (!*v || strlen(v) > 19)
		return -1;
	if (v[0] >= '0' && v[0] <= '9' && strspn(v, "0123456789") == strlen(v) - 1) {
		unsigned long n = strtoul(v, &end, 10);
		unit = *end;
		unsigned long mult = unit == 'm'   ? 60
				     : unit == 'h' ? 3600
				     : unit == 'd' ? 86400
						   : 0;
		if (!mult || n > 3650ul * 86400 / mult)
			return -1;
		return now - (long long)(n * mult);
	}
	const char *p = strptime(v, "%Y-%m-%d", &tm);
	if (p && *p == 'T')
		p = strptime(p + 1, strlen(p + 1) > 5 ? "%H:%M:%S" : "%H:%M", &tm);
	if (!p || *p)
		return -1;
	return (long long)timegm(&tm);
}

static const char *check_since(const char *v)
{
	return cmds_audit_parse_time(v, time(NULL)) < 0
		       ? "is not a time (2026-11-29, 2026-11-29T20:05:00 in UTC, or 30m, 2h, 7d "
			 "ago)"
		       : NULL;
}

const struct schema_attr cmds_session_id_arg = {
	.name = "sid",
	.help = "Session id, as `list` shows it.",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 2147483647,
};

const struct schema_attr cmds_audit_admin_arg = {
	.name = "name",
	.help = "Administrator name.",
	.type = SCHEMA_T_STRING,
	.max = 63,
};

const struct schema_attr cmds_audit_since_arg = {
	.name = "time",
	.help = "From this time on: 2026-11-29, 2026-11-29T20:05:00 (UTC), or 30m, 2h, 7d ago.",
	.type = SCHEMA_T_STRING,
	.max = 19,
	.check = check_since,
};

static void utc(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", gmtime_r(&tt, &tm));
}

struct list_ctx {
	struct cli *cli;
	int n;
	long long only; /* status: this session id */
};

static int print_session(void *arg, const struct store_session *s)
{
	struct list_ctx *c = arg;
	char since[32];
	if (c->only && s->id != c->only)
		return 0;
	utc(s->since, since, sizeof since);
	cli_out_printf(c->cli->out,
		       "*** entry %d ***\n"
		       "session_id: %lld%s\n"
		       "username: %s\n"
		       "from: %s(%s)\n"
		       "since: %s UTC\n"
		       "session length: %lld (seconds)\n",
		       c->n++, (long long)s->id,
		       s->id == config_who(c->cli->cfg)->session ? " (this session)" : "", s->admin,
		       s->kind, s->source, since, (long long)(time(NULL) - s->since));
	return cli_out_quit(c->cli->out);
}

static int list(struct cli *cli, long long only)
{
	struct list_ctx c = {cli, 0, only};
	return config_session_each(cli->cfg, print_session, &c) ? cli_fail_store(cli) : 0;
}

int cmds_session_list(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return list(cli, 0);
}

int cmds_session_status(struct cli *cli, const struct cli_args *a)
{
	const struct config_who *w = config_who(cli->cfg);
	(void)a;
	if (!w->session) {
		cli_out_printf(cli->out,
			       "session_id: none (not registered: a script that is not a login)\n"
			       "username: %s\nprofile: %s\nfrom: %s\n",
			       w->name, w->profile, w->source);
		return 0;
	}
	cli_out_printf(cli->out, "profile: %s\n", w->profile);
	return list(cli, w->session);
}

int cmds_session_kill(struct cli *cli, const struct cli_args *a)
{
	long long sid = strtoll(a->argv[0], NULL, 10);
	struct store_session s;
	char msg[160];
	if (sid == config_who(cli->cfg)->session)
		return cli_fail(cli, -651, "value", a->argv[0],
				"this is your own session: use 'exit' to end it");
	int rc = config_session_kill(cli->cfg, sid, &s);
	if (rc < 0)
		return cli_fail_store(cli);
	if (rc == 0) {
		snprintf(msg, sizeof msg, "no admin session %lld", sid);
		return cli_fail(cli, -3, "value", a->argv[0], msg);
	}
	cli_out_printf(cli->out, "session %lld of %s killed\n", sid, s.admin);
	return 0;
}

static int print_audit(void *arg, const struct store_audit *x)
{
	struct cli *cli = arg;
	char when[32];
	utc(x->time, when, sizeof when);
	cli_out_printf(cli->out, "%s %s admin=%s from=%s session=%lld: %s\n", when, x->event,
		       x->admin, x->source, (long long)x->session, x->detail);
	return cli_out_quit(cli->out);
}

int cmds_session_audit(struct cli *cli, const struct cli_args *a)
{
	const char *admin = NULL;
	long long since = 0;
	for (int i = 0; i < a->argc; i++) {
		if (a->argattr[i] == &cmds_audit_admin_arg)
			admin = a->argv[i];
		else if (a->argattr[i] == &cmds_audit_since_arg)
			since = cmds_audit_parse_time(a->argv[i], time(NULL));
	}
	/* Without a time, the last 200 rows; with one, all since then. */
	if (config_audit_each(cli->cfg, admin, since, since ? 0 : 200, print_audit, cli) != 0)
		return cli_fail_store(cli);
	return 0;
}
