/* SPDX-License-Identifier: MIT */
/* revision.c - recording, grouping, listing and reverting revisions
 * (revision.h; the snapshots are in snapshot.c). */
#include "config/revision.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/priv.h"
#include "config/sessions.h"
#include "config/txn.h"
#include "store/revision.h"

/* Every 100th revision applies the retention settings (as the audit
 * trail trims itself): cheap enough for a 10,000-entry import. */
#define TRIM_EVERY 100

static void trim(struct config *cfg)
{
	char *mode = config_read_attr(cfg, "system global", "revision-auto-delete");
	char *n = config_read_attr(cfg, "system global", "revision-max-revisions");
	char *days = config_read_attr(cfg, "system global", "revision-max-days");
	if (mode && n && days) {
		if (strcmp(mode, "by-revisions") == 0)
			store_revision_trim(cfg->st, strtoll(n, NULL, 10), 0);
		else if (strcmp(mode, "by-days") == 0)
			store_revision_trim(cfg->st, 0,
					    (int64_t)time(NULL) - strtoll(days, NULL, 10) * 86400);
	}
	free(mode);
	free(n);
	free(days);
}

int config_revision_record(struct config *cfg, const char *kind, const char *comment)
{
	if (cfg->changes.failed)
		return store_error(cfg->st, "out of memory recording the revision");
	if (cfg->changes.len == 0)
		return STORE_OK;
	/* Read once per SQLite transaction: a batch of 10,000 commits asks
	 * once, and nobody else can change it meanwhile. */
	if (cfg->record < 0) {
		char *on = config_read_attr(cfg, "system global", "create-revision");
		cfg->record = !on || strcmp(on, "disable") != 0;
		free(on);
	}
	if (!cfg->record) {
		cfg->changes.len = 0;
		return STORE_OK;
	}
	struct store_revision r = {
		.time = time(NULL),
		.admin = cfg->who.name,
		.source = cfg->who.source[0] ? cfg->who.source : "console",
		.kind = kind ? kind : cfg->who.kind,
		.comment = comment,
		.changes = cfg->changes.buf,
		.len = cfg->changes.len,
	};
	int64_t id;
	int rc = store_revision_add(cfg->st, &r, &id);
	cfg->changes.len = 0;
	if (rc == STORE_OK && id % TRIM_EVERY == 0)
		trim(cfg);
	return rc;
}

/* ---- grouping ---------------------------------------------------------- */

int config_group_begin(struct config *cfg, const char *kind, const char *comment,
		       struct config_error *err)
{
	if (cfg->grouped)
		return config_fail(err, -1, NULL, NULL, "a grouped change is already open");
	if (!store_in_transaction(cfg->st)) {
		if (store_begin(cfg->st) != STORE_OK)
			return config_fail(err, -1, NULL, NULL, "%s", config_errmsg(cfg));
		cfg->record = -1;
	}
	cfg->grouped = true;
	cfg->changes.len = 0;
	snprintf(cfg->group_kind, sizeof cfg->group_kind, "%s", kind);
	snprintf(cfg->group_comment, sizeof cfg->group_comment, "%s", comment ? comment : "");
	return 0;
}

int config_group_touch(struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->ngroup_paths; i++)
		if (strcmp(cfg->group_paths[i], path) == 0)
			return 0;
	char **v = realloc(cfg->group_paths, (cfg->ngroup_paths + 1) * sizeof *v);
	if (v)
		cfg->group_paths = v;
	if (!v || !(v[cfg->ngroup_paths] = strdup(path)))
		return store_error(cfg->st, "out of memory");
	cfg->ngroup_paths++;
	return 0;
}

/* The rules of the paths the group wrote, on its final state. */
static const char *group_rules(struct config *cfg, char *msg, size_t len)
{
	const char *why = NULL;
	for (size_t i = 0; i < cfg->ngroup_paths; i++) {
		if (!why)
			why = config_rule_commit(cfg, cfg->group_paths[i], msg, len);
		free(cfg->group_paths[i]);
	}
	free(cfg->group_paths);
	cfg->group_paths = NULL;
	cfg->ngroup_paths = 0;
	return why;
}

int config_group_end(struct config *cfg, bool ok, long long *rev, struct config_error *err)
{
	int64_t oldest, before = 0, after = 0;
	char why[512];
	cfg->grouped = false;
	if (rev)
		*rev = 0;
	if (group_rules(cfg, why, sizeof why) && ok) {
		cfg->changes.len = 0;
		store_rollback(cfg->st);
		return err ? config_fail(err, 1, NULL, NULL, "nothing was changed: %s", why) : -1;
	}
	bool changed = cfg->changes.len > 0;
	if (ok)
		ok = store_revision_range(cfg->st, &oldest, &before) == STORE_OK &&
		     config_revision_record(cfg, cfg->group_kind, cfg->group_comment) == STORE_OK &&
		     store_revision_range(cfg->st, &oldest, &after) == STORE_OK &&
		     (cfg->batch || store_commit(cfg->st) == STORE_OK);
	if (!ok) {
		char msg[300];
		snprintf(msg, sizeof msg, "%s", config_errmsg(cfg));
		cfg->changes.len = 0;
		cfg->changes.failed = false;
		store_rollback(cfg->st);
		return err ? config_fail(err, -1, NULL, NULL, "nothing was changed: %s", msg) : -1;
	}
	if (rev && after != before)
		*rev = after;
	else if (rev && changed)
		*rev = -1; /* changed, but create-revision is disabled */
	return 0;
}

/* ---- listing ----------------------------------------------------------- */

struct list {
	struct config *cfg;
	int last, n;
	int (*cb)(void *, const struct config_revision *);
	void *arg;
	char summary[2048];
	size_t len;
	int rc;
};

/* One entry's part of the summary, when the actor may read its area. */
static int summarize(void *arg, const struct config_change *ch)
{
	struct list *l = arg;
	char what[600];
	if (!config_allows(l->cfg, schema_area_of(ch->path), false) || l->len >= sizeof l->summary)
		return 0;
	int n = *ch->key ? snprintf(what, sizeof what, "%s \"%.64s\"", ch->path, ch->key)
			 : snprintf(what, sizeof what, "%s", ch->path);
	/* An object is never created nor deleted: its attributes changed. */
	if (*ch->key && !ch->existed)
		snprintf(what + n, sizeof what - n, ": created");
	else if (*ch->key && !ch->exists)
		snprintf(what + n, sizeof what - n, ": deleted");
	else if (strcmp(ch->from, ch->key) != 0)
		snprintf(what + n, sizeof what - n, ": renamed from \"%.64s\"", ch->from);
	else
		for (size_t i = 0; i < ch->n && (size_t)n < sizeof what; i++)
			n += snprintf(what + n, sizeof what - n, "%s %s", i ? "," : ":",
				      ch->attrs[i].attr);
	l->len += (size_t)snprintf(l->summary + l->len, sizeof l->summary - l->len, "%s%s",
				   l->len ? "; " : "", what);
	return 0;
}

static int list_one(void *arg, const struct store_revision *r)
{
	struct list *l = arg;
	l->len = 0;
	l->summary[0] = '\0';
	if (config_changes_each(r->changes, r->len, false, summarize, l) < 0)
		snprintf(l->summary, sizeof l->summary, "(the record of this revision is damaged)");
	else if (!l->len)
		return 0; /* nothing the actor may see */
	struct config_revision v = {r->id,   r->time,	 r->admin,  r->source,
				    r->kind, r->comment, l->summary};
	l->n++;
	return l->cb(l->arg, &v) || (l->last > 0 && l->n >= l->last);
}

int config_revision_list(struct config *cfg, int last,
			 int (*cb)(void *arg, const struct config_revision *r), void *arg)
{
	struct list l = {.cfg = cfg, .last = last, .cb = cb, .arg = arg};
	return store_revision_each(cfg->st, 0, -1, 1, list_one, &l) == STORE_OK ? 0 : -1;
}

/* ---- revert ------------------------------------------------------------ */

/* One change a revert makes: then NULL deletes the entry. */
struct op {
	const struct schema_node *node;
	char path[256];
	char *key;
	char *const *then;
	bool create;
};

struct plan {
	struct config *cfg;
	const struct config_snapshot *now, *then;
	const struct schema_node *node;
	const char *path;
	struct op *v;
	size_t n, cap;
	bool failed;
};

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void plan_add(struct plan *p, const char *key, char *const *then, bool create)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct op *v = realloc(p->v, cap * sizeof *v);
		if (!v) {
			p->failed = true;
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	struct op *o = &p->v[p->n];
	o->node = p->node;
	snprintf(o->path, sizeof o->path, "%s", p->path);
	o->then = then;
	o->create = create;
	if (!(o->key = strdup(key)))
		p->failed = true;
	else
		p->n++;
}

/* Entries now: deleted when absent then, changed when their values differ. */
static int plan_now(void *arg, const char *key, char *const *vals)
{
	struct plan *p = arg;
	char *const *then = config_snapshot_find(p->then, p->path, key);
	bool differs = !then;
	for (size_t i = 0, n = schema_attr_count(p->node); then && i < n && !differs; i++)
		differs = !same(then[i], vals[i]);
	if (differs)
		plan_add(p, key, then, false);
	return p->failed;
}

/* Entries then that are gone now: created again. */
static int plan_then(void *arg, const char *key, char *const *vals)
{
	struct plan *p = arg;
	if (!config_snapshot_find(p->now, p->path, key))
		plan_add(p, key, vals, true);
	return p->failed;
}

/* Every object and table under node, depth first, in schema order. */
static void plan_tree(struct plan *p, const struct schema_node *node, const char *path)
{
	for (const struct schema_node *const *c = node->children; c && *c; c++) {
		char sub[256];
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? " " : "", (*c)->name);
		if ((*c)->kind == SCHEMA_CONTAINER) {
			plan_tree(p, *c, sub);
		} else if ((*c)->kind != SCHEMA_INFO) {
			p->node = *c;
			p->path = sub;
			config_snapshot_each(p->now, sub, plan_now, p);
			config_snapshot_each(p->then, sub, plan_then, p);
		}
	}
}

/* Refuses when a live session other than this one has in `config` what
 * the plan would change. */
struct editing {
	struct config *cfg;
	const struct plan *p;
	char msg[600];
};

static int check_editing(void *arg, const struct store_session *s)
{
	struct editing *x = arg;
	if (s->id == x->cfg->who.session || !*s->editing)
		return 0;
	const char *sep = strchr(s->editing, '\x1f');
	size_t plen = sep ? (size_t)(sep - s->editing) : strlen(s->editing);
	for (size_t i = 0; i < x->p->n; i++) {
		const struct op *o = &x->p->v[i];
		if (strlen(o->path) != plen || strncmp(o->path, s->editing, plen) != 0)
			continue;
		if (sep && strcmp(sep + 1, o->key) != 0)
			continue;
		snprintf(x->msg, sizeof x->msg,
			 "session %lld of %s (%s from %s) is editing %.200s%s%.64s%s: ask them to "
			 "end or abort, or kill that session, then revert",
			 (long long)s->id, s->admin, s->kind, s->source, o->path, sep ? " \"" : "",
			 sep ? o->key : "", sep ? "\"" : "");
		return 1;
	}
	return 0;
}

/* Applies the plan's ops of one kind, a commit per table (deletions
 * last: an entry another one names can only go once nothing names it). */
static int apply(struct config *cfg, struct plan *p, bool deletions, struct config_error *err)
{
	for (size_t i = 0, j; i < p->n; i = j) {
		bool any = false;
		for (j = i; j < p->n && strcmp(p->v[j].path, p->v[i].path) == 0; j++)
			any |= !p->v[j].then == deletions;
		if (!any)
			continue;
		struct config_txn *t = config_txn_new(cfg, p->v[i].node, p->v[i].path);
		if (!t)
			return config_fail(err, -4, NULL, NULL, "out of memory");
		int rc = 0;
		for (size_t k = i; k < j && rc == 0; k++) {
			struct op *o = &p->v[k];
			if (!o->then != deletions)
				continue;
			if (!o->then) {
				rc = config_txn_delete(t, o->key, err);
				continue;
			}
			struct config_entry *e = config_txn_entry(t, o->key, true);
			if (!e) {
				rc = config_fail(err, -1, NULL, NULL, "%s", config_errmsg(cfg));
				break;
			}
			/* Stored values are copied as they are: a secret stays
			 * the ciphertext it was. */
			for (size_t a = 0, n = schema_attr_count(o->node); a < n && rc == 0; a++)
				if (!same(config_entry_values(e)[a], o->then[a]))
					rc = config_entry_stored(t, e, (int)a, o->then[a], err);
		}
		if (rc == 0)
			rc = config_txn_commit(t, NULL, err);
		config_txn_free(t);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int config_apply(struct config *cfg, const struct config_snapshot *target, const char *kind,
		 const char *comment, long long *rev, struct config_error *err)
{
	struct plan p = {.cfg = cfg, .then = target};
	int rc = -1;

	*rev = 0;
	struct config_snapshot *now = config_snapshot_at(cfg, -1, err);
	if (!now)
		return -1;
	p.now = now;
	plan_tree(&p, schema_root(), "");
	if (p.failed) {
		config_fail(err, -4, NULL, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.n; i++) {
		enum schema_area area = schema_area_of(p.v[i].path);
		if (!config_allows(cfg, area, true)) {
			config_refuse(cfg, area, true, comment, true, err);
			goto out;
		}
	}
	struct editing x = {.cfg = cfg, .p = &p};
	if (config_session_each(cfg, check_editing, &x) != 0) {
		config_fail(err, -1, NULL, NULL, "%s", config_errmsg(cfg));
		goto out;
	}
	if (x.msg[0]) {
		config_fail(err, -23, NULL, NULL, "%s", x.msg);
		goto out;
	}
	if (p.n == 0) {
		rc = 0; /* already as it should be */
		goto out;
	}
	if (config_group_begin(cfg, kind, comment, err) != 0)
		goto out;
	bool ok = apply(cfg, &p, false, err) == 0 && apply(cfg, &p, true, err) == 0;
	struct config_error end;
	if (config_group_end(cfg, ok, rev, &end) != 0 && ok)
		*err = end;
	else
		rc = ok ? 0 : -1;
out:
	for (size_t i = 0; i < p.n; i++)
		free(p.v[i].key);
	free(p.v);
	config_snapshot_free(now);
	return rc;
}

int config_revision_revert(struct config *cfg, long long id, long long *rev,
			   struct config_error *err)
{
	char comment[64];
	*rev = 0;
	if (id < 0)
		return config_fail(err, -651, NULL, NULL, "revision %lld does not exist", id);
	struct config_snapshot *then = config_snapshot_at(cfg, id, err);
	if (!then)
		return -1;
	snprintf(comment, sizeof comment, "revert to revision %lld", id);
	int rc = config_apply(cfg, then, "revert", comment, rev, err);
	config_snapshot_free(then);
	return rc;
}

void config_editing(struct config *cfg, const char *path, const char *key)
{
	char what[320] = "";
	if (!cfg->who.session)
		return;
	if (path)
		snprintf(what, sizeof what, "%s%s%s", path, key ? "\x1f" : "", key ? key : "");
	store_session_editing(cfg->st, cfg->who.session, what);
}
