/* SPDX-License-Identifier: MIT */
/* render.c - `get` and `show` formats. */
#include "cli/render.h"

#include <string.h>

#include "cli/session.h"

/* `get` shows an empty string as (null), a secret as '*', and a choice
 * marked get_help (the time zone) by its help text, as the appliance does. */
static const char *get_text(const struct schema_node *node, char *const *vals, int i)
{
	const struct schema_attr *a = &node->attrs[i];
	const char *v = schema_attr_value(node, vals, i);
	const struct schema_enum *e = a->get_help ? schema_enum_find(a, v) : NULL;
	if (a->type == SCHEMA_T_PASSWORD)
		return "*";
	if (e)
		return e->help;
	return *v ? v : "(null)";
}

void cli_render_get(struct cli_out *out, const struct schema_node *node, const char *key,
		    char *const *vals)
{
	int width = key ? (int)strlen(node->key_name) : 0;
	for (int i = 0; node->attrs[i].name; i++)
		if (schema_attr_visible(node, vals, i) && (int)strlen(node->attrs[i].name) > width)
			width = (int)strlen(node->attrs[i].name);
	if (key)
		cli_out_printf(out, "%-*s : %s\n", width, node->key_name, key);
	for (int i = 0; node->attrs[i].name; i++)
		if (schema_attr_visible(node, vals, i))
			cli_out_printf(out, "%-*s : %s\n", width, node->attrs[i].name,
				       get_text(node, vals, i));
}

void cli_render_summary(struct cli_out *out, const struct schema_node *node, const char *key,
			char *const *vals)
{
	cli_out_printf(out, "== [ %s ]\n%s: %s", key, node->key_name, key);
	for (const char *const *s = node->summary; s && *s; s++) {
		int i = schema_attr_index(node, *s);
		if (i >= 0 && schema_attr_visible(node, vals, i))
			cli_out_printf(out, "    %s: %s", *s, get_text(node, vals, i));
	}
	cli_out_printf(out, "\n");
}

/* Double-quoted, with `"` and `\` escaped: what the tokenizer reads back. */
static void quoted(struct cli_out *out, const char *s)
{
	cli_out_write(out, "\"", 1);
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\"\\");
		cli_out_write(out, p, n);
		p += n;
		if (*p) {
			cli_out_write(out, "\\", 1);
			cli_out_write(out, p++, 1);
		}
	}
	cli_out_write(out, "\"", 1);
}

void cli_render_sets(struct cli_out *out, const struct schema_node *node, char *const *vals,
		     bool full, int indent)
{
	for (int i = 0; node->attrs[i].name; i++) {
		const struct schema_attr *a = &node->attrs[i];
		if (!schema_attr_visible(node, vals, i) || (!full && !(vals && vals[i])))
			continue;
		const char *v = schema_attr_value(node, vals, i);
		cli_out_printf(out, "%*sset %s ", indent, "", a->name);
		if (a->type == SCHEMA_T_PASSWORD && *v)
			cli_out_printf(out, "ENC %s", v);
		else if (a->type == SCHEMA_T_STRING || a->type == SCHEMA_T_PASSWORD)
			quoted(out, v);
		else
			cli_out_printf(out, "%s", v);
		cli_out_write(out, "\n", 1);
	}
}

void cli_render_edit(struct cli_out *out, const char *key, int indent)
{
	cli_out_printf(out, "%*sedit ", indent, "");
	quoted(out, key);
	cli_out_write(out, "\n", 1);
}
