/* SPDX-License-Identifier: MIT */
/* schema.c - the root of the tree and small lookups over it. */
#include "schema/schema.h"

#include <stdio.h>
#include <string.h>

#include "schema/nodes.h"

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

static int each_ref(const struct schema_node *n, char *path, size_t len, const char *target,
		    int (*fn)(void *, const char *, const struct schema_attr *), void *arg)
{
	for (int i = 0; n->attrs && n->attrs[i].name; i++)
		if (n->attrs[i].ref && strcmp(n->attrs[i].ref, target) == 0 &&
		    fn(arg, path, &n->attrs[i]))
			return 1;
	for (const struct schema_node *const *c = n->children; c && *c; c++) {
		size_t used = strlen(path);
		snprintf(path + used, len - used, "%s%s", used ? " " : "", (*c)->name);
		int rc = each_ref(*c, path, len, target, fn, arg);
		path[used] = '\0';
		if (rc)
			return rc;
	}
	return 0;
}

int schema_each_ref(const char *path,
		    int (*fn)(void *arg, const char *holder, const struct schema_attr *attr),
		    void *arg)
{
	char buf[256] = "";
	return each_ref(&root, buf, sizeof buf, path, fn, arg);
}

enum schema_area schema_area_of(const char *path)
{
	const struct schema_node *n = &root;
	enum schema_area area = SCHEMA_AREA_NONE;
	while (*path && n) {
		size_t len = strcspn(path, " ");
		const struct schema_node *const *c = n->children;
		while (c && *c &&
		       (strlen((*c)->name) != len || strncmp((*c)->name, path, len) != 0))
			c++;
		n = c ? *c : NULL;
		if (n && n->area)
			area = n->area;
		path += len + (path[len] == ' ');
	}
	return area;
}

const char *schema_area_name(enum schema_area area)
{
	static const char *const names[SCHEMA_AREA_COUNT] = {
		[SCHEMA_AREA_SYSTEM] = "system-setting", [SCHEMA_AREA_ADMIN] = "admin-setting",
		[SCHEMA_AREA_MAIL] = "mail-setting",	 [SCHEMA_AREA_DIAG_READ] = "diag-read",
		[SCHEMA_AREA_DIAG_WRITE] = "diag-write",
	};
	return area > SCHEMA_AREA_NONE && area < SCHEMA_AREA_COUNT ? names[area] : "";
}

const char *schema_attr_value(const struct schema_node *node, char *const *vals, int i)
{
	return vals && vals[i] ? vals[i] : schema_default(&node->attrs[i]);
}

bool schema_attr_visible(const struct schema_node *node, char *const *vals, int i)
{
	const struct schema_attr *a = &node->attrs[i];
	if (!a->when_attr)
		return true;
	int j = schema_attr_index(node, a->when_attr);
	return j >= 0 && strcmp(schema_attr_value(node, vals, j), a->when_value) == 0;
}
