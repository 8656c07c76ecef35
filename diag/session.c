/* SPDX-License-Identifier: MIT */
/* session.c - admin sessions and the audit trail, for `diagnose system`. */
#include "diag/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/login.h"
#include "cli/perm.h"
#include "cli/walk.h"
#include "store/admin.h"

long long diag_audit_parse_time(const char *v, long long now)
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
	return diag_audit_parse_time(v, time(NULL)) < 0
		       ? "is not a time (2026-11-29, 2026-11-29T20:05:00 in UTC, or 30m, 2h, 7d "
			 "ago)"
		       : NULL;
}

const struct schema_attr diag_session_id_arg = {
	.name = "sid",
	.help = "Session id, as `list` shows it.",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 2147483647,
};

const struct schema_attr diag_audit_admin_arg = {
	.name = "name",
	.help = "Administrator name.",
	.type = SCHEMA_T_STRING,
	.max = 63,
};

const struct schema_attr diag_audit_since_arg = {
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
	long long stale[64];
	int nstale;
};

static int print_session(void *arg, const struct store_session *s)
{
	struct list_ctx *c = arg;
	char since[32];
	if (c->only && s->id != c->only)
		return 0;
	if (!cli_login_alive(s->pid, s->pstart)) { /* its process is gone: prune */
		if (c->nstale < 64)
			c->stale[c->nstale++] = s->id;
		return 0;
	}
	utc(s->since, since, sizeof since);
	cli_out_printf(c->cli->out,
		       "*** entry %d ***\n"
		       "session_id: %lld%s\n"
		       "username: %s\n"
		       "from: %s(%s)\n"
		       "since: %s UTC\n"
		       "session length: %lld (seconds)\n",
		       c->n++, (long long)s->id,
		       s->id == c->cli->admin.session ? " (this session)" : "", s->admin, s->kind,
		       s->source, since, (long long)(time(NULL) - s->since));
	return cli_out_quit(c->cli->out);
}

static int list(struct cli *cli, long long only)
{
	struct list_ctx c = {cli, 0, only};
	if (store_session_each(cli->st, print_session, &c) != STORE_OK)
		return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	for (int i = 0; i < c.nstale; i++)
		store_session_remove(cli->st, c.stale[i]);
	return 0;
}

int diag_session_list(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return list(cli, 0);
}

int diag_session_status(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	if (!cli->admin.session) {
		cli_out_printf(cli->out,
			       "session_id: none (not registered: a script that is not a login)\n"
			       "username: %s\nprofile: %s\nfrom: %s\n",
			       cli->admin.name, cli->admin.profile, cli->admin.source);
		return 0;
	}
	cli_out_printf(cli->out, "profile: %s\n", cli->admin.profile);
	return list(cli, cli->admin.session);
}

int diag_session_kill(struct cli *cli, const struct cli_args *a)
{
	long long sid = strtoll(a->argv[0], NULL, 10);
	struct store_session s;
	char msg[160];
	if (sid == cli->admin.session)
		return cli_fail(cli, -651, "value", a->argv[0],
				"this is your own session: use 'exit' to end it");
	int rc = store_session_get(cli->st, sid, &s);
	if (rc < 0)
		return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	if (rc == 0 || !cli_login_alive(s.pid, s.pstart)) {
		snprintf(msg, sizeof msg, "no admin session %lld", sid);
		return cli_fail(cli, -3, "value", a->argv[0], msg);
	}
	/* The session sees its row gone within a second and ends itself:
	 * sessions of other admins run as other users, out of a signal's reach. */
	if (store_session_remove(cli->st, sid) != STORE_OK)
		return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	cli_audit(cli, "kill", "session %lld of %s from %s", sid, s.admin, s.source);
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

int diag_session_audit(struct cli *cli, const struct cli_args *a)
{
	const char *admin = NULL;
	long long since = 0;
	for (int i = 0; i < a->argc; i++) {
		if (a->argattr[i] == &diag_audit_admin_arg)
			admin = a->argv[i];
		else if (a->argattr[i] == &diag_audit_since_arg)
			since = diag_audit_parse_time(a->argv[i], time(NULL));
	}
	/* Without a time, the last 200 rows; with one, all since then. */
	if (store_audit_each(cli->st, admin, since, since ? 0 : 200, print_audit, cli) != STORE_OK)
		return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	return 0;
}
