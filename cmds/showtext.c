/* SPDX-License-Identifier: MIT */
/*
 * showtext.c - the `show` text of a configuration held in memory (a
 * revision's, a backup's), exactly as `show` prints the live one, from the
 * same renderer.
 */
#include "cmds/showtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render.h"
#include "cli/session.h"

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

char *cmds_show_text(struct cli *cli, const struct config_snapshot *s, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct cli_out *out = f ? cli_out_new(f) : NULL;
	if (!out) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	struct text t = {cli, s, out, NULL, false};
	show_tree(&t, schema_root(), "");
	cli_out_finish(out);
	cli_out_free(out);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

char **cmds_lines(char *text, size_t *n)
{
	size_t cap = 16;
	char **v = malloc(cap * sizeof *v);
	*n = 0;
	for (char *p = text; v && p && *p;) {
		char *nl = strchr(p, '\n');
		if (*n == cap) {
			char **w = realloc(v, (cap *= 2) * sizeof *w);
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
	return v;
}
