/* SPDX-License-Identifier: MIT */
/* session.c - config shell state, the staged candidate and its commit. */
#include "cli/session.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/perm.h"
#include "diag/clock.h"
#include "store/secret.h"
#include "store/statedir.h"
#include "store/store.h"

int cli_session_open(struct cli *cli, const char *statedir, char *err, size_t errlen)
{
	char path[4200];

	memset(cli, 0, sizeof *cli);
	cli->mode = CLI_MODE_TOP;
	cli->tty_fd = -1;
	snprintf(cli->statedir, sizeof cli->statedir, "%s", statedir);
	cli_perm_all(cli);
	snprintf(cli->admin.source, sizeof cli->admin.source, "console");
	snprintf(cli->admin.kind, sizeof cli->admin.kind, "script");
	snprintf(path, sizeof path, "%s/config.db", statedir);
	/* In a group-shared directory the store must be group-writable, and
	 * SQLite gives its -wal and -shm files the database's mode: make the
	 * file first, 0660, rather than let SQLite make it 0644 & ~umask. */
	if (statedir_shared(statedir)) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660);
		if (fd >= 0)
			close(fd);
	}
	if (store_open(path, &cli->st, err, errlen) != STORE_OK)
		return -1;
	if (secret_key_open(statedir, &cli->key, err, errlen) != 0) {
		store_close(cli->st);
		return -1;
	}
	cli->out = cli_out_new(stdout);
	/* Times shown to the operator follow system global timezone. */
	diag_clock_source(cli_clock_zone, cli);
	return cli->out ? 0 : -1;
}

void cli_session_close(struct cli *cli)
{
	diag_clock_forget(cli);
	cli_session_discard(cli);
	if (cli->st && store_in_transaction(cli->st))
		store_commit(cli->st);
	store_close(cli->st);
	secret_key_free(cli->key);
	cli_out_free(cli->out);
	cli_audit_commit_done(cli, false);
	free(cli->err);
}

void cli_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	char *e = realloc(cli->err, cli->errlen + n + 2);
	if (!e)
		return;
	memcpy(e + cli->errlen, line, n);
	cli->errlen += n;
	e[cli->errlen++] = '\n';
	e[cli->errlen] = '\0';
	cli->err = e;
}

/* Echoes a user's word safely: at most 40 bytes, and every byte outside
 * printable ASCII as \xNN (a raw 0x9b is a terminal escape on some
 * consoles, and a cut UTF-8 character would garble the line). */
static void quote_word(const char *w, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; w[i] && o + 8 < len; i++) {
		unsigned char c = (unsigned char)w[i];
		if (i == 40) {
			o += snprintf(buf + o, len - o, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
}

int cli_fail(struct cli *cli, int code, const char *parse, const char *tok, const char *detail)
{
	char w[200];
	if (detail && *detail)
		cli_error(cli, "%s", detail);
	if (parse) {
		quote_word(tok ? tok : "", w, sizeof w);
		cli_error(cli, "%s parse error before '%s'", parse, w);
	}
	cli_error(cli, "Command fail. Return code %d", code);
	cli->last_code = code;
	return -1;
}

/* ---- values ---------------------------------------------------------- */

static int take_value(void *arg, const char *attr, const char *value)
{
	void **ctx = arg;
	const struct schema_node *node = ctx[0];
	char **vals = ctx[1];
	int i = schema_attr_index(node, attr);
	/* A value for an attribute this build does not know is kept in the
	 * store but ignored here; migrations deal with renamed attributes. */
	if (i >= 0 && !vals[i])
		vals[i] = strdup(value);
	return 0;
}

/* cli_load_values, also giving the entry's id when it exists. */
static int load_values(struct cli *cli, const char *path, const struct schema_node *node,
		       const char *key, char **vals, int64_t *idp)
{
	int64_t id;
	int rc = store_entry_find(cli->st, path, key, &id);
	if (idp)
		*idp = id;
	if (rc == 1) {
		void *ctx[2] = {(void *)node, vals};
		if (store_values(cli->st, id, take_value, ctx) != STORE_OK)
			return STORE_ERR;
	}
	return rc;
}

int cli_load_values(struct cli *cli, const char *path, const struct schema_node *node,
		    const char *key, char **vals)
{
	return load_values(cli, path, node, key, vals, NULL);
}

void cli_free_values(const struct schema_node *node, char **vals)
{
	if (!vals)
		return;
	for (size_t i = 0, n = schema_attr_count(node); i < n; i++)
		free(vals[i]);
	free(vals);
}

static char **new_values(const struct schema_node *node)
{
	return calloc(schema_attr_count(node) + 1, sizeof(char *));
}

const char *cli_attr_value(const struct schema_node *node, char *const *vals, int i)
{
	return vals && vals[i] ? vals[i] : schema_default(&node->attrs[i]);
}

bool cli_attr_visible(const struct schema_node *node, char *const *vals, int i)
{
	const struct schema_attr *a = &node->attrs[i];
	if (!a->when_attr)
		return true;
	int j = schema_attr_index(node, a->when_attr);
	return j >= 0 && strcmp(cli_attr_value(node, vals, j), a->when_value) == 0;
}

char *cli_object_value(struct cli *cli, const char *path, const struct schema_node *node,
		       const char *attr)
{
	char **vals = new_values(node);
	int i = schema_attr_index(node, attr);
	char *v = NULL;
	if (vals && i >= 0 && cli_load_values(cli, path, node, "", vals) >= 0)
		v = strdup(cli_attr_value(node, vals, i));
	cli_free_values(node, vals);
	return v;
}

void cli_hostname(struct cli *cli, char *buf, size_t len)
{
	const struct schema_node *g = schema_lookup("system global");
	char *h = g ? cli_object_value(cli, "system global", g, "hostname") : NULL;
	snprintf(buf, len, "%s", h && *h ? h : "appsh");
	free(h);
}

/* ---- the candidate --------------------------------------------------- */

static void entry_free(const struct schema_node *node, struct cli_entry *e)
{
	cli_free_values(node, e->base);
	cli_free_values(node, e->val);
	free(e->key);
	free(e->stored);
	free(e);
}

void cli_session_discard(struct cli *cli)
{
	while (cli->cand) {
		struct cli_entry *e = cli->cand;
		cli->cand = e->next;
		entry_free(cli->node, e);
	}
	cli->cur = NULL;
}

bool cli_session_dirty(const struct cli *cli)
{
	size_t n = cli->node ? schema_attr_count(cli->node) : 0;
	for (const struct cli_entry *e = cli->cand; e; e = e->next) {
		if (e->exists != e->base_exists || (e->stored && strcmp(e->stored, e->key) != 0))
			return true;
		for (size_t i = 0; e->exists && i < n; i++)
			if ((e->val[i] == NULL) != (e->base[i] == NULL) ||
			    (e->val[i] && strcmp(e->val[i], e->base[i]) != 0))
				return true;
	}
	return false;
}

void cli_session_enter(struct cli *cli, const struct schema_node *node, const char *path)
{
	cli->node = node;
	snprintf(cli->path, sizeof cli->path, "%s", path);
	cli->mode = node->kind == SCHEMA_TABLE ? CLI_MODE_TABLE : CLI_MODE_OBJECT;
	if (cli->mode == CLI_MODE_OBJECT)
		cli->cur = cli_entry_get(cli, "", true);
}

void cli_session_leave(struct cli *cli)
{
	cli_session_discard(cli);
	cli->node = NULL;
	cli->path[0] = '\0';
	cli->mode = CLI_MODE_TOP;
}

/* The name of e's row in the store. */
static const char *row(const struct cli_entry *e)
{
	return e->stored ? e->stored : e->key;
}

/*
 * The staged entry called key.  After `delete d` and `rename b to d` two
 * entries are called d; the one that exists is the one the user means.
 */
static struct cli_entry *find(struct cli *cli, const char *key)
{
	struct cli_entry *last = NULL;
	for (struct cli_entry *e = cli->cand; e; e = e->next)
		if (strcmp(e->key, key) == 0) {
			if (e->exists)
				return e;
			last = e;
		}
	return last;
}

/* The staged entry that owns the store row called key; a renamed entry
 * owns its old row even when a new entry took the old name. */
static struct cli_entry *find_row(struct cli *cli, const char *key)
{
	struct cli_entry *plain = NULL;
	for (struct cli_entry *e = cli->cand; e; e = e->next)
		if (strcmp(row(e), key) == 0) {
			if (e->stored)
				return e;
			plain = plain ? plain : e;
		}
	return plain;
}

struct cli_entry *cli_entry_find(struct cli *cli, const char *key)
{
	return find(cli, key);
}

int cli_entry_rename(struct cli_entry *e, const char *to)
{
	char *key = strdup(to);
	if (!key || (!e->stored && e->base_exists && !(e->stored = strdup(e->key)))) {
		free(key);
		return -1;
	}
	free(e->key);
	e->key = key;
	return 0;
}

struct cli_entry *cli_entry_get(struct cli *cli, const char *key, bool create)
{
	const struct schema_node *node = cli->node;
	size_t n = schema_attr_count(node);
	struct cli_entry *e = find(cli, key), **tail;

	if (e) {
		if (create && !e->exists) { /* deleted earlier in this session: start afresh */
			for (size_t i = 0; i < n; i++) {
				free(e->val[i]);
				e->val[i] = NULL;
			}
			e->exists = true;
		}
		return e;
	}
	e = calloc(1, sizeof *e);
	if (!e || !(e->key = strdup(key)) || !(e->base = new_values(node)) ||
	    !(e->val = new_values(node)))
		goto fail;
	/* A renamed entry owns the old row: a new entry of that name is new. */
	struct cli_entry *owner = find_row(cli, key);
	int rc = owner && owner->stored ? 0 : cli_load_values(cli, cli->path, node, key, e->base);
	if (rc < 0)
		goto fail;
	e->base_exists = rc == 1;
	e->exists = e->base_exists || create;
	for (size_t i = 0; i < n; i++)
		if (e->base[i] && !(e->val[i] = strdup(e->base[i])))
			goto fail;
	for (tail = &cli->cand; *tail; tail = &(*tail)->next)
		;
	*tail = e;
	return e;
fail:
	if (e)
		entry_free(node, e);
	return NULL;
}

int cli_entry_exists(struct cli *cli, const char *key)
{
	struct cli_entry *e = find(cli, key);
	int64_t id;
	if (e)
		return e->exists;
	if (find_row(cli, key)) /* its row was renamed away */
		return 0;
	return store_entry_find(cli->st, cli->path, key, &id);
}

struct keys_ctx {
	struct cli *cli;
	bool staged; /* the table being edited: apply the staged entries */
	int (*cb)(void *, const char *);
	void *arg;
	char **seen; /* staged keys also found in the store */
	size_t nseen;
};

static int key_from_store(void *arg, const char *key)
{
	struct keys_ctx *k = arg;
	struct cli_entry *e = k->staged ? find_row(k->cli, key) : NULL;
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

int cli_entry_keys(struct cli *cli, const struct schema_node *node, const char *path,
		   int (*cb)(void *arg, const char *key), void *arg)
{
	struct keys_ctx k = {cli, node == cli->node && strcmp(path, cli->path) == 0, cb, arg};
	int rc = store_entry_keys(cli->st, path, key_from_store, &k);
	/* Then the entries this session created, in the order it made them. */
	for (struct cli_entry *e = k.staged ? cli->cand : NULL; rc == STORE_OK && e; e = e->next) {
		bool seen = false;
		for (size_t i = 0; i < k.nseen && !seen; i++)
			seen = k.seen[i] == e->key;
		if (e->exists && !seen && *e->key && cb(arg, e->key))
			break;
	}
	free(k.seen);
	return rc;
}

/* ---- commit ---------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void entry_name(struct cli *cli, const struct cli_entry *e, char *buf, size_t len)
{
	if (*e->key)
		snprintf(buf, len, "%s \"%.64s\"", cli->path, e->key);
	else
		snprintf(buf, len, "%s", cli->path);
}

/*
 * Refuses the commit when another session committed, after this one first
 * touched the entry, a change to something this commit would overwrite.
 * Returns 0 when the entry may be written.
 */
static int check_conflict(struct cli *cli, const struct cli_entry *e, char **now, bool now_exists)
{
	const struct schema_node *node = cli->node;
	char name[400];

	entry_name(cli, e, name, sizeof name);
	if (e->base_exists && !now_exists) {
		if (!e->exists)
			return 0; /* both deleted it: nothing to overwrite */
		cli_error(cli,
			  "%s was deleted by another session since this session began "
			  "editing it",
			  name);
		return -1;
	}
	for (size_t i = 0, n = schema_attr_count(node); i < n; i++) {
		bool ours = e->exists ? !same(e->val[i], e->base[i]) : true;
		if (!ours || same(now[i], e->base[i]))
			continue;
		const struct schema_attr *a = &node->attrs[i];
		const char *shown =
			a->type == SCHEMA_T_PASSWORD ? "*" : cli_attr_value(node, now, i);
		cli_error(cli,
			  "%s: %s was changed by another session (now %.60s%s) since this "
			  "session began editing it",
			  name, a->name, *shown ? shown : "(null)",
			  strlen(shown) > 60 ? "..." : "");
		return -1;
	}
	return 0;
}

struct users {
	struct cli *cli;
	const char *key;
	int n;
};

static int count_users(void *arg, const char *holder, const struct schema_attr *attr)
{
	struct users *u = arg;
	int n = store_value_count(u->cli->st, holder, attr->name, u->key);
	u->n = n < 0 ? -1 : u->n + n;
	return n < 0;
}

int cli_check_unused(struct cli *cli, const char *path, const char *key)
{
	struct users u = {cli, key, 0};
	char msg[128];
	schema_each_ref(path, count_users, &u);
	if (u.n < 0)
		return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	if (u.n == 0)
		return 0;
	/* The appliance's words (spec §9). */
	snprintf(msg, sizeof msg, "The entry is used by other %d entries", u.n);
	return cli_fail(cli, -23, NULL, NULL, msg);
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
static void audit_changes(struct cli *cli, const struct cli_entry *e, char **now, bool created)
{
	const struct schema_node *node = cli->node;
	char name[400], from[128], to[128], what[3000];
	size_t o = 0;

	what[0] = '\0';
	if (created)
		o = (size_t)snprintf(what, sizeof what, "; created");
	for (size_t i = 0, n = schema_attr_count(node); i < n && o < sizeof what; i++) {
		if (same(e->val[i], e->base[i]) || same(e->val[i], now[i]))
			continue;
		audit_value(&node->attrs[i], cli_attr_value(node, now, (int)i), from, sizeof from);
		audit_value(&node->attrs[i], cli_attr_value(node, e->val, (int)i), to, sizeof to);
		o += (size_t)snprintf(what + o, sizeof what - o, "; %s: %s -> %s",
				      node->attrs[i].name, from, to);
	}
	if (!what[0])
		return;
	entry_name(cli, e, name, sizeof name);
	cli_audit(cli, "commit", "%s: %s", name, what + 2);
}

static int write_entry(struct cli *cli, struct cli_entry *e)
{
	const struct schema_node *node = cli->node;
	size_t n = schema_attr_count(node);
	char **now = new_values(node);
	int64_t id = 0;
	int rc = -1;

	if (!now)
		return -1;
	int found = load_values(cli, cli->path, node, row(e), now, &id);
	if (found < 0 || check_conflict(cli, e, now, found == 1) != 0)
		goto out;
	/* Checked again here: another session may have started to use it. */
	bool renamed = e->stored && strcmp(e->stored, e->key) != 0;
	if (found == 1 && (!e->exists || renamed) && cli_check_unused(cli, cli->path, row(e)) != 0)
		goto out;
	if (!e->exists) {
		rc = found == 1 ? store_entry_delete(cli->st, id) : 0;
		if (found == 1 && rc == 0) {
			char name[400];
			entry_name(cli, &(struct cli_entry){.key = (char *)row(e)}, name,
				   sizeof name);
			cli_audit(cli, "commit", "%s: deleted", name);
		}
		goto out;
	}
	if (found == 1 && renamed) {
		int64_t other;
		int taken = store_entry_find(cli->st, cli->path, e->key, &other);
		if (taken == 1)
			cli_error(cli, "%s \"%.64s\" was created by another session meanwhile",
				  cli->path, e->key);
		if (taken != 0 || store_entry_rename(cli->st, id, e->key) != STORE_OK)
			goto out;
		char name[400];
		entry_name(cli, &(struct cli_entry){.key = (char *)row(e)}, name, sizeof name);
		cli_audit(cli, "commit", "%s: renamed to \"%.64s\"", name, e->key);
	}
	char why[200];
	if (node->verify && node->verify(cli, e->val, why, sizeof why)) {
		cli_error(cli, "%s \"%.64s\": %s", cli->path, e->key, why);
		goto out;
	}
	/* Only what this session changed is written: a value another session
	 * committed meanwhile to an attribute we did not touch stays. */
	bool changes = node->kind == SCHEMA_TABLE && found != 1;
	for (size_t i = 0; i < n && !changes; i++)
		changes = !same(e->val[i], e->base[i]);
	if (!changes) {
		rc = 0;
		goto out;
	}
	if (found != 1 && store_entry_create(cli->st, cli->path, e->key, &id) != STORE_OK)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!same(e->val[i], e->base[i]) && !same(e->val[i], now[i]))
			rc = store_value_set(cli->st, id, node->attrs[i].name, e->val[i]);
	if (rc == 0)
		audit_changes(cli, e, now, found != 1 && node->kind == SCHEMA_TABLE);
out:
	cli_free_values(node, now);
	return rc;
}

int cli_session_commit(struct cli *cli)
{
	bool began = false;
	int rc = 0;

	if (!cli->cand)
		return 0;
	/* The walker offers no command that changes what the profile may not
	 * change; this catches the rest (`edit` of a new entry by a reader). */
	enum schema_area area = schema_area_of(cli->path);
	if (!cli_perm_allows(cli, area, true) && cli_session_dirty(cli))
		return cli_perm_refuse(cli, area, true, "commit", true);
	if (!store_in_transaction(cli->st)) {
		if (store_begin(cli->st) != STORE_OK)
			goto store_error;
		began = true;
	}
	if (store_savepoint(cli->st) != STORE_OK)
		goto store_error;
	cli->committing = true;
	for (struct cli_entry *e = cli->cand; e && rc == 0; e = e->next)
		rc = write_entry(cli, e);
	char why[300];
	if (rc == 0 && cli->node->commit_check &&
	    cli->node->commit_check(cli, why, sizeof why) != NULL) {
		cli_error(cli, "%s", why);
		rc = -1;
	}
	cli->committing = false;
	if (rc != 0) {
		cli_audit_commit_done(cli, false);
		store_rollback_savepoint(cli->st);
		if (began)
			store_rollback(cli->st);
		if (cli->errlen == 0)
			goto store_error;
		return cli_fail(
			cli, 1, NULL, NULL,
			"nothing was saved; use 'abort' to drop these edits and edit again");
	}
	if (store_release(cli->st) != STORE_OK)
		goto store_error;
	/* A script groups its commits into one transaction that script.c
	 * closes; everyone else makes each commit durable here. */
	if (began && !cli->batch && store_commit(cli->st) != STORE_OK)
		goto store_error;
	cli_audit_commit_done(cli, true);
	cli_session_discard(cli);
	/* A change to admins or profiles may change this session's rights. */
	if (cli->admin.limited && area == SCHEMA_AREA_ADMIN) {
		char err[200];
		cli_perm_load(cli, cli->admin.name, err, sizeof err);
	}
	return 0;
store_error:
	cli->committing = false;
	cli_audit_commit_done(cli, false);
	if (began && store_in_transaction(cli->st) && !cli->batch)
		store_rollback(cli->st);
	return cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
}

int cli_session_flush(struct cli *cli)
{
	char msg[400];
	if (!store_in_transaction(cli->st) || store_commit(cli->st) == STORE_OK)
		return 0;
	snprintf(msg, sizeof msg,
		 "saving to the store failed: %s; the changes since the last "
		 "save are lost",
		 store_errmsg(cli->st));
	store_rollback(cli->st);
	return cli_fail(cli, -1, NULL, NULL, msg);
}
