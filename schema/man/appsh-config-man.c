/* SPDX-License-Identifier: MIT */
/*
 * appsh-config-man.c - writes appsh-config(5), the manual page of the
 * configuration tree, from the schema itself (schema/), so that the page
 * cannot drift from what the shell accepts: every node, attribute, type,
 * range, choice, default and condition below comes from the const tables.
 *
 * usage: appsh-config-man VERSION >appsh-config.5
 */
#include <stdio.h>
#include <string.h>

#include "schema/schema.h"

/* Text as roff: a backslash escaped, a leading dot or quote made harmless. */
static void roff(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '\n')
			fputc(' ', stdout);
		else
			fputc(*s, stdout);
	}
}

static void attr_type(const struct schema_attr *a)
{
	switch (a->type) {
	case SCHEMA_T_UINT:
		printf("integer %lu\\(en%lu", a->min, a->max);
		break;
	case SCHEMA_T_ENUM:
		fputs("one of the words below", stdout);
		break;
	case SCHEMA_T_IPV4:
		fputs("IPv4 address", stdout);
		break;
	case SCHEMA_T_IPV6:
		fputs("IPv6 address", stdout);
		break;
	case SCHEMA_T_PASSWORD:
		printf("secret, up to %lu bytes; encrypted at rest, \\fB*\\fR in \\fBget\\fR, "
		       "\\fBENC\\fR in \\fBshow\\fR",
		       a->max);
		break;
	case SCHEMA_T_STRING:
		printf("string, up to %lu bytes%s", a->max,
		       a->multiline ? ", may span lines (PEM text in quotes)" : "");
		break;
	}
}

static void attribute(const struct schema_attr *a)
{
	printf(".TP\n.B %s\n", a->name);
	roff(a->help);
	fputs("\n.br\n", stdout);
	attr_type(a);
	const char *def = schema_default(a);
	if (*def) {
		fputs("; default \\fB", stdout);
		roff(def);
		fputs("\\fR", stdout);
	}
	fputs(".\n", stdout);
	if (a->ref)
		printf("Names an entry of \\fBconfig %s\\fR.\n", a->ref);
	if (a->when_attr)
		printf("Only while \\fB%s\\fR is \\fB%s\\fR.\n", a->when_attr, a->when_value);
	if (a->type == SCHEMA_T_ENUM) {
		fputs(".RS\n", stdout);
		for (const struct schema_enum *e = a->enums; e->name; e++) {
			printf(".TP\n.B %s\n", e->name);
			roff(e->help);
			fputc('\n', stdout);
		}
		fputs(".RE\n", stdout);
	}
}

static void node(const struct schema_node *n, const char *path)
{
	char here[256];
	snprintf(here, sizeof here, "%s%s%s", path, *path ? " " : "", n->name);
	if (n->kind == SCHEMA_CONTAINER) {
		for (const struct schema_node *const *c = n->children; *c; c++)
			node(*c, here);
		return;
	}
	printf(".SS %s %s\n", n->kind == SCHEMA_INFO ? "get" : "config", here);
	roff(n->help);
	fputc('\n', stdout);
	if (n->kind == SCHEMA_INFO) {
		fputs("Read\\-only information, shown by \\fBget\\fR.\n", stdout);
		return;
	}
	if (n->kind == SCHEMA_TABLE) {
		printf("A table: \\fBedit\\fR \\fI%s\\fR (", n->key_name);
		roff(n->key_help);
		printf(" Up to %lu bytes.) creates or edits an entry.\n", n->key_max);
	} else {
		fputs("A single object: \\fBset\\fR and \\fBunset\\fR apply directly.\n", stdout);
	}
	for (const struct schema_attr *a = n->attrs; a->name; a++)
		attribute(a);
}

int main(int argc, char **argv)
{
	const char *version = argc > 1 ? argv[1] : "";
	printf(".\\\" SPDX-License-Identifier: MIT\n"
	       ".\\\" Generated from the schema by schema/man/appsh-config-man.c: do not edit.\n"
	       ".TH APPSH\\-CONFIG 5 2026-11-29 \"appsh %s\" \"File Formats Manual\"\n",
	       version);
	fputs(".SH NAME\n"
	      "appsh\\-config \\- the configuration tree of appsh\n"
	      ".SH DESCRIPTION\n"
	      "The configuration of \\fBappsh\\fR(1) is a tree of objects and tables, entered "
	      "with \\fBconfig\\fR \\fIpath\\fR and kept in the store \\fIconfig.db\\fR of the "
	      "state directory.\n"
	      "Values are changed with \\fBset\\fR and \\fBunset\\fR and written at \\fBnext\\fR "
	      "and \\fBend\\fR; \\fBshow\\fR prints what differs from the defaults as commands "
	      "that \\fBappsh\\fR reads back, \\fBget\\fR prints every value.\n"
	      "A value with spaces is quoted; keywords may be abbreviated, values may not.\n"
	      ".SH NODES\n",
	      stdout);
	node(schema_root(), "");
	fputs(".SH FILES\n"
	      ".TP\n.IB statedir /config.db\nThe store (SQLite).\n"
	      ".TP\n.IB statedir /secret.key\nThe key of the secrets at rest.\n"
	      ".SH SEE ALSO\n"
	      ".BR appsh (1),\n.BR fazmaild (8),\n.BR appsh\\-sendmail (8)\n",
	      stdout);
	return ferror(stdout) ? 1 : 0;
}
