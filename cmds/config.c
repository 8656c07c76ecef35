/* SPDX-License-Identifier: MIT */
/*
 * config.c - the top of the command grammar and the config-shell handlers:
 * they stage edits in the session's transaction (config/txn.h) and read
 * through the configuration layer.
 *
 * Siblings are listed alphabetically: that is the order `?` prints them.
 * A node offered only in some modes says so in .modes; the walker hides it
 * elsewhere, so `?`, TAB and execution agree on what exists where.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/render.h"
#include "cli/walk.h"
#include "cmds/cmds.h"
#include "cmds/maild.h"
#include "cmds/state.h"
#include "cmds/status.h"
#include "config/revision.h"

/* ---- reading values for display -------------------------------------- */

/*
 * The values of (path, key) as this session sees them: the staged entry
 * when the session is editing that table or object, else the committed
 * values.  *owned tells whether the caller must free the array.
 */
static char **view(struct cli *cli, const struct schema_node *node, const char *path,
		   const char *key, bool *owned)
{
	*owned = false;
	if (cli_editing(cli, node, path)) {
		struct config_entry *e = config_txn_find(cli->txn, key);
		if (e)
			return (char **)config_entry_values(e);
	}
	char **vals = config_values_new(node);
	if (vals && config_read(cli->cfg, path, node, key, vals) < 0) {
		config_values_free(node, vals);
		return NULL;
	}
	*owned = true;
	return vals;
}

/* State for the callbacks that run once per table key. */
struct each_ctx {
	struct cli *cli;
	const struct schema_node *node;
	const char *path;
	bool full;
	int rc; /* set by the callback: -1 error, or a finding */
};

/* ---- get -------------------------------------------------------------- */

static int get_entry(struct cli *cli, const struct schema_node *node, const char *path,
		     const char *key)
{
	bool owned;
	char **vals = view(cli, node, path, key ? key : "", &owned);
	if (!vals)
		return cli_fail_store(cli);
	cli_render_get(cli->out, node, key, vals);
	if (owned)
		config_values_free(node, vals);
	return 0;
}

static int summary_one(void *arg, const char *key)
{
	struct each_ctx *c = arg;
	bool owned;
	char **vals = view(c->cli, c->node, c->path, key, &owned);
	if (!vals) {
		c->rc = -1;
		return 1;
	}
	cli_render_summary(c->cli->out, c->node, key, vals);
	if (owned)
		config_values_free(c->node, vals);
	return cli_out_quit(c->cli->out);
}

static int not_found(struct cli *cli, const struct schema_node *node, const char *key)
{
	char msg[200];
	snprintf(msg, sizeof msg, "entry not found in datasource: %s \"%.64s\" does not exist",
		 node->name, key);
	return cli_fail(cli, -3, "value", key, msg);
}

static int entry_exists(struct cli *cli, const struct schema_node *node, const char *path,
			const char *key)
{
	if (cli_editing(cli, node, path))
		return config_txn_exists(cli->txn, key);
	return config_exists(cli->cfg, path, key);
}

static int do_get(struct cli *cli, const struct schema_node *node, const char *path,
		  const char *key)
{
	if (node->kind == SCHEMA_INFO)
		return cmds_system_status(cli, cli->out); /* the only INFO node */
	if (node->kind == SCHEMA_OBJECT)
		return get_entry(cli, node, path, NULL);
	if (key) {
		int rc = entry_exists(cli, node, path, key);
		if (rc < 0)
			return cli_fail_store(cli);
		return rc ? get_entry(cli, node, path, key) : not_found(cli, node, key);
	}
	struct each_ctx ctx = {cli, node, path, false, 0};
	if (cli_keys(cli, node, path, summary_one, &ctx) != 0 || ctx.rc)
		return cli_fail_store(cli);
	return 0;
}

static int cmd_get(struct cli *cli, const struct cli_args *a)
{
	return do_get(cli, a->node, a->path, a->key);
}

static int cmd_get_here(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	if (cli->mode == CLI_MODE_ENTRY)
		return get_entry(cli, cli->node, cli->path, config_entry_key(cli->cur));
	return do_get(cli, cli->node, cli->path, NULL);
}

/* ---- show ------------------------------------------------------------- */

static int show_entry(void *arg, const char *key)
{
	struct each_ctx *c = arg;
	bool owned;
	char **vals = view(c->cli, c->node, c->path, key, &owned);
	if (!vals) {
		c->rc = -1;
		return 1;
	}
	cli_render_edit(c->cli->out, key, 4);
	cli_render_sets(c->cli->out, c->node, vals, c->full, 8);
	cli_out_printf(c->cli->out, "    next\n");
	if (owned)
		config_values_free(c->node, vals);
	return cli_out_quit(c->cli->out);
}

/* Whether `show` (not full) has anything to print for an object. */
static bool has_sets(const struct schema_node *node, char *const *vals)
{
	for (int i = 0; node->attrs[i].name; i++)
		if (vals[i] && schema_attr_visible(node, vals, i))
			return true;
	return false;
}

/* Stops at the first key: ctx->rc tells whether the table has any. */
static int count_one(void *arg, const char *key)
{
	(void)key;
	((struct each_ctx *)arg)->rc = 1;
	return 1;
}

/* Prints the `config ... end` block of an object or table, or one entry. */
static int show_node(struct cli *cli, const struct schema_node *node, const char *path,
		     const char *key, bool full, bool always)
{
	struct each_ctx ctx = {cli, node, path, full, 0};
	int rc = 0;

	if (node->kind == SCHEMA_OBJECT) {
		bool owned;
		char **vals = view(cli, node, path, "", &owned);
		if (!vals)
			return cli_fail_store(cli);
		if (always || full || has_sets(node, vals)) {
			cli_out_printf(cli->out, "config %s\n", path);
			cli_render_sets(cli->out, node, vals, full, 4);
			cli_out_printf(cli->out, "end\n");
		}
		if (owned)
			config_values_free(node, vals);
		return 0;
	}
	if (key) {
		int found = entry_exists(cli, node, path, key);
		if (found <= 0)
			return found < 0 ? cli_fail_store(cli) : not_found(cli, node, key);
		cli_out_printf(cli->out, "config %s\n", path);
		rc = show_entry(&ctx, key) ? ctx.rc : 0;
		cli_out_printf(cli->out, "end\n");
		return rc;
	}
	if (!always && !full) { /* the whole-config `show` leaves out empty tables */
		struct each_ctx any = {cli, node, path, full, 0};
		if (cli_keys(cli, node, path, count_one, &any) != 0)
			return cli_fail_store(cli);
		if (!any.rc)
			return 0;
	}
	cli_out_printf(cli->out, "config %s\n", path);
	rc = cli_keys(cli, node, path, show_entry, &ctx) != 0 || ctx.rc;
	cli_out_printf(cli->out, "end\n");
	return rc ? cli_fail_store(cli) : 0;
}

/* Every object and table under a container, depth first, in schema order. */
static int show_tree(struct cli *cli, const struct schema_node *node, const char *path, bool full)
{
	int rc = 0;
	for (const struct schema_node *const *c = node->children; c && *c && !rc; c++) {
		char sub[256];
		/* What the profile may not read is left out, as from `?`. */
		if (!config_node_allows(cli->cfg, *c, schema_area_of(path), false))
			continue;
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? " " : "", (*c)->name);
		if ((*c)->kind == SCHEMA_CONTAINER)
			rc = show_tree(cli, *c, sub, full);
		else if ((*c)->kind != SCHEMA_INFO)
			rc = show_node(cli, *c, sub, NULL, full, false);
	}
	return rc;
}

static int cmd_show(struct cli *cli, const struct cli_args *a)
{
	bool full = a->opt & CLI_OPT_FULL;
	if (!a->node)
		return show_tree(cli, schema_root(), "", full);
	if (a->node->kind == SCHEMA_CONTAINER)
		return show_tree(cli, a->node, a->path, full);
	return show_node(cli, a->node, a->path, a->key, full, true);
}

static int cmd_show_here(struct cli *cli, const struct cli_args *a)
{
	bool full = a->opt & CLI_OPT_FULL;
	if (cli->mode == CLI_MODE_ENTRY)
		return show_node(cli, cli->node, cli->path, config_entry_key(cli->cur), full, true);
	return show_node(cli, cli->node, cli->path, NULL, full, true);
}

/* ---- config, edit, set ------------------------------------------------ */

static int cmd_config(struct cli *cli, const struct cli_args *a)
{
	return cli_session_enter(cli, a->node, a->path);
}

static int cmd_edit(struct cli *cli, const struct cli_args *a)
{
	struct config_entry *e = config_txn_entry(cli->txn, a->key, true);
	if (!e)
		return cli_fail_store(cli);
	cli->cur = e;
	cli->mode = CLI_MODE_ENTRY;
	config_editing(cli->cfg, cli->path, a->key);
	return 0;
}

static int cmd_set(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	int rc = config_entry_set(cli->txn, cli->cur, a->attr_index, a->value, a->opt & CLI_OPT_ENC,
				  &err);
	if (rc == -2 && cli->foreign_secret) {
		cli->foreign_secret(cli->foreign_arg, cli->path, config_entry_key(cli->cur),
				    a->attr->name);
		return 0;
	}
	return rc ? cli_fail_config(cli, &err) : 0;
}

static int cmd_unset(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	if (config_entry_set(cli->txn, cli->cur, a->attr_index, NULL, false, &err) != 0)
		return cli_fail_config(cli, &err);
	return 0;
}

static int cmd_next(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	if (cli_session_commit(cli) != 0)
		return -1;
	cli->mode = CLI_MODE_TABLE;
	return 0;
}

static int cmd_end(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	if (cli_session_commit(cli) != 0)
		return -1;
	cli_session_leave(cli);
	return 0;
}

static int cmd_abort(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	cli_session_leave(cli);
	return 0;
}

/* ---- table operations ------------------------------------------------- */

static int cmd_delete(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	return config_txn_delete(cli->txn, a->key, &err) ? cli_fail_config(cli, &err) : 0;
}

static int cmd_rename(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	return config_txn_rename(cli->txn, a->key, a->key2, &err) ? cli_fail_config(cli, &err) : 0;
}

static int cmd_clone(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	return config_txn_clone(cli->txn, a->key, a->key2, &err) ? cli_fail_config(cli, &err) : 0;
}

static int cmd_purge(struct cli *cli, const struct cli_args *a)
{
	struct config_error err;
	(void)a;
	if (cli->interactive && !cli_confirm(cli, "This operation will clear all table entries!\n"
						  "Do you want to continue? (y/n)"))
		return 0;
	return config_txn_purge(cli->txn, &err) ? cli_fail_config(cli, &err) : 0;
}

static int cmd_exit(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	cli->done = true;
	return 0;
}

/* ---- the grammar ------------------------------------------------------ */

#define M_SET (CLI_MODE_OBJECT | CLI_MODE_ENTRY)

static const struct cli_node get_key[] = {
	{.slot = CLI_KEY, .help = "Table entry.", .run = cmd_get},
	{0},
};

static const struct cli_node show_key[] = {
	{.slot = CLI_KEY, .help = "Table entry.", .run = cmd_show},
	{0},
};

static const struct cli_node show_path[] = {
	{.slot = CLI_PATH, .kinds = CLI_PATH_SHOW, .next = show_key, .run = cmd_show},
	{0},
};

static const struct cli_node show_args[] = {
	{.word = "full-configuration",
	 .help = "Show full configuration, defaults included.",
	 .opt = CLI_OPT_FULL,
	 .next = show_path,
	 .run = cmd_show},
	{.slot = CLI_PATH, .kinds = CLI_PATH_SHOW, .next = show_key, .run = cmd_show},
	{0},
};

static const struct cli_node show_here_args[] = {
	{.word = "full-configuration",
	 .help = "Show full configuration, defaults included.",
	 .opt = CLI_OPT_FULL,
	 .run = cmd_show_here},
	{0},
};

static const struct cli_node get_path[] = {
	{.slot = CLI_PATH, .kinds = CLI_PATH_GET, .next = get_key, .run = cmd_get},
	{0},
};

static const struct cli_node config_path[] = {
	{.slot = CLI_PATH, .kinds = CLI_PATH_CONFIG, .run = cmd_config},
	{0},
};

static const struct cli_node key_edit[] = {{.slot = CLI_KEY, .run = cmd_edit}, {0}};
static const struct cli_node key_delete[] = {{.slot = CLI_KEY, .run = cmd_delete}, {0}};
static const struct cli_node key_rename2[] = {{.slot = CLI_KEY, .run = cmd_rename}, {0}};
static const struct cli_node key_clone2[] = {{.slot = CLI_KEY, .run = cmd_clone}, {0}};
static const struct cli_node to_rename[] = {
	{.word = "to", .help = "New name.", .next = key_rename2}, {0}};
static const struct cli_node to_clone[] = {
	{.word = "to", .help = "Name of the copy.", .next = key_clone2}, {0}};
static const struct cli_node key_rename[] = {{.slot = CLI_KEY, .next = to_rename}, {0}};
static const struct cli_node key_clone[] = {{.slot = CLI_KEY, .next = to_clone}, {0}};

static const struct cli_node set_value[] = {{.slot = CLI_VALUE, .run = cmd_set}, {0}};
static const struct cli_node set_attr[] = {{.slot = CLI_ATTR, .next = set_value}, {0}};
static const struct cli_node unset_attr[] = {{.slot = CLI_ATTR, .run = cmd_unset}, {0}};

const struct cli_node cmds_grammar[] = {
	{.word = "abort",
	 .help = "End and discard last config.",
	 .modes = CLI_MODE_SHELL,
	 .run = cmd_abort},
	{.word = "clone",
	 .help = "Clone table entry.",
	 .modes = CLI_MODE_TABLE,
	 .next = key_clone,
	 .perm = CLI_PERM_CFG_WRITE},
	{.word = "config",
	 .help = "Configure object.",
	 .modes = CLI_MODE_TOP,
	 .next = config_path,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "delete",
	 .help = "Delete table entry.",
	 .modes = CLI_MODE_TABLE,
	 .next = key_delete,
	 .perm = CLI_PERM_CFG_WRITE},
	{.word = "diagnose",
	 .help = "Diagnose facility.",
	 .modes = CLI_MODE_TOP,
	 .next = cmds_diagnose},
	{.word = "edit",
	 .help = "Create or edit table entry.",
	 .modes = CLI_MODE_TABLE,
	 .next = key_edit,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "end",
	 .help = "End and save last config.",
	 .modes = CLI_MODE_SHELL,
	 .run = cmd_end},
	{.word = "execute",
	 .help = "Execute static commands.",
	 .modes = CLI_MODE_TOP,
	 .next = cmds_execute},
	{.word = "exit", .help = "Exit the CLI.", .modes = CLI_MODE_TOP, .run = cmd_exit},
	{.word = "get",
	 .help = "Get dynamic and system information.",
	 .modes = CLI_MODE_TOP,
	 .next = get_path,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "get",
	 .help = "Get configuration.",
	 .modes = CLI_MODE_SHELL,
	 .run = cmd_get_here,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "next",
	 .help = "Configure next table entry.",
	 .modes = CLI_MODE_ENTRY,
	 .run = cmd_next},
	{.word = "purge",
	 .help = "Purge all table entries.",
	 .modes = CLI_MODE_TABLE,
	 .run = cmd_purge,
	 .perm = CLI_PERM_CFG_WRITE},
	{.word = "rename",
	 .help = "Rename table entry.",
	 .modes = CLI_MODE_TABLE,
	 .next = key_rename,
	 .perm = CLI_PERM_CFG_WRITE},
	{.word = "set",
	 .help = "Modify value.",
	 .modes = M_SET,
	 .next = set_attr,
	 .perm = CLI_PERM_CFG_WRITE},
	{.word = "show",
	 .help = "Show configuration.",
	 .modes = CLI_MODE_TOP,
	 .next = show_args,
	 .run = cmd_show,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "show",
	 .help = "Show configuration.",
	 .modes = CLI_MODE_SHELL,
	 .next = show_here_args,
	 .run = cmd_show_here,
	 .perm = CLI_PERM_CFG_READ},
	{.word = "unset",
	 .help = "Set to default value.",
	 .modes = M_SET,
	 .next = unset_attr,
	 .perm = CLI_PERM_CFG_WRITE},
	{0},
};

const struct cli_hooks cmds_hooks = {
	.grammar = cmds_grammar,
	.watch_fd = cmds_maild_watch_fd,
	.watch_read = cmds_maild_watch_read,
	.state_free = cmds_state_free,
};
