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
#include "cli/render.h"
#include "cli/session.h"
#include "cli/walk.h"
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

/* A configuration's `show` text as lines. */
struct text {
	struct cli *cli;
	const struct config_snapshot *snap;
	struct cli_out *out;
	const struct schema_node *node;
	bool any;
};

static int show_entry(void *arg, const char *key, char *const *vals)
{
	struct text *t = arg;
	cli_render_edit(t->out, key, 4);
	cli_render_sets(t->out, t->node, vals, false, 8);
	cli_out_printf(t->out, "    next\n");
	return 0;
}

static int has_entry(void *arg, const char *key, char *const *vals)
{
	(void)key, (void)vals;
	((struct text *)arg)->any = true;
	return 1;
}

static int object_sets(void *arg, const char *key, char *const *vals)
{
	struct text *t = arg;
	(void)key;
	for (int i = 0; t->node->attrs[i].name && !t->any; i++)
		t->any = vals[i] && schema_attr_visible(t->node, vals, i);
	return 1;
}

static int show_object(void *arg, const char *key, char *const *vals)
{
	struct text *t = arg;
	(void)key;
	cli_render_sets(t->out, t->node, vals, false, 4);
	return 1;
}

/* As the whole-configuration `show` prints it: objects at their defaults
 * and empty tables left out, and what the profile may not read. */
static void show_tree(struct text *t, const struct schema_node *node, const char *path)
{
	for (const struct schema_node *const *c = node->children; c && *c; c++) {
		char sub[256];
		if (!config_node_allows(t->cli->cfg, *c, schema_area_of(path), false))
			continue;
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? " " : "", (*c)->name);
		t->node = *c;
		t->any = false;
		if ((*c)->kind == SCHEMA_CONTAINER) {
			show_tree(t, *c, sub);
		} else if ((*c)->kind == SCHEMA_OBJECT) {
			config_snapshot_each(t->snap, sub, object_sets, t);
			if (t->any) {
				cli_out_printf(t->out, "config %s\n", sub);
				config_snapshot_each(t->snap, sub, show_object, t);
				cli_out_printf(t->out, "end\n");
			}
		} else if ((*c)->kind == SCHEMA_TABLE) {
			config_snapshot_each(t->snap, sub, has_entry, t);
			if (t->any) {
				cli_out_printf(t->out, "config %s\n", sub);
				config_snapshot_each(t->snap, sub, show_entry, t);
				cli_out_printf(t->out, "end\n");
			}
		}
	}
}

/* The lines of snapshot s's text (malloc'd array of malloc'd lines; the
 * text itself in *buf). */
static char **lines_of(struct cli *cli, const struct config_snapshot *s, char **buf, size_t *n)
{
	size_t size = 0, cap = 0;
	FILE *f = open_memstream(buf, &size);
	struct cli_out *out = f ? cli_out_new(f) : NULL;
	char **v = NULL;
	*n = 0;
	if (!out) {
		if (f)
			fclose(f);
		free(*buf);
		*buf = NULL;
		return NULL;
	}
	struct text t = {cli, s, out, NULL, false};
	show_tree(&t, schema_root(), "");
	cli_out_finish(out);
	cli_out_free(out);
	fclose(f);
	for (char *p = *buf; p && *p;) {
		char *nl = strchr(p, '\n');
		if (*n == cap) {
			char **w = realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *w);
			if (!w) {
				free(v);
				return NULL;
			}
			v = w;
		}
		v[(*n)++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	if (!v)
		v = calloc(1, sizeof *v);
	return v;
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
	if (rev)
		cli_out_printf(
			cli->out,
			"The configuration is as it was after revision %lld (revision %lld).\n", id,
			rev);
	else
		cli_out_printf(cli->out,
			       "Nothing to revert: the configuration is as it was after revision "
			       "%lld.\n",
			       id);
	return 0;
}
