/* SPDX-License-Identifier: MIT */
/* read.c - committed values, keys and references. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/priv.h"
#include "store/store.h"

char **config_values_new(const struct schema_node *node)
{
	return calloc(schema_attr_count(node) + 1, sizeof(char *));
}

void config_values_free(const struct schema_node *node, char **vals)
{
	if (!vals)
		return;
	for (size_t i = 0, n = schema_attr_count(node); i < n; i++)
		free(vals[i]);
	free(vals);
}

struct take {
	const struct schema_node *node;
	char **vals;
};

static int take_value(void *arg, const char *attr, const char *value)
{
	struct take *t = arg;
	int i = schema_attr_index(t->node, attr);
	/* A value for an attribute this build does not know is kept in the
	 * store but ignored here; migrations deal with renamed attributes. */
	if (i >= 0 && !t->vals[i])
		t->vals[i] = strdup(value);
	return 0;
}

int config_read_id(struct config *cfg, const char *path, const struct schema_node *node,
		   const char *key, char **vals, int64_t *idp)
{
	int64_t id;
	int rc = store_entry_find(cfg->st, path, key, &id);
	if (idp)
		*idp = id;
	if (rc == 1) {
		struct take t = {node, vals};
		if (store_values(cfg->st, id, take_value, &t) != STORE_OK)
			return STORE_ERR;
	}
	return rc;
}

int config_read(struct config *cfg, const char *path, const struct schema_node *node,
		const char *key, char **vals)
{
	return config_read_id(cfg, path, node, key, vals, NULL);
}

char *config_read_attr(struct config *cfg, const char *path, const char *attr)
{
	const struct schema_node *node = schema_lookup(path);
	char **vals = node ? config_values_new(node) : NULL;
	int i = node ? schema_attr_index(node, attr) : -1;
	char *v = NULL;
	if (vals && i >= 0 && config_read(cfg, path, node, "", vals) >= 0)
		v = strdup(schema_attr_value(node, vals, i));
	config_values_free(node, vals);
	return v;
}

void config_hostname(struct config *cfg, char *buf, size_t len)
{
	char *h = config_read_attr(cfg, "system global", "hostname");
	snprintf(buf, len, "%s", h && *h ? h : "appsh");
	free(h);
}

const char *config_clock_zone(void *cfg)
{
	char *tz = config_read_attr(cfg, "system global", "timezone");
	const char *zone = schema_timezone_zone(tz);
	free(tz);
	return zone;
}

int config_exists(struct config *cfg, const char *path, const char *key)
{
	int64_t id;
	return store_entry_find(cfg->st, path, key, &id);
}

int config_keys(struct config *cfg, const char *path, int (*cb)(void *arg, const char *key),
		void *arg)
{
	return store_entry_keys(cfg->st, path, cb, arg);
}

struct users {
	struct config *cfg;
	const char *key;
	int n;
};

static int count_users(void *arg, const char *holder, const struct schema_attr *attr)
{
	struct users *u = arg;
	int n = store_value_count(u->cfg->st, holder, attr->name, u->key);
	u->n = n < 0 ? -1 : u->n + n;
	return n < 0;
}

int config_check_unused(struct config *cfg, const char *path, const char *key,
			struct config_error *err)
{
	struct users u = {cfg, key, 0};
	schema_each_ref(path, count_users, &u);
	if (u.n < 0)
		return config_fail(err, -1, NULL, NULL, "%s", store_errmsg(cfg->st));
	if (u.n == 0)
		return 0;
	/* The appliance's words (spec §9). */
	return config_fail(err, -23, NULL, NULL, "The entry is used by other %d entries", u.n);
}
