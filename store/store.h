/* SPDX-License-Identifier: MIT */
/*
 * store.h - the SQLite config store.
 *
 * The database holds values only, never the schema: an entry is a
 * (path, key) pair -- path is the schema path words joined by spaces
 * ("system mail"), key is the table key or "" for a single object -- and a
 * value row is (entry, attribute name, text).  Only values that differ from
 * the schema default are stored.  The file is in WAL mode, records its
 * schema version in PRAGMA user_version and migrates forward explicitly.
 *
 * Errors are returned as STORE_E* with a message in store_errmsg(); nothing
 * here prints.
 */
#ifndef APPSH_STORE_STORE_H
#define APPSH_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum {
	STORE_OK = 0,
	STORE_ERR = -1,	  /* SQLite failed; see store_errmsg() */
	STORE_NEWER = -2, /* the file was written by a newer appsh */
};

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION 5

/* Opens or creates the database at path and migrates it. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
const char *store_errmsg(const struct store *st);
/* Records msg as the store's error (for failures of its callers' own, such
 * as memory); returns STORE_ERR. */
int store_error(struct store *st, const char *msg);

/*
 * A write transaction: BEGIN IMMEDIATE, so that the conflict check and the
 * writes that follow see one consistent state.  Waits for other writers
 * (busy timeout) instead of failing with "database is locked".
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
bool store_in_transaction(const struct store *st);

/* A nested unit inside the open transaction: one commit of a script that
 * groups its commits (rolled back alone when it fails). */
int store_savepoint(struct store *st);
int store_release(struct store *st);
void store_rollback_savepoint(struct store *st);

/* Finds an entry: 1 and *id when it exists, 0 when not, STORE_ERR. */
int store_entry_find(struct store *st, const char *path, const char *key, int64_t *id);
int store_entry_create(struct store *st, const char *path, const char *key, int64_t *id);
int store_entry_delete(struct store *st, int64_t id);
int store_entry_rename(struct store *st, int64_t id, const char *newkey);

/* Calls cb for each key of path in creation order; a non-zero return stops. */
typedef int (*store_key_cb)(void *arg, const char *key);
int store_entry_keys(struct store *st, const char *path, store_key_cb cb, void *arg);

/* Calls cb for each stored value of the entry. */
typedef int (*store_value_cb)(void *arg, const char *attr, const char *value);
int store_values(struct store *st, int64_t id, store_value_cb cb, void *arg);
/* Sets one value; value NULL removes it (back to the default). */
int store_value_set(struct store *st, int64_t id, const char *attr, const char *value);

/* How many entries of path have attr set to value (who uses a name). */
int store_value_count(struct store *st, const char *path, const char *attr, const char *value);

/* Deletes every entry and value (a scratch store: config_scratch_open). */
int store_clear(struct store *st);

/* Small facts about this installation ("serial", "created"). */
int store_meta_get(struct store *st, const char *name, char *buf, size_t len);
int store_meta_set(struct store *st, const char *name, const char *value);

#endif
