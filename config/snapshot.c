/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c - the configuration in memory, as it is now or was after a
 * revision: the current store, then the revisions since undone newest
 * first (revision.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/priv.h"
#include "config/revision.h"
#include "store/revision.h"

struct snap_entry {
	long long row; /* the store's row id: the entry's place in its table */
	const struct schema_node *node;
	char *path, *key;
	char **vals;
	bool gone;
	struct snap_entry *next_in_bucket;
};

struct config_snapshot {
	struct snap_entry **v; /* sorted by row once rebuilt */
	size_t n, cap;
	struct snap_entry **bucket;
	size_t nbucket; /* a power of two */
	bool failed;	/* out of memory, or a revision's record is malformed */
};

static uint64_t hash(const char *path, const char *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0x1f) * 1099511628211ull;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static struct snap_entry *find(const struct config_snapshot *s, const char *path, const char *key)
{
	for (struct snap_entry *e = s->bucket[hash(path, key) & (s->nbucket - 1)]; e;
	     e = e->next_in_bucket)
		if (strcmp(e->key, key) == 0 && strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static void link_entry(struct config_snapshot *s, struct snap_entry *e)
{
	struct snap_entry **b = &s->bucket[hash(e->path, e->key) & (s->nbucket - 1)];
	e->next_in_bucket = *b;
	*b = e;
}

static void unlink_entry(struct config_snapshot *s, struct snap_entry *e)
{
	for (struct snap_entry **p = &s->bucket[hash(e->path, e->key) & (s->nbucket - 1)]; *p;
	     p = &(*p)->next_in_bucket)
		if (*p == e) {
			*p = e->next_in_bucket;
			return;
		}
}

/* A new entry at the end; NULL when out of memory. */
static struct snap_entry *add(struct config_snapshot *s, const struct schema_node *node,
			      const char *path, const char *key, long long row)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct snap_entry **v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	struct snap_entry *e = calloc(1, sizeof *e);
	if (!e || !(e->path = strdup(path)) || !(e->key = strdup(key)) ||
	    !(e->vals = config_values_new(node))) {
		if (e) {
			free(e->path);
			free(e->key);
			free(e);
		}
		return NULL;
	}
	e->node = node;
	e->row = row;
	s->v[s->n++] = e;
	link_entry(s, e);
	return e;
}

/* Sets attribute attr of e to value (NULL: unset); false when out of memory. */
static bool set(struct snap_entry *e, const char *attr, const char *value)
{
	int i = schema_attr_index(e->node, attr);
	if (i < 0)
		return true; /* an attribute this build does not know */
	char *v = value ? strdup(value) : NULL;
	if (value && !v)
		return false;
	free(e->vals[i]);
	e->vals[i] = v;
	return true;
}

static int load(void *arg, long long row, const char *path, const char *key,
		const char *const *attrs, const char *const *values, size_t n)
{
	struct config_snapshot *s = arg;
	const struct schema_node *node = schema_lookup(path);
	if (!node || (node->kind != SCHEMA_TABLE && node->kind != SCHEMA_OBJECT))
		return 0; /* rows of a node this build does not have */
	struct snap_entry *e = add(s, node, path, key, row);
	for (size_t i = 0; e && i < n; i++)
		if (!set(e, attrs[i], values[i]))
			e = NULL;
	s->failed |= !e;
	return s->failed;
}

/* Undoes one entry's change (changes.h). */
static int undo(void *arg, const struct config_change *ch)
{
	struct config_snapshot *s = arg;
	const struct schema_node *node = schema_lookup(ch->path);
	if (!node)
		return 0;
	struct snap_entry *e = find(s, ch->path, ch->key);
	if (!ch->existed) { /* created: it was not there */
		if (e) {
			unlink_entry(s, e);
			e->gone = true;
		}
		return 0;
	}
	if (!ch->exists) { /* deleted: it comes back */
		if (!e && !(e = add(s, node, ch->path, ch->from, ch->row)))
			return 1;
	} else if (e && strcmp(ch->from, ch->key) != 0) { /* renamed: the old name */
		char *k = strdup(ch->from);
		if (!k)
			return 1;
		unlink_entry(s, e);
		free(e->key);
		e->key = k;
		link_entry(s, e);
	}
	for (size_t i = 0; e && i < ch->n; i++)
		if (!set(e, ch->attrs[i].attr, ch->attrs[i].old))
			return 1;
	return 0;
}

static int undo_revision(void *arg, const struct store_revision *r)
{
	struct config_snapshot *s = arg;
	s->failed |= config_changes_each(r->changes, r->len, true, undo, arg) != 0;
	return s->failed;
}

static int by_row(const void *a, const void *b)
{
	long long x = (*(struct snap_entry *const *)a)->row,
		  y = (*(struct snap_entry *const *)b)->row;
	return (x > y) - (x < y);
}

struct config_snapshot *config_snapshot_at(struct config *cfg, long long id,
					   struct config_error *err)
{
	int64_t oldest, newest;
	if (store_revision_range(cfg->st, &oldest, &newest) != STORE_OK) {
		config_fail(err, -1, NULL, NULL, "%s", config_errmsg(cfg));
		return NULL;
	}
	if (id > newest) {
		config_fail(err, -3, NULL, NULL,
			    "revision %lld does not exist (the newest is %lld)", id,
			    (long long)newest);
		return NULL;
	}
	/* Rebuilding needs every revision after id: the oldest kept must be
	 * the one right after it. */
	if (id >= 0 && id < newest && oldest > id + 1) {
		config_fail(err, -3, NULL, NULL,
			    "revision %lld is no longer kept (the oldest kept is %lld; see "
			    "revision-auto-delete in config system global)",
			    id, (long long)oldest);
		return NULL;
	}
	struct config_snapshot *s = calloc(1, sizeof *s);
	if (s) {
		s->nbucket = 1 << 14;
		s->bucket = calloc(s->nbucket, sizeof *s->bucket);
	}
	if (!s || !s->bucket) {
		config_snapshot_free(s);
		config_fail(err, -4, NULL, NULL, "out of memory");
		return NULL;
	}
	if (store_dump(cfg->st, load, s) != STORE_OK ||
	    (id >= 0 && store_revision_each(cfg->st, id, -1, 1, undo_revision, s) != STORE_OK)) {
		config_snapshot_free(s);
		config_fail(err, -1, NULL, NULL, "%s", config_errmsg(cfg));
		return NULL;
	}
	qsort(s->v, s->n, sizeof *s->v, by_row);
	if (s->failed) {
		config_snapshot_free(s);
		config_fail(err, -1, NULL, NULL,
			    "cannot rebuild revision %lld: out of memory, or a damaged revision",
			    id);
		return NULL;
	}
	return s;
}

void config_snapshot_free(struct config_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		config_values_free(s->v[i]->node, s->v[i]->vals);
		free(s->v[i]->path);
		free(s->v[i]->key);
		free(s->v[i]);
	}
	free(s->v);
	free(s->bucket);
	free(s);
}

int config_snapshot_each(const struct config_snapshot *s, const char *path,
			 int (*cb)(void *arg, const char *key, char *const *vals), void *arg)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i]->gone && strcmp(s->v[i]->path, path) == 0 &&
		    cb(arg, s->v[i]->key, s->v[i]->vals))
			return 1;
	return 0;
}

char *const *config_snapshot_find(const struct config_snapshot *s, const char *path,
				  const char *key)
{
	struct snap_entry *e = find(s, path, key);
	return e ? e->vals : NULL;
}
