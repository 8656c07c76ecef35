/* SPDX-License-Identifier: MIT */
/* render.h - `get` and `show` text, derived from the schema (spec §4). */
#ifndef APPSH_CLI_RENDER_H
#define APPSH_CLI_RENDER_H

#include <stdbool.h>

#include "cli/output.h"
#include "schema/schema.h"

/* `get` of one object or entry: aligned "name : value" lines, key first. */
void cli_render_get(struct cli_out *out, const struct schema_node *node, const char *key,
		    char *const *vals);
/* `get` of a table: "== [ key ]" and a summary line per entry. */
void cli_render_summary(struct cli_out *out, const struct schema_node *node, const char *key,
			char *const *vals);
/* `show`: the "set" lines of an object or entry at the given indent;
 * full adds the attributes left at their defaults. */
void cli_render_sets(struct cli_out *out, const struct schema_node *node, char *const *vals,
		     bool full, int indent);
/* `edit "key"` line: the key quoted as show quotes strings. */
void cli_render_edit(struct cli_out *out, const char *key, int indent);

#endif
