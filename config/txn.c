/* SPDX-License-Identifier: MIT */
/* txn.c - staged edits of one object or table and their commit (txn.h). */
#include "config/txn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/priv.h"
#include "store/secret.h"
#include "store/store.h"

/* One table entry (or the single object, key "") as the transaction sees it. */
struct config_entry {
	char *key;	  /* the name in the candidate */
	char *stored;	  /* after `rename`: the name of its row in the store */
	bool base_exists; /* in the store when the transaction first touched it */
	bool exists;	  /* in the candidate */
	char **base;	  /* committed values then, by attribute index; NULL = default */
	char **val;	  /* candidate values; secrets hold their ciphertext */
	struct config_entry *next;
};

struct config_txn {
	struct config *cfg;
	const struct schema_node *node;
	char path[256];
	struct config_entry *cand; /* staged entries, in the order touched */
};

struct config_txn *config_txn_new(struct config *cfg, const struct schema_node *node,
				  const char *path)
{
	struct config_txn *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cfg = cfg;
	t->node = node;
	snprintf(t->path, sizeof t->path, "%s", path);
	return t;
}

static void entry_free(const struct schema_node *node, struct config_entry *e)
{
	config_values_free(node, e->base);
	config_values_free(node, e->val);
	free(e->key);
	free(e->stored);
	free(e);
}

void config_txn_discard(struct config_txn *t)
{
	while (t->cand) {
		struct config_entry *e = t->cand;
		t->cand = e->next;
		entry_free(t->node, e);
	}
}

void config_txn_free(struct config_txn *t)
{
	if (!t)
		return;
	config_txn_discard(t);
	free(t);
}

const struct schema_node *config_txn_node(const struct config_txn *t)
{
	return t->node;
}

const char *config_txn_path(const struct config_txn *t)
{
	return t->path;
}

const char *config_entry_key(const struct config_entry *e)
{
	return e->key;
}

char *const *config_entry_values(const struct config_entry *e)
{
	return e->val;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool config_txn_dirty(const struct config_txn *t)
{
	size_t n = schema_attr_count(t->node);
	for (const struct config_entry *e = t->cand; e; e = e->next) {
		if (e->exists != e->base_exists || (e->stored && strcmp(e->stored, e->key) != 0))
			return true;
		for (size_t i = 0; e->exists && i < n; i++)
			if (!same(e->val[i], e->base[i]))
				return true;
	}
	return false;
}

/* The name of e's row in the store. */
static const char *row(const struct config_entry *e)
{
	return e->stored ? e->stored : e->key;
}

/*
 * The staged entry called key.  After `delete d` and `rename b to d` two
 * entries are called d; the one that exists is the one the user means.
 */
struct config_entry *config_txn_find(struct config_txn *t, const char *key)
{
	struct config_entry *last = NULL;
	for (struct config_entry *e = t->cand; e; e = e->next)
		if (strcmp(e->key, key) == 0) {
			if (e->exists)
				return e;
			last = e;
		}
	return last;
}

/* The staged entry that owns the store row called key; a renamed entry
 * owns its old row even when a new entry took the old name. */
static struct config_entry *find_row(struct config_txn *t, const char *key)
{
	struct config_entry *plain = NULL;
	for (struct config_entry *e = t->cand; e; e = e->next)
		if (strcmp(row(e), key) == 0) {
			if (e->stored)
				return e;
			plain = plain ? plain : e;
		}
	return plain;
}

struct config_entry *config_txn_entry(struct config_txn *t, const char *key, bool create)
{
	const struct schema_node *node = t->node;
	size_t n = schema_attr_count(node);
	struct config_entry *e = config_txn_find(t, key), **tail;

	if (e) {
		if (create && !e->exists) { /* deleted earlier in this transaction: start afresh */
			for (size_t i = 0; i < n; i++) {
				free(e->val[i]);
				e->val[i] = NULL;
			}
			e->exists = true;
		}
		return e;
	}
	e = calloc(1, sizeof *e);
	if (!e || !(e->key = strdup(key)) || !(e->base = config_values_new(node)) ||
	    !(e->val = config_values_new(node)))
		goto fail;
	/* A renamed entry owns the old row: a new entry of that name is new. */
	struct config_entry *owner = find_row(t, key);
	int rc = owner && owner->stored ? 0 : config_read(t->cfg, t->path, node, key, e->base);
	if (rc < 0)
		goto fail;
	e->base_exists = rc == 1;
	e->exists = e->base_exists || create;
	for (size_t i = 0; i < n; i++)
		if (e->base[i] && !(e->val[i] = strdup(e->base[i])))
			goto fail;
	for (tail = &t->cand; *tail; tail = &(*tail)->next)
		;
	*tail = e;
	return e;
fail:
	if (e)
		entry_free(node, e);
	return NULL;
}

int config_entry_set(struct config_txn *t, struct config_entry *e, int i, const char *value,
		     bool encrypted, struct config_error *err)
{
	const struct schema_attr *at = &t->node->attrs[i];
	char *v = NULL, msg[256] = "";

	if (!value) {
		/* unset: back to the default */
	} else if (at->type != SCHEMA_T_PASSWORD) {
		if (strcmp(value, schema_default(at)) != 0 && !(v = strdup(value)))
			return config_fail(err, -4, NULL, NULL, "out of memory");
	} else if (encrypted) {
		/* Already encrypted (from `show`): must decrypt with our key. */
		char *plain = secret_decrypt(t->cfg->key, value, msg, sizeof msg);
		const struct schema_error *bad =
			plain ? schema_validate(at, plain, msg, sizeof msg) : NULL;
		bool empty = plain && !*plain;
		secret_free(plain);
		if (!plain && !bad) {
			config_fail(err, -651, "value", "ENC", "%s", msg);
			return -2; /* made under another key: a restore may skip it */
		}
		if (!plain || bad)
			return config_fail(err, bad ? bad->code : -651, "value", "ENC", "%s", msg);
		if (!empty && !(v = strdup(value)))
			return config_fail(err, -4, NULL, NULL, "out of memory");
	} else if (*value && !(v = secret_encrypt(t->cfg->key, value, msg, sizeof msg))) {
		return config_fail(err, -1, NULL, NULL, "%s", msg);
	}
	free(e->val[i]);
	e->val[i] = v;
	return 0;
}

int config_entry_stored(struct config_txn *t, struct config_entry *e, int i, const char *stored,
			struct config_error *err)
{
	char *v = stored ? strdup(stored) : NULL;
	(void)t;
	if (stored && !v)
		return config_fail(err, -4, NULL, NULL, "out of memory");
	free(e->val[i]);
	e->val[i] = v;
	return 0;
}

int config_txn_exists(struct config_txn *t, const char *key)
{
	struct config_entry *e = config_txn_find(t, key);
	if (e)
		return e->exists;
	if (find_row(t, key)) /* its row was renamed away */
		return 0;
	return config_exists(t->cfg, t->path, key);
}

struct keys_ctx {
	struct config_txn *t;
	int (*cb)(void *, const char *);
	void *arg;
	char **seen; /* staged keys also found in the store */
	size_t nseen;
};

static int key_from_store(void *arg, const char *key)
{
	struct keys_ctx *k = arg;
	struct config_entry *e = find_row(k->t, key);
	if (e) {
		char **s = realloc(k->seen, (k->nseen + 1) * sizeof *s);
		if (!s)
			return 1;
		k->seen = s;
		k->seen[k->nseen++] = e->key;
		if (!e->exists)
			return 0;
		key = e->key; /* renamed in place: listed at its old position */
	}
	return k->cb(k->arg, key);
}

int config_txn_keys(struct config_txn *t, int (*cb)(void *arg, const char *key), void *arg)
{
	struct keys_ctx k = {t, cb, arg, NULL, 0};
	int rc = store_entry_keys(t->cfg->st, t->path, key_from_store, &k);
	/* Then the entries this transaction created, in the order it made them. */
	for (struct config_entry *e = t->cand; rc == STORE_OK && e; e = e->next) {
		bool seen = false;
		for (size_t i = 0; i < k.nseen && !seen; i++)
			seen = k.seen[i] == e->key;
		if (e->exists && !seen && *e->key && cb(arg, e->key))
			break;
	}
	free(k.seen);
	return rc;
}

/* ---- table operations -------------------------------------------------- */

/* Refuses unless key exists (want) or does not (!want) in this view. */
static int need(struct config_txn *t, const char *key, bool want, struct config_error *err)
{
	int rc = config_txn_exists(t, key);
	if (rc < 0)
		return config_fail(err, -1, NULL, NULL, "%s", config_errmsg(t->cfg));
	if (rc == want)
		return 0;
	if (want)
		return config_fail(err, -3, "value", key,
				   "entry not found in datasource: %s \"%.64s\" does not exist",
				   t->node->name, key);
	return config_fail(err, -5, "value", key, "%s \"%.64s\" already exists", t->node->name,
			   key);
}

static struct config_entry *staged(struct config_txn *t, const char *key, bool create,
				   struct config_error *err)
{
	struct config_entry *e = config_txn_entry(t, key, create);
	if (!e)
		config_fail(err, -1, NULL, NULL, "%s", config_errmsg(t->cfg));
	return e;
}

int config_txn_delete(struct config_txn *t, const char *key, struct config_error *err)
{
	if (need(t, key, true, err) || config_check_unused(t->cfg, t->path, key, err))
		return -1;
	struct config_entry *e = staged(t, key, false, err);
	if (!e)
		return -1;
	e->exists = false;
	return 0;
}

int config_txn_rename(struct config_txn *t, const char *key, const char *to,
		      struct config_error *err)
{
	if (need(t, key, true, err) || need(t, to, false, err) ||
	    config_check_unused(t->cfg, t->path, key, err))
		return -1;
	struct config_entry *e = staged(t, key, false, err);
	if (!e)
		return -1;
	char *k = strdup(to);
	if (!k || (!e->stored && e->base_exists && !(e->stored = strdup(e->key)))) {
		free(k);
		return config_fail(err, -4, NULL, NULL, "out of memory");
	}
	free(e->key);
	e->key = k;
	return 0;
}

int config_txn_clone(struct config_txn *t, const char *key, const char *to,
		     struct config_error *err)
{
	if (need(t, key, true, err) || need(t, to, false, err))
		return -1;
	struct config_entry *src = staged(t, key, false, err);
	struct config_entry *dst = src ? staged(t, to, true, err) : NULL;
	if (!dst)
		return -1;
	for (size_t i = 0, n = schema_attr_count(t->node); i < n; i++) {
		free(dst->val[i]);
		dst->val[i] = src->val[i] ? strdup(src->val[i]) : NULL;
		if (src->val[i] && !dst->val[i])
			return config_fail(err, -4, NULL, NULL, "out of memory");
	}
	return 0;
}

struct purge {
	struct config_txn *t;
	struct config_error *err;
	int rc;
};

/* Stops at the first entry that another table still names. */
static int purge_check(void *arg, const char *key)
{
	struct purge *p = arg;
	p->rc = config_check_unused(p->t->cfg, p->t->path, key, p->err);
	return p->rc != 0;
}

static int purge_one(void *arg, const char *key)
{
	struct purge *p = arg;
	struct config_entry *e = staged(p->t, key, false, p->err);
	if (!e) {
		p->rc = -1;
		return 1;
	}
	e->exists = false;
	return 0;
}

int config_txn_purge(struct config_txn *t, struct config_error *err)
{
	struct purge p = {t, err, 0};
	if (config_txn_keys(t, purge_check, &p) != STORE_OK)
		return config_fail(err, -1, NULL, NULL, "%s", config_errmsg(t->cfg));
	if (p.rc) /* an entry is in use: nothing is purged */
		return -1;
	if (config_txn_keys(t, purge_one, &p) != STORE_OK && !p.rc)
		return config_fail(err, -1, NULL, NULL, "%s", config_errmsg(t->cfg));
	return p.rc;
}

/* ---- commit ------------------------------------------------------------ */

static void entry_name(const struct config_txn *t, const char *key, char *buf, size_t len)
{
	if (*key)
		snprintf(buf, len, "%s \"%.64s\"", t->path, key);
	else
		snprintf(buf, len, "%s", t->path);
}

/*
 * Refuses the commit when another writer committed, after this
 * transaction first touched the entry, a change to something this commit
 * would overwrite.  Returns 0 when the entry may be written.
 */
static int check_conflict(struct config_txn *t, const struct config_entry *e, char **now,
			  bool now_exists, char *msg, size_t len)
{
	const struct schema_node *node = t->node;
	char name[400];

	entry_name(t, e->key, name, sizeof name);
	if (e->base_exists && !now_exists) {
		if (!e->exists)
			return 0; /* both deleted it: nothing to overwrite */
		snprintf(msg, len,
			 "%s was deleted by another session since this session began editing it",
			 name);
		return -1;
	}
	for (size_t i = 0, n = schema_attr_count(node); i < n; i++) {
		bool ours = e->exists ? !same(e->val[i], e->base[i]) : true;
		if (!ours || same(now[i], e->base[i]))
			continue;
		const struct schema_attr *a = &node->attrs[i];
		const char *shown =
			a->type == SCHEMA_T_PASSWORD ? "*" : schema_attr_value(node, now, (int)i);
		snprintf(msg, len,
			 "%s: %s was changed by another session (now %.60s%s) since this "
			 "session began editing it",
			 name, a->name, *shown ? shown : "(null)", strlen(shown) > 60 ? "..." : "");
		return -1;
	}
	return 0;
}

/* A value as the audit trail shows it: secrets as `*`, pasted blocks by size. */
static void audit_value(const struct schema_attr *a, const char *v, char *buf, size_t len)
{
	if (a->type == SCHEMA_T_PASSWORD)
		snprintf(buf, len, "*");
	else if (a->multiline && *v)
		snprintf(buf, len, "<%zu bytes>", strlen(v));
	else
		snprintf(buf, len, "%s%.80s%s", *v ? "" : "(null)", v, strlen(v) > 80 ? "..." : "");
}

/* One audit row per entry a commit writes, naming each attribute's old and
 * new value: a row per attribute made a 10,000-entry import write 90,000
 * rows and take 2.4 times as long. */
static void audit_changes(struct config_txn *t, const struct config_entry *e, char **now,
			  bool created)
{
	const struct schema_node *node = t->node;
	char name[400], from[128], to[128], what[3000];
	size_t o = 0;

	what[0] = '\0';
	if (created)
		o = (size_t)snprintf(what, sizeof what, "; created");
	for (size_t i = 0, n = schema_attr_count(node); i < n && o < sizeof what; i++) {
		if (same(e->val[i], e->base[i]) || same(e->val[i], now[i]))
			continue;
		audit_value(&node->attrs[i], schema_attr_value(node, now, (int)i), from,
			    sizeof from);
		audit_value(&node->attrs[i], schema_attr_value(node, e->val, (int)i), to,
			    sizeof to);
		o += (size_t)snprintf(what + o, sizeof what - o, "; %s: %s -> %s",
				      node->attrs[i].name, from, to);
	}
	if (!what[0])
		return;
	entry_name(t, e->key, name, sizeof name);
	config_audit(t->cfg, "commit", "%s: %s", name, what + 2);
}

/* Adds what writing e did to the revision being made: what undoing it
 * needs.  The value before (now) of each attribute it changed, every
 * stored value of an entry it deleted, nothing but the fact for an entry
 * it created (undoing that deletes it).  The values after are in the
 * store, or in the next revision's record: a bulk import of new entries
 * records a few bytes per entry. */
static void record_change(struct config_txn *t, const struct config_entry *e, char **now,
			  bool existed, int64_t row_id)
{
	const struct schema_node *node = t->node;
	size_t n = schema_attr_count(node), k = 0;
	if (t->cfg->record == 0)
		return; /* create-revision is disabled */
	struct config_change_attr *a = calloc(n ? n : 1, sizeof *a);
	if (!a) {
		t->cfg->changes.failed = true;
		return;
	}
	/* An object's first write "creates" its row: its attributes are
	 * still named, for the revision list. */
	for (size_t i = 0; (existed || !*e->key) && i < n; i++) {
		const char *old = existed ? now[i] : NULL, *new = e->exists ? e->val[i] : NULL;
		bool touched = !e->exists || !same(e->val[i], e->base[i]);
		if (touched && !same(old, new))
			a[k++] = (struct config_change_attr){node->attrs[i].name, old};
	}
	bool renamed = existed && e->exists && strcmp(row(e), e->key) != 0;
	if (k || renamed || existed != e->exists) {
		const char *key = e->exists ? e->key : row(e);
		/* from is only written when it differs (a rename). */
		struct config_change ch = {
			t->path, key, renamed ? row(e) : NULL, existed, e->exists, row_id, k, a};
		config_changes_add(&t->cfg->changes, &ch);
	}
	free(a);
}

/* Writes one staged entry.  0; -1 with msg (a refusal) or with msg empty
 * (the store failed). */
static int write_entry(struct config_txn *t, struct config_entry *e, char *msg, size_t len)
{
	const struct schema_node *node = t->node;
	struct config *cfg = t->cfg;
	size_t n = schema_attr_count(node);
	char **now = config_values_new(node), name[400];
	int64_t id = 0;
	int rc = -1;

	if (!now)
		return -1;
	int found = config_read_id(cfg, t->path, node, row(e), now, &id);
	if (found < 0 || check_conflict(t, e, now, found == 1, msg, len) != 0)
		goto out;
	/* Checked again here: another writer may have started to use it. */
	bool renamed = e->stored && strcmp(e->stored, e->key) != 0;
	if (found == 1 && (!e->exists || renamed)) {
		struct config_error err;
		if (config_check_unused(cfg, t->path, row(e), &err) != 0) {
			snprintf(msg, len, "%.500s", err.detail);
			goto out;
		}
	}
	if (!e->exists) {
		rc = found == 1 ? store_entry_delete(cfg->st, id) : 0;
		if (found == 1 && rc == 0) {
			entry_name(t, row(e), name, sizeof name);
			config_audit(cfg, "commit", "%s: deleted", name);
			record_change(t, e, now, true, id);
		}
		goto out;
	}
	if (found == 1 && renamed) {
		int64_t other;
		int taken = store_entry_find(cfg->st, t->path, e->key, &other);
		if (taken == 1)
			snprintf(msg, len, "%s \"%.64s\" was created by another session meanwhile",
				 t->path, e->key);
		if (taken != 0 || store_entry_rename(cfg->st, id, e->key) != STORE_OK)
			goto out;
		entry_name(t, row(e), name, sizeof name);
		config_audit(cfg, "commit", "%s: renamed to \"%.64s\"", name, e->key);
	}
	char why[200];
	if (config_rule_verify(cfg, t->path, e->val, why, sizeof why)) {
		snprintf(msg, len, "%s \"%.64s\": %s", t->path, e->key, why);
		goto out;
	}
	/* Only what this transaction changed is written: a value another
	 * writer committed meanwhile to an attribute we did not touch stays. */
	bool changes = node->kind == SCHEMA_TABLE && found != 1;
	for (size_t i = 0; i < n && !changes; i++)
		changes = !same(e->val[i], e->base[i]);
	if (!changes) {
		rc = 0;
		if (renamed)
			record_change(t, e, now, true, id);
		goto out;
	}
	if (found != 1 && store_entry_create(cfg->st, t->path, e->key, &id) != STORE_OK)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!same(e->val[i], e->base[i]) && !same(e->val[i], now[i]))
			rc = store_value_set(cfg->st, id, node->attrs[i].name, e->val[i]);
	if (rc == 0) {
		audit_changes(t, e, now, found != 1 && node->kind == SCHEMA_TABLE);
		record_change(t, e, now, found == 1, id);
	}
out:
	config_values_free(node, now);
	return rc;
}

int config_txn_commit(struct config_txn *t, const char *comment, struct config_error *err)
{
	struct config *cfg = t->cfg;
	bool began = false;
	char msg[1024] = "";
	size_t mark = cfg->changes.len;
	int rc = 0;

	if (!t->cand)
		return 0;
	/* The front end offers no command that changes what the profile may
	 * not change; this catches the rest (`edit` of a new entry by a reader). */
	enum schema_area area = schema_area_of(t->path);
	if (!config_allows(cfg, area, true) && config_txn_dirty(t))
		return config_refuse(cfg, area, true, "commit", true, err);
	if (!store_in_transaction(cfg->st)) {
		if (store_begin(cfg->st) != STORE_OK)
			goto store_error;
		began = true;
		cfg->record = -1; /* read again inside this transaction */
	}
	if (store_savepoint(cfg->st) != STORE_OK)
		goto store_error;
	cfg->committing = true;
	for (struct config_entry *e = t->cand; e && rc == 0; e = e->next)
		rc = write_entry(t, e, msg, sizeof msg);
	if (rc == 0 && (cfg->grouped ? config_group_touch(cfg, t->path)
				     : config_rule_commit(cfg, t->path, msg, sizeof msg) != NULL))
		rc = -1;
	/* The revision goes into the same transaction as what it records;
	 * a group records one for all its commits when it ends. */
	if (rc == 0 && !cfg->grouped && config_revision_record(cfg, NULL, comment) != STORE_OK)
		rc = -1;
	cfg->committing = false;
	if (rc != 0) {
		cfg->changes.len = mark;
		cfg->changes.failed = false;
		config_audit_done(cfg, false);
		store_rollback_savepoint(cfg->st);
		if (began)
			store_rollback(cfg->st);
		if (!msg[0])
			goto store_error;
		return config_fail(err, 1, NULL, NULL,
				   "%s\nnothing was saved; use 'abort' to drop these edits and "
				   "edit again",
				   msg);
	}
	if (store_release(cfg->st) != STORE_OK)
		goto store_error;
	/* Batched commits share one transaction that config_flush() closes;
	 * every other commit is made durable here. */
	if (began && !cfg->batch && store_commit(cfg->st) != STORE_OK)
		goto store_error;
	config_audit_done(cfg, true);
	config_txn_discard(t);
	/* A change to admins or profiles may change the actor's own rights. */
	if (area == SCHEMA_AREA_ADMIN) {
		char why[200];
		config_reload_who(cfg, why, sizeof why);
	}
	return 0;
store_error:
	cfg->committing = false;
	cfg->changes.len = mark;
	config_audit_done(cfg, false);
	if (began && store_in_transaction(cfg->st) && !cfg->batch)
		store_rollback(cfg->st);
	return config_fail(err, -1, NULL, NULL, "%s", store_errmsg(cfg->st));
}
