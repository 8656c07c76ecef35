/* SPDX-License-Identifier: MIT */
/*
 * test_schema.c - the schema lint (issue 2) and the same lint over the
 * command grammar.
 *
 * Schema: every node and attribute has help, every enum value has help;
 * sibling names are unique and prefix-distinct; defaults are valid for
 * their types; visibility conditions name a sibling enum and one of its
 * values; tables are complete; INFO nodes have a handler.
 *
 * "Prefix-distinct" means: no sibling name is a proper prefix of another
 * (the walker lets a keyword be abbreviated to any unique prefix, so with
 * "auth" and "auth-type" the prefixes "a", "au", "aut" are ambiguous and
 * "auth" is only reachable because an exact spelling wins, walk.c rule 1).
 * Such pairs must be listed in prefix_allow[] below with the reason they
 * are still fine; an entry that no longer matches anything fails too, so
 * the list does not go stale.
 *
 * Grammar: in each shell mode, the keywords offered at each level (and the
 * config path words and argument enum values offered beside them) have help
 * and are unique and prefix-distinct, recursively through .next; a typed
 * argument (CLI_ARG) has a name, help and a well-formed type.
 */
#include "cli/walk.h"
#include "cmds/cmds.h"
#include "schema/schema.h"
#include "tests/unit/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct prefix_allow {
	const char *where; /* path of the node whose siblings these are */
	const char *shorter, *longer;
	int used;
};

static struct prefix_allow prefix_allow[] = {
	/* FortiAnalyzer's own attribute names (spec §6.2), kept for fidelity.
	 * `set auth ...` takes auth by its exact spelling; auth-type is
	 * reached from "auth-" on.  Only "a".."aut" are ambiguous. */
	{"system mail", "auth", "auth-type"},
	/* The appliance's naming (ping/ping6, ping-options): `nslookup` is
	 * taken by its exact spelling, the MX form from "nslookup-" on. */
	{"grammar (top) execute", "nslookup", "nslookup-mx"},
	/* The same for ping: `ping` by its exact spelling, `ping6` and
	 * `ping-options` from "ping6" and "ping-" on. */
	{"grammar (top) execute", "ping", "ping-options"},
	{"grammar (top) execute", "ping", "ping6"},
	{"grammar (top) execute", "ping", "ping6-options"},
	{"grammar (top) execute", "ping6", "ping6-options"},
	{"grammar (top) execute", "traceroute", "traceroute-options"},
	{"grammar (top) execute", "traceroute", "traceroute6"},
	/* The appliance's trusted-host slots 1..10: `trusthost1` is taken by
	 * its exact spelling, trusthost10 from "trusthost10" on. */
	{"system admin user", "trusthost1", "trusthost10"},
	{"system admin user", "ipv6_trusthost1", "ipv6_trusthost10"},
};

static bool quiet; /* while the lint is tested on bad input */

/* Prints a lint finding; returns 0 so that CHECK(ok || failf(...)) fails. */
static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int failf(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return 0;
	fprintf(stderr, "lint: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 0;
}

static bool blank_free(const char *s)
{
	return s && *s && !strpbrk(s, " \t\r\n");
}

/* Names are unique; a proper prefix of a sibling only when allowed.
 * Returns the number of problems (each reported unless quiet). */
static int sibling_problems(const char *where, const char *const *names, size_t n)
{
	int problems = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			size_t li = strlen(names[i]);
			if (i < j && strcmp(names[i], names[j]) == 0) {
				problems++;
				failf("%s: duplicate name '%s'", where, names[i]);
				continue;
			}
			if (li >= strlen(names[j]) || strncmp(names[i], names[j], li) != 0)
				continue;
			bool allowed = false;
			for (size_t k = 0; k < sizeof prefix_allow / sizeof *prefix_allow; k++) {
				struct prefix_allow *p = &prefix_allow[k];
				if (strcmp(p->where, where) == 0 &&
				    strcmp(p->shorter, names[i]) == 0 &&
				    strcmp(p->longer, names[j]) == 0) {
					p->used++;
					allowed = true;
				}
			}
			if (!allowed) {
				problems++;
				failf("%s: '%s' is a prefix of '%s' (not in prefix_allow)", where,
				      names[i], names[j]);
			}
		}
	return problems;
}

static void check_siblings(const char *where, const char *const *names, size_t n)
{
	CHECK(sibling_problems(where, names, n) == 0);
}

static void lint_enums(const char *where, const struct schema_attr *a)
{
	const char *names[256];
	size_t n = 0;

	CHECK(a->enums != NULL || failf("%s %s: enum without values", where, a->name));
	if (!a->enums)
		return;
	for (const struct schema_enum *e = a->enums; e->name && n < 256; e++) {
		CHECK(blank_free(e->name) ||
		      failf("%s %s: bad enum value name '%s'", where, a->name, e->name));
		CHECK((e->help && *e->help) ||
		      failf("%s %s: enum value '%s' has no help", where, a->name, e->name));
		/* Values are never abbreviated, so only uniqueness matters. */
		for (size_t i = 0; i < n; i++)
			CHECK(strcmp(names[i], e->name) != 0 ||
			      failf("%s %s: duplicate enum value '%s'", where, a->name, e->name));
		names[n++] = e->name;
	}
	CHECK(n > 0 || failf("%s %s: enum with no values", where, a->name));
}

/* What an attribute's type requires (config attributes and CLI_ARG alike). */
static void lint_type(const char *where, const struct schema_attr *a)
{
	switch (a->type) {
	case SCHEMA_T_ENUM:
		lint_enums(where, a);
		break;
	case SCHEMA_T_UINT:
		CHECK(a->min <= a->max || failf("%s %s: min > max", where, a->name));
		CHECK(a->enums == NULL);
		break;
	case SCHEMA_T_STRING:
	case SCHEMA_T_PASSWORD:
		CHECK(a->max > 0 || failf("%s %s: no length limit", where, a->name));
		CHECK(a->enums == NULL);
		break;
	case SCHEMA_T_IPV4:
	case SCHEMA_T_IPV6:
		CHECK(a->enums == NULL);
		break;
	}
}

static void lint_attrs(const char *where, const struct schema_node *node)
{
	const char *names[256];
	size_t n = 0;

	CHECK(node->attrs != NULL || failf("%s: no attributes", where));
	if (!node->attrs)
		return;
	for (const struct schema_attr *a = node->attrs; a->name && n < 256; a++) {
		char msg[512] = "";

		names[n++] = a->name;
		CHECK(blank_free(a->name) || failf("%s: bad attribute name '%s'", where, a->name));
		CHECK((a->help && *a->help) ||
		      failf("%s %s: attribute has no help", where, a->name));
		CHECK(schema_attr_index(node, a->name) == (int)(a - node->attrs));

		lint_type(where, a);

		/* The default (NULL means "") must itself pass validation. */
		const struct schema_error *e =
			schema_validate(a, schema_default(a), msg, sizeof msg);
		CHECK(e == NULL || failf("%s %s: default is invalid: %s", where, a->name, msg));

		/* Visibility: both or neither; a sibling ENUM and one of its values. */
		if (a->ref) {
			const struct schema_node *t = schema_lookup(a->ref);
			CHECK((t && t->kind == SCHEMA_TABLE) ||
			      failf("%s %s: ref '%s' is not a table", where, a->name, a->ref));
		}
		CHECK(!a->multiline || a->type == SCHEMA_T_STRING || a->type == SCHEMA_T_PASSWORD ||
		      failf("%s %s: only text may span lines", where, a->name));
		CHECK((a->when_attr == NULL) == (a->when_value == NULL) ||
		      failf("%s %s: when_attr and when_value go together", where, a->name));
		if (a->when_attr) {
			int j = schema_attr_index(node, a->when_attr);
			const struct schema_attr *c = j >= 0 ? &node->attrs[j] : NULL;
			CHECK(c != NULL || failf("%s %s: when_attr '%s' is not a sibling", where,
						 a->name, a->when_attr));
			CHECK(c != a || failf("%s %s: depends on itself", where, a->name));
			CHECK(!c || c->type == SCHEMA_T_ENUM ||
			      failf("%s %s: when_attr '%s' is not an enum", where, a->name,
				    a->when_attr));
			CHECK(!c || c->type != SCHEMA_T_ENUM || !a->when_value ||
			      schema_enum_find(c, a->when_value) ||
			      failf("%s %s: when_value '%s' is not a value of when_attr", where,
				    a->name, a->when_value));
		}
	}
	check_siblings(where, names, n);
}

static void lint_node(const struct schema_node *node, const char *path, int depth)
{
	const char *where = *path ? path : "(root)";

	CHECK(depth < 16 || failf("%s: tree deeper than 16 (a cycle?)", where));
	if (depth >= 16)
		return;
	if (depth > 0) {
		/* The root is not a word anyone types: it has no name or help. */
		CHECK(blank_free(node->name) || failf("%s: bad node name '%s'", where, node->name));
		CHECK((node->help && *node->help) || failf("%s: node has no help", where));
		CHECK(schema_lookup(path) == node ||
		      failf("%s: schema_lookup does not find it", where));
	}

	switch (node->kind) {
	case SCHEMA_CONTAINER: {
		const char *names[256];
		size_t n = 0;
		CHECK(node->attrs == NULL);
		CHECK((node->children && node->children[0]) || failf("%s: empty container", where));
		for (const struct schema_node *const *c = node->children; c && *c && n < 256; c++) {
			char sub[256];
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? " " : "", (*c)->name);
			names[n++] = (*c)->name;
			lint_node(*c, sub, depth + 1);
		}
		check_siblings(where, names, n);
		break;
	}
	case SCHEMA_TABLE:
		CHECK((node->key_name && *node->key_name) ||
		      failf("%s: table without key_name", where));
		CHECK((node->key_help && *node->key_help) ||
		      failf("%s: table without key_help", where));
		CHECK(node->key_max > 0 || failf("%s: table key_max is 0", where));
		for (const char *const *s = node->summary; s && *s; s++)
			CHECK(schema_attr_index(node, *s) >= 0 ||
			      failf("%s: summary attribute '%s' does not exist", where, *s));
		/* A table's attributes are linted like an object's. */
		__attribute__((fallthrough));
	case SCHEMA_OBJECT:
		CHECK(node->children == NULL);
		lint_attrs(where, node);
		break;
	case SCHEMA_INFO:
		CHECK(node->children == NULL && node->attrs == NULL);
		break;
	}
}

/* The linter itself must catch what it is there to catch. */
static void test_lint_catches(void)
{
	const char *dup[] = {"port", "port"};
	const char *pre[] = {"user", "username"};
	const char *ok[] = {"port", "server", "auth", "auth-type"};
	const char *fine[] = {"dns", "global", "mail", "status"};

	quiet = true;
	CHECK(sibling_problems("test", dup, 2) == 1);
	CHECK(sibling_problems("test", pre, 2) == 1);
	/* "auth"/"auth-type" are allowed only where the allow-list says. */
	CHECK(sibling_problems("test", ok, 4) == 1);
	CHECK(sibling_problems("test", fine, 4) == 0);
	quiet = false;
	CHECK(prefix_allow[0].used == 0);
}

/* ---- the command grammar -------------------------------------------- */

static bool reachable(const struct schema_node *n, unsigned kinds)
{
	if (kinds & (1u << n->kind))
		return true;
	for (const struct schema_node *const *c = n->children; c && *c; c++)
		if (reachable(*c, kinds))
			return true;
	return false;
}

static const char *mode_name(unsigned mode)
{
	switch (mode) {
	case CLI_MODE_TOP:
		return "top";
	case CLI_MODE_OBJECT:
		return "object";
	case CLI_MODE_TABLE:
		return "table";
	case CLI_MODE_ENTRY:
		return "entry";
	}
	return "?";
}

static void lint_grammar(const struct cli_node *level, unsigned mode, const char *ctx, int depth)
{
	const char *names[64];
	size_t n = 0, offered = 0;
	char where[256];

	snprintf(where, sizeof where, "grammar (%s) %s", mode_name(mode), ctx);
	CHECK(depth < 16 || failf("%s: grammar deeper than 16 (a cycle?)", where));
	if (depth >= 16)
		return;
	for (const struct cli_node *c = level; c->word || c->slot; c++) {
		if (c->modes && !(c->modes & mode))
			continue;
		offered++;
		/* A node that neither runs nor leads anywhere is a dead end. */
		CHECK(c->run || c->next ||
		      failf("%s: '%s' neither runs nor continues", where,
			    c->word ? c->word : "(slot)"));
		if (c->slot == CLI_KEYWORD) {
			CHECK(blank_free(c->word) || failf("%s: bad keyword '%s'", where, c->word));
			CHECK((c->help && *c->help) ||
			      failf("%s: keyword '%s' has no help", where, c->word));
			if (n < 64)
				names[n++] = c->word;
		} else if (c->slot == CLI_PATH) {
			/* Path words are matched beside the keywords of this level. */
			CHECK(c->kinds != 0 || failf("%s: path slot accepts no kind", where));
			for (const struct schema_node *const *p = schema_root()->children; p && *p;
			     p++)
				if (reachable(*p, c->kinds) && n < 64)
					names[n++] = (*p)->name;
		} else if (c->slot == CLI_ARG) {
			/* A typed argument: named, with help, a valid type; its
			 * enum values are typed beside this level's keywords. */
			const struct schema_attr *arg = c->arg;
			CHECK(c->word == NULL);
			CHECK(arg != NULL || failf("%s: CLI_ARG without .arg", where));
			if (!arg)
				continue;
			CHECK(blank_free(arg->name) ||
			      failf("%s: bad argument name '%s'", where, arg->name));
			CHECK((arg->help && *arg->help) ||
			      failf("%s: argument <%s> has no help", where, arg->name));
			CHECK(!c->table || schema_lookup(c->table) ||
			      failf("%s: <%s> offers keys of '%s', which does not exist", where,
				    arg->name, c->table));
			lint_type(where, arg);
			for (const struct schema_enum *e = arg->enums;
			     arg->type == SCHEMA_T_ENUM && e && e->name && n < 64; e++)
				names[n++] = e->name;
		} else {
			CHECK(c->word == NULL);
		}
		if (c->next) {
			char sub[256];
			snprintf(sub, sizeof sub, "%s%s%s", ctx, *ctx ? " " : "",
				 c->word	       ? c->word
				 : c->slot == CLI_PATH ? "<path>"
				 : c->slot == CLI_KEY  ? "<key>"
				 : c->slot == CLI_ATTR ? "<attr>"
				 : c->slot == CLI_ARG  ? "<arg>"
						       : "<value>");
			lint_grammar(c->next, mode, sub, depth + 1);
		}
	}
	CHECK(offered > 0 || failf("%s: nothing is offered here", where));
	check_siblings(where, names, n);
}

/* Is word offered at the top of the grammar in mode? */
static bool offers(unsigned mode, const char *word)
{
	for (const struct cli_node *c = cmds_grammar; c->word || c->slot; c++)
		if (c->word && strcmp(c->word, word) == 0 && (!c->modes || (c->modes & mode)))
			return true;
	return false;
}

/* The subcommands each shell must have (spec §3.3-§3.5). */
static void test_mode_commands(void)
{
	static const struct {
		unsigned mode;
		const char *yes, *no;
	} want[] = {
		{CLI_MODE_TOP, "config diagnose get show exit", "set unset next edit abort end"},
		{CLI_MODE_TABLE, "edit delete purge rename clone get show end abort",
		 "set unset next config diagnose exit"},
		{CLI_MODE_ENTRY, "set unset get show next end abort",
		 "edit delete purge rename clone config diagnose exit"},
		/* A single object has no edit/next (spec §3.3). */
		{CLI_MODE_OBJECT, "set unset get show end abort",
		 "edit next delete purge rename clone config diagnose exit"},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		char buf[128], *w, *save;
		snprintf(buf, sizeof buf, "%s", want[i].yes);
		for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			CHECK(offers(want[i].mode, w) ||
			      failf("grammar (%s): '%s' is missing", mode_name(want[i].mode), w));
		snprintf(buf, sizeof buf, "%s", want[i].no);
		for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			CHECK(!offers(want[i].mode, w) ||
			      failf("grammar (%s): '%s' should not be offered",
				    mode_name(want[i].mode), w));
	}
}

int main(void)
{
	test_lint_catches();

	const struct schema_node *root = schema_root();
	CHECK(root != NULL && root->kind == SCHEMA_CONTAINER);
	lint_node(root, "", 0);

	/* The nodes the issue names exist with the right kinds. */
	const struct {
		const char *path;
		enum schema_kind kind;
	} nodes[] = {
		{"system", SCHEMA_CONTAINER},	  {"system mail", SCHEMA_TABLE},
		{"system global", SCHEMA_OBJECT}, {"system dns", SCHEMA_OBJECT},
		{"system status", SCHEMA_INFO},
	};
	for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
		const struct schema_node *n = schema_lookup(nodes[i].path);
		CHECK((n && n->kind == nodes[i].kind) ||
		      failf("%s: missing or of the wrong kind", nodes[i].path));
	}

	const unsigned modes[] = {CLI_MODE_TOP, CLI_MODE_OBJECT, CLI_MODE_TABLE, CLI_MODE_ENTRY};
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
		lint_grammar(cmds_grammar, modes[i], "", 0);
	/* After both lints: every allowed prefix pair must still occur. */
	for (size_t k = 0; k < sizeof prefix_allow / sizeof *prefix_allow; k++)
		CHECK(prefix_allow[k].used ||
		      failf("prefix_allow: '%s'/'%s' in %s matches nothing: remove it",
			    prefix_allow[k].shorter, prefix_allow[k].longer,
			    prefix_allow[k].where));
	test_mode_commands();
	return check_summary();
}
