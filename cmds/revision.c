/* SPDX-License-Identifier: MIT */
/*
 * revision.c - `execute revision list [<count>]`, `execute revision diff
 * <a> [<b>]` and `execute revision revert <id>`: the configuration's
 * history (config/revision.h) for the operator.  A diff compares the
 * `show` text of the two configurations, secrets as ENC, and only the
 * areas the administrator may read.
 */
#include "cmds/revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/diff.h"
#include "cli/session.h"
#include "cli/walk.h"
#include "cmds/showtext.h"
#include "config/revision.h"

const struct schema_attr cmds_revision_id_arg = {
	.name = "id",
	.help = "Revision id, as `execute revision list` shows it (0: before the first).",
	.type = SCHEMA_T_UINT,
	.max = 2147483647,
};

const struct schema_attr cmds_revision_id2_arg = {
	.name = "id2",
	.help = "The second revision (default: the configuration now).",
	.type = SCHEMA_T_UINT,
	.max = 2147483647,
};

const struct schema_attr cmds_revision_count_arg = {
	.name = "count",
	.help = "Show the newest count revisions (default 50).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 1000000,
};

/* ---- list -------------------------------------------------------------- */

static int list_one(void *arg, const struct config_revision *r)
{
	struct cli *cli = arg;
	char when[32];
	time_t t = (time_t)r->time;
	struct tm tm;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
	cli_out_printf(cli->out, "%-6lld %s  %-12s %-8s %-16s %s%s%s%s\n", r->id, when, r->admin,
		       r->kind, r->source, *r->comment ? "[" : "", r->comment,
		       *r->comment ? "] " : "", r->summary);
	return cli_out_quit(cli->out);
}

int cmds_revision_list(struct cli *cli, const struct cli_args *a)
{
	int last = a->argc ? atoi(a->argv[0]) : 50;
	cli_out_printf(cli->out, "%-6s %-20s %-12s %-8s %-16s %s\n", "ID", "TIME (UTC)", "ADMIN",
		       "SOURCE", "FROM", "CHANGES");
	return config_revision_list(cli->cfg, last, list_one, cli) ? cli_fail_store(cli) : 0;
}

/* ---- diff -------------------------------------------------------------- */

/* The lines of snapshot s's `show` text (the text itself in *buf). */
static char **lines_of(struct cli *cli, const struct config_snapshot *s, char **buf, size_t *n)
{
	size_t len;
	*n = 0;
	*buf = cmds_show_text(cli, s, &len);
	return *buf ? cmds_lines(*buf, n) : NULL;
}

int cmds_revision_diff(struct cli *cli, const struct cli_args *a)
{
	long long ra = strtoll(a->argv[0], NULL, 10),
		  rb = a->argc > 1 ? strtoll(a->argv[1], NULL, 10) : -1;
	struct config_error err;
	struct config_snapshot *sa = config_snapshot_at(cli->cfg, ra, &err);
	struct config_snapshot *sb = sa ? config_snapshot_at(cli->cfg, rb, &err) : NULL;
	char *ta = NULL, *tb = NULL, la[64], lb[64];
	size_t na = 0, nb = 0;
	char **va = sb ? lines_of(cli, sa, &ta, &na) : NULL;
	char **vb = va ? lines_of(cli, sb, &tb, &nb) : NULL;
	int rc = 0;

	if (!sb)
		rc = cli_fail_config(cli, &err);
	else if (!vb)
		rc = cli_fail(cli, -4, NULL, NULL, "out of memory");
	else {
		snprintf(la, sizeof la, "revision %lld", ra);
		if (rb < 0)
			snprintf(lb, sizeof lb, "now");
		else
			snprintf(lb, sizeof lb, "revision %lld", rb);
		if (cli_diff(cli->out, la, va, na, lb, vb, nb, 3) < 0)
			rc = cli_fail(cli, -4, NULL, NULL, "out of memory");
	}
	free(va);
	free(vb);
	free(ta);
	free(tb);
	config_snapshot_free(sa);
	config_snapshot_free(sb);
	return rc;
}

/* ---- revert ------------------------------------------------------------ */

int cmds_revision_revert(struct cli *cli, const struct cli_args *a)
{
	long long id = strtoll(a->argv[0], NULL, 10), rev;
	struct config_error err;
	if (cli->txn)
		return cli_fail(cli, -1, NULL, NULL, "end or abort the config shell first");
	if (config_revision_revert(cli->cfg, id, &rev, &err) != 0)
		return cli_fail_config(cli, &err);
	if (rev > 0)
		cli_out_printf(
			cli->out,
			"The configuration is as it was after revision %lld (revision %lld).\n", id,
			rev);
	else if (rev < 0)
		cli_out_printf(cli->out, "The configuration is as it was after revision %lld.\n",
			       id);
	else
		cli_out_printf(cli->out,
			       "Nothing to revert: the configuration is as it was after revision "
			       "%lld.\n",
			       id);
	return 0;
}
