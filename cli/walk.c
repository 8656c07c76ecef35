/* SPDX-License-Identifier: MIT */
/*
 * walk.c - one walker for execution, `?` and TAB.
 *
 * At each position the walker gathers the candidates that the grammar and
 * the schema allow there (keywords from the grammar; path words, attribute
 * names and enum values from the schema; free slots for keys and typed
 * values).  A word then picks its candidate by these rules, in order:
 *
 *   1. a candidate spelled exactly like the word wins (so "auth" is the
 *      attribute auth even though "auth-type" starts with it);
 *   2. otherwise keywords -- never values, nor numeric keywords -- match by
 *      unique prefix; two or
 *      more prefix matches make the word ambiguous and the error names them;
 *   3. otherwise a free slot takes the word if its type accepts it, and a
 *      slot that rejects it supplies the error ("port: 70000 is out of
 *      range 1-65535");
 *   4. otherwise the word is unknown.
 *
 * Execution walks all words and requires the last node to have a handler;
 * help and completion walk the words before the cursor the same way, then
 * list the candidates of the next position.
 */
#include "cli/walk.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cand {
	const char *word; /* literal text, or NULL for a free slot */
	const char *help;
	bool abbrev; /* a keyword: may be abbreviated */
	const struct cli_node *node;
	const struct schema_node *child; /* CLI_PATH: the path word's node */
	int index;			 /* CLI_ATTR: attribute index */
};

struct walk {
	struct cli *cli;
	struct cli_args *a;
	const struct cli_node *level; /* siblings the next word may match */
	const struct cli_node *path;  /* the CLI_PATH node while path words may follow */
	const struct cli_node *last;  /* the node matched last */
	bool path_done;		      /* the path so far ends on an accepted kind */
	bool enc;		      /* "ENC" seen: the next word is a ciphertext */
	struct cand *c;
	size_t n, cap;
	char **keys; /* existing keys gathered for help */
	size_t nkeys;
	unsigned perm;		   /* the CLI_PERM_* in effect: the last matched node's */
	enum schema_area cfg_area; /* the area of the config node reached (or the shell's) */
	bool unfiltered;	   /* gather what the profile hides too */
	bool exec;		   /* cli_walk (refusals go to the audit trail), not help */
	char **argv;		   /* the words, for the refusal message */
	int argi;
};

/* ---- permissions ------------------------------------------------------- */

/* Whether right eff lets the session go on; child: the path word's node. */
static bool allowed(const struct walk *w, unsigned eff, const struct schema_node *child)
{
	const struct config *cfg = w->cli->cfg;
	bool write = eff & CLI_PERM_WRITE;
	if (!eff || !config_who(cfg)->limited)
		return true;
	if (!(eff & CLI_PERM_CONFIG))
		return config_allows(cfg, eff & CLI_PERM_AREA, write);
	if (child)
		return config_node_allows(cfg, child, w->cfg_area, write);
	if (w->cfg_area)
		return config_allows(cfg, w->cfg_area, write);
	return config_node_allows(cfg, schema_root(), SCHEMA_AREA_NONE, write);
}

/* Whether node n leads to anything the session may run: it may end here
 * with its right, or something after it is visible. */
static bool visible(const struct walk *w, const struct cli_node *n, unsigned inherited, int depth)
{
	unsigned eff = n->perm ? n->perm : inherited;
	if (n->run && allowed(w, eff, NULL))
		return true;
	for (const struct cli_node *c = n->next; depth < 16 && c && (c->word || c->slot); c++)
		if (visible(w, c, eff, depth + 1))
			return true;
	return false;
}

static void add(struct walk *w, struct cand c)
{
	if (!w->unfiltered && config_who(w->cli->cfg)->limited &&
	    !(c.child ? allowed(w, c.node->perm ? c.node->perm : w->perm, c.child)
		      : visible(w, c.node, w->perm, 0)))
		return; /* the profile hides it */
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct cand *v = realloc(w->c, cap * sizeof *v);
		if (!v)
			return;
		w->c = v;
		w->cap = cap;
	}
	w->c[w->n++] = c;
}

static bool reachable(const struct schema_node *n, unsigned kinds)
{
	if (kinds & (1u << n->kind))
		return true;
	for (const struct schema_node *const *c = n->children; c && *c; c++)
		if (reachable(*c, kinds))
			return true;
	return false;
}

static void add_path_words(struct walk *w, const struct schema_node *parent,
			   const struct cli_node *node)
{
	for (const struct schema_node *const *c = parent->children; c && *c; c++)
		if (reachable(*c, node->kinds))
			add(w, (struct cand){(*c)->name, (*c)->help, true, node, *c, -1});
}

static int gather_key(void *arg, const char *key)
{
	struct walk *w = arg;
	char **k = realloc(w->keys, (w->nkeys + 1) * sizeof *k);
	if (!k || !(k[w->nkeys] = strdup(key)))
		return 1;
	w->keys = k;
	w->nkeys++;
	return 0;
}

/* The existing keys of a table, for `edit ?`, `<server-name>` and
 * `set local-cert` (this session's view when it edits that table). */
static void add_table_keys(struct walk *w, const struct cli_node *node, const char *table)
{
	const struct schema_node *t = schema_lookup(table);
	size_t first = w->nkeys;
	if (t)
		cli_keys(w->cli, t, table, gather_key, w);
	for (size_t i = first; i < w->nkeys; i++)
		add(w, (struct cand){w->keys[i], "", false, node, NULL, -1});
}

static char *const *edit_values(struct walk *w)
{
	return w->cli->cur ? config_entry_values(w->cli->cur) : NULL;
}

/* Collects the candidates at the current position; with_keys adds the
 * existing table keys (only help and completion need them). */
static void gather(struct walk *w, bool with_keys)
{
	struct cli_args *a = w->a;
	w->n = 0;
	if (w->path && a->node->kind == SCHEMA_CONTAINER)
		add_path_words(w, a->node, w->path);
	if (w->path && !w->path_done)
		return;
	for (const struct cli_node *n = w->level; n && (n->word || n->slot); n++) {
		if (n->modes && !(n->modes & w->cli->mode))
			continue;
		switch (n->slot) {
		case CLI_KEYWORD:
			/* A numeric keyword (`fazmaild 90`) is a value to the
			 * operator: "9" is another number, not an abbreviation. */
			add(w, (struct cand){n->word, n->help,
					     n->word[strspn(n->word, "0123456789")] != '\0', n,
					     NULL, -1});
			break;
		case CLI_PATH:
			add_path_words(w, schema_root(), n);
			break;
		case CLI_KEY:
			if (!a->node || a->node->kind != SCHEMA_TABLE)
				break;
			add(w, (struct cand){NULL, a->node->key_help, false, n, NULL, -1});
			if (with_keys)
				add_table_keys(w, n, a->path);
			break;
		case CLI_ATTR:
			for (int i = 0; a->node && a->node->attrs && a->node->attrs[i].name; i++)
				if (schema_attr_visible(a->node, edit_values(w), i))
					add(w, (struct cand){a->node->attrs[i].name,
							     a->node->attrs[i].help, true, n, NULL,
							     i});
			break;
		case CLI_ARG:
			if (n->table && with_keys)
				add_table_keys(w, n, n->table);
			if (n->arg->type == SCHEMA_T_ENUM)
				for (const struct schema_enum *e = n->arg->enums; e->name; e++)
					add(w, (struct cand){e->name, e->help, false, n, NULL, -1});
			else
				add(w, (struct cand){NULL, n->arg->help, false, n, NULL, -1});
			break;
		case CLI_VALUE:
			if (!a->attr)
				break;
			if (a->attr->ref && with_keys)
				add_table_keys(w, n, a->attr->ref);
			if (a->attr->type == SCHEMA_T_ENUM) {
				for (const struct schema_enum *e = a->attr->enums; e->name; e++)
					add(w, (struct cand){e->name, e->help, false, n, NULL, -1});
			} else if (a->attr->type == SCHEMA_T_PASSWORD && !w->enc) {
				add(w,
				    (struct cand){"ENC", "Encrypted password, as `show` prints it.",
						  false, n, NULL, -1});
				add(w, (struct cand){NULL, a->attr->help, false, n, NULL, -1});
			} else {
				add(w, (struct cand){NULL, a->attr->help, false, n, NULL, -1});
			}
			break;
		}
	}
}

static bool can_end(const struct walk *w)
{
	return w->last && w->last->run && (!w->path || w->path_done);
}

/* Whether a reference (local-cert) names no entry of its table. */
static bool ref_missing(struct walk *w, const struct schema_attr *at, const char *tok, char *msg,
			size_t len)
{
	if (config_exists(w->cli->cfg, at->ref, tok) != 0)
		return false;
	snprintf(msg, len, "entry not found in datasource: %s: no '%.40s' in config %s", at->name,
		 tok, at->ref);
	return true;
}

/* Takes candidate c for word tok and moves to the next position. */
static void take(struct walk *w, const struct cand *c, const char *tok)
{
	struct cli_args *a = w->a;
	const struct cli_node *n = c->node;

	w->last = n;
	a->opt |= n->opt;
	if (n->perm)
		w->perm = n->perm;
	switch (n->slot) {
	case CLI_KEYWORD:
		w->level = n->next;
		w->path = NULL;
		return;
	case CLI_PATH: {
		size_t len = strlen(a->path);
		if (w->path != n) { /* the first path word */
			len = 0;
			a->path[0] = '\0';
		}
		snprintf(a->path + len, sizeof a->path - len, "%s%s", len ? " " : "",
			 c->child->name);
		a->node = c->child;
		if (c->child->area)
			w->cfg_area = c->child->area;
		w->path_done = (n->kinds & (1u << c->child->kind)) != 0;
		w->path = c->child->kind == SCHEMA_CONTAINER ? n : NULL;
		w->level = n->next;
		return;
	}
	case CLI_KEY:
		if (a->key)
			a->key2 = tok;
		else
			a->key = tok;
		break;
	case CLI_ATTR:
		a->attr = &a->node->attrs[c->index];
		a->attr_index = c->index;
		a->secret = a->secret || a->attr->type == SCHEMA_T_PASSWORD;
		break;
	case CLI_VALUE:
		if (a->attr->type == SCHEMA_T_PASSWORD && !w->enc && strcmp(tok, "ENC") == 0) {
			w->enc = true; /* stay on this node: the ciphertext follows */
			w->last = NULL;
			return;
		}
		a->value = tok;
		if (w->enc)
			a->opt |= CLI_OPT_ENC;
		break;
	case CLI_ARG:
		/* A password argument (backup's) keeps the line out of history. */
		a->secret = a->secret || n->arg->type == SCHEMA_T_PASSWORD;
		if (a->argc < (int)(sizeof a->argv / sizeof a->argv[0])) {
			a->argattr[a->argc] = n->arg;
			a->argv[a->argc++] = tok;
		}
		break;
	}
	w->path = NULL;
	w->level = n->next;
}

/* Matches one word at the current position; records an error and returns
 * -1 when it does not fit. */
static int match_once(struct walk *w, const char *tok, bool first)
{
	const struct cand *pick = NULL;
	struct cand slot = {0};
	size_t nprefix = 0;
	char msg[512];

	gather(w, false);
	for (size_t i = 0; i < w->n && !pick; i++)
		if (w->c[i].word && strcmp(w->c[i].word, tok) == 0)
			pick = &w->c[i];
	for (size_t i = 0; i < w->n && !pick; i++) {
		if (w->c[i].abbrev && *tok && strncmp(w->c[i].word, tok, strlen(tok)) == 0) {
			/* The same keyword offered twice (e.g. by two modes) is one. */
			if (!nprefix || strcmp(w->c[i].word, w->c[nprefix - 1].word) != 0)
				w->c[nprefix++] = w->c[i];
		} else if (!w->c[i].word && !slot.node) {
			slot = w->c[i];
		}
	}
	if (!pick && nprefix == 1)
		pick = &w->c[0];
	if (!pick && nprefix > 1) {
		int off = snprintf(msg, sizeof msg, "ambiguous command '%.40s': could be", tok);
		for (size_t i = 0; i < nprefix && off > 0 && (size_t)off < sizeof msg; i++)
			off += snprintf(msg + off, sizeof msg - off, "%s %s", i ? "," : "",
					w->c[i].word);
		return cli_fail(w->cli, -61, "command", tok, msg);
	}
	if (!pick && slot.node) {
		const struct schema_error *e = NULL;
		msg[0] = '\0';
		if (slot.node->slot == CLI_KEY)
			e = schema_validate_key(w->a->node, tok, msg, sizeof msg);
		else if (slot.node->slot == CLI_ARG)
			e = schema_validate(slot.node->arg, tok, msg, sizeof msg);
		else if (!w->enc)
			e = schema_validate(w->a->attr, tok, msg, sizeof msg);
		/* A secret or a pasted block is never echoed back. */
		const struct schema_attr *at = slot.node->slot == CLI_VALUE ? w->a->attr
					       : slot.node->slot == CLI_ARG ? slot.node->arg
									    : NULL;
		const char *shown =
			at && (at->type == SCHEMA_T_PASSWORD || at->multiline) ? "*" : tok;
		if (e)
			return cli_fail(w->cli, e->code, e->parse, shown, msg);
		if (slot.node->slot == CLI_VALUE && at->ref && !w->enc && *tok &&
		    ref_missing(w, at, tok, msg, sizeof msg))
			return cli_fail(w->cli, -3, "value", tok, msg);
		pick = &slot;
	}
	const struct schema_attr *enum_attr = !w->n				? NULL
					      : w->c[0].node->slot == CLI_VALUE ? w->a->attr
					      : w->c[0].node->slot == CLI_ARG	? w->c[0].node->arg
										: NULL;
	if (!pick && enum_attr) {
		/* An enum value that is not one of the options. */
		const struct schema_error *e = schema_validate(enum_attr, tok, msg, sizeof msg);
		return cli_fail(w->cli, e ? e->code : -61, "command", tok, e ? msg : NULL);
	}
	if (!pick)
		return cli_fail(w->cli, -61, "command", tok,
				!first			       ? NULL
				: w->cli->mode == CLI_MODE_TOP ? "Unknown action 0"
							       : "Unknown action");
	take(w, pick, tok);
	return 0;
}

static void forget_errors(struct cli *cli, size_t len, int code)
{
	cli->errlen = len;
	if (cli->err)
		cli->err[len] = '\0';
	cli->last_code = code;
}

/* Refuses what the session reached but may not use: the words so far. */
static int refuse(struct walk *w)
{
	char what[200] = "";
	size_t off = 0;
	for (int i = 0; i <= w->argi && w->argv && off < sizeof what; i++)
		off += snprintf(what + off, sizeof what - off, "%s%.40s", i ? " " : "", w->argv[i]);
	enum schema_area area = w->perm & CLI_PERM_CONFIG
					? w->cfg_area
					: (enum schema_area)(w->perm & CLI_PERM_AREA);
	return cli_refuse(w->cli, area, w->perm & CLI_PERM_WRITE, what, w->exec);
}

/* match_once, and when the word fits nothing the profile shows but would
 * fit something it hides, a permission error instead of "unknown". */
static int match(struct walk *w, const char *tok, bool first)
{
	size_t errlen = w->cli->errlen;
	int code = w->cli->last_code;
	if (match_once(w, tok, first) == 0)
		return 0;
	if (!config_who(w->cli->cfg)->limited)
		return -1;
	forget_errors(w->cli, errlen, code);
	w->unfiltered = true;
	int rc = match_once(w, tok, first);
	w->unfiltered = false;
	forget_errors(w->cli, errlen, code);
	if (rc == 0)
		return refuse(w);
	return match_once(w, tok, first); /* the error as the profile sees it */
}

static void walk_init(struct walk *w, struct cli *cli, struct cli_args *a)
{
	memset(w, 0, sizeof *w);
	memset(a, 0, sizeof *a);
	w->cli = cli;
	w->a = a;
	w->level = cli->hooks->grammar;
	w->cfg_area = schema_area_of(cli->path);
	a->node = cli->node;
	snprintf(a->path, sizeof a->path, "%s", cli->path);
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->nkeys; i++)
		free(w->keys[i]);
	free(w->keys);
	free(w->c);
}

cli_run_fn cli_walk(struct cli *cli, int argc, char **argv, struct cli_args *a)
{
	struct walk w;
	cli_run_fn run = NULL;

	walk_init(&w, cli, a);
	w.exec = true;
	w.argv = argv;
	int i;
	for (i = 0; i < argc; i++) {
		w.argi = i;
		if (match(&w, argv[i], i == 0) != 0)
			break;
	}
	if (i == argc) {
		if (can_end(&w) && !allowed(&w, w.perm, NULL))
			refuse(&w);
		else if (can_end(&w))
			run = w.last->run;
		else
			cli_fail(cli, -160, NULL, NULL, "incomplete command in the end");
	}
	walk_free(&w);
	return run;
}

static void choice(struct cli_choices *out, const char *word, bool literal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void choice(struct cli_choices *out, const char *word, bool literal, const char *fmt, ...)
{
	va_list ap;
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 16;
		struct cli_choice *v = realloc(out->v, cap * sizeof *v);
		if (!v)
			return;
		out->v = v;
		out->cap = cap;
	}
	struct cli_choice *c = &out->v[out->n++];
	snprintf(c->word, sizeof c->word, "%s", word);
	c->literal = literal;
	va_start(ap, fmt);
	vsnprintf(c->help, sizeof c->help, fmt, ap);
	va_end(ap);
}

/* The help line of a free value slot: type, help, range, current value. */
static void value_choice(struct walk *w, struct cli_choices *out)
{
	const struct schema_attr *at = w->a->attr;
	char range[64] = "", now[80] = "";
	char *const *vals = edit_values(w);

	if (w->enc) {
		choice(out, "<encrypted>", false, "The base64 text that follows ENC in `show`.");
		return;
	}
	if (at->type == SCHEMA_T_UINT)
		snprintf(range, sizeof range, " (%lu-%lu)", at->min, at->max);
	else if (at->type == SCHEMA_T_STRING || at->type == SCHEMA_T_PASSWORD)
		snprintf(range, sizeof range, " (up to %lu characters)", at->max);
	if (vals && at->type != SCHEMA_T_PASSWORD && w->cli->node == w->a->node) {
		const char *v = schema_attr_value(w->a->node, vals, w->a->attr_index);
		snprintf(now, sizeof now, " [now: %.40s%s]", *v ? v : "(null)",
			 strlen(v) > 40 ? "..." : "");
	}
	choice(out, schema_type_slot(at->type), false, "%s%s%s", at->help, range, now);
}

void cli_choices(struct cli *cli, int argc, char **argv, const char *partial,
		 struct cli_choices *out)
{
	struct walk w;
	struct cli_args a;
	size_t plen = partial ? strlen(partial) : 0;

	memset(out, 0, sizeof *out);
	walk_init(&w, cli, &a);
	w.argv = argv;
	for (int i = 0; i < argc; i++)
		if ((w.argi = i, match(&w, argv[i], i == 0)) != 0) {
			out->error = true;
			walk_free(&w);
			return;
		}
	gather(&w, true);
	/* In gather order: a slot's label comes before the existing keys. */
	for (size_t i = 0; i < w.n; i++) {
		const struct cand *c = &w.c[i];
		if (c->word) {
			if (strncmp(c->word, partial ? partial : "", plen) == 0)
				choice(out, c->word, true, "%s", c->help);
		} else if (c->node->slot == CLI_KEY || c->node->slot == CLI_ARG) {
			const struct schema_attr *arg = c->node->arg;
			char label[80], range[64] = "";
			snprintf(label, sizeof label, "<%s>",
				 arg ? arg->name : w.a->node->key_name);
			if (arg && arg->type == SCHEMA_T_UINT)
				snprintf(range, sizeof range, " (%lu-%lu)", arg->min, arg->max);
			choice(out, label, false, "%s%s", c->help, range);
		} else {
			value_choice(&w, out);
		}
	}
	if (!plen && can_end(&w))
		choice(out, "<cr>", false, "%s", "");
	walk_free(&w);
}

void cli_choices_free(struct cli_choices *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}
