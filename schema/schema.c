/* SPDX-License-Identifier: MIT */
/* schema.c - the root of the tree and small lookups over it. */
#include "schema/schema.h"

#include <string.h>

extern const struct schema_node schema_system;

static const struct schema_node *const root_children[] = {&schema_system, NULL};

static const struct schema_node root = {
	.name = "",
	.help = "",
	.kind = SCHEMA_CONTAINER,
	.children = root_children,
};

const struct schema_node *schema_root(void)
{
	return &root;
}

size_t schema_attr_count(const struct schema_node *node)
{
	size_t n = 0;
	while (node->attrs && node->attrs[n].name)
		n++;
	return n;
}

int schema_attr_index(const struct schema_node *node, const char *name)
{
	for (int i = 0; node->attrs && node->attrs[i].name; i++)
		if (strcmp(node->attrs[i].name, name) == 0)
			return i;
	return -1;
}

const struct schema_node *schema_lookup(const char *path)
{
	const struct schema_node *n = &root;
	while (*path && n) {
		size_t len = strcspn(path, " ");
		const struct schema_node *const *c = n->children;
		while (c && *c &&
		       (strlen((*c)->name) != len || strncmp((*c)->name, path, len) != 0))
			c++;
		n = c ? *c : NULL;
		path += len + (path[len] == ' ');
	}
	return n;
}
