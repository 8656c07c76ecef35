/* SPDX-License-Identifier: MIT */
/*
 * txn.h - changing the configuration: staged edits of one object or
 * table, committed whole or not at all.
 *
 * FortiOS semantics: `config` opens a transaction on an object or table,
 * `edit` stages an entry; set/unset/delete/rename/clone/purge change the
 * staged entries; `next` and `end` commit, `abort` discards.  Each staged
 * entry remembers the values it had when the transaction first touched
 * it, so a commit can tell whether another writer changed the same value
 * meanwhile and refuse instead of overwriting it.
 *
 * A commit, in one SQLite transaction: the permission backstop, per entry
 * the conflict check, the reference check, the schema's verify rule and
 * the writes with their audit rows, then the node's commit rule over the
 * whole result (config/rules.c).  Any failure rolls everything back.
 */
#ifndef APPSH_CONFIG_TXN_H
#define APPSH_CONFIG_TXN_H

#include <stdbool.h>

#include "config/config.h"

struct config_txn;
struct config_entry;

/* A transaction on the object or table node at path ("system mail").
 * NULL when out of memory. */
struct config_txn *config_txn_new(struct config *cfg, const struct schema_node *node,
				  const char *path);
/* Discards what is staged and frees t. */
void config_txn_free(struct config_txn *t);

const struct schema_node *config_txn_node(const struct config_txn *t);
const char *config_txn_path(const struct config_txn *t);

/*
 * The entry key ("" for an object) as this transaction sees it, loading
 * it from the store when untouched; create=true makes a missing entry
 * exist.  NULL when the store failed (config_errmsg) or out of memory.
 */
struct config_entry *config_txn_entry(struct config_txn *t, const char *key, bool create);
/* The staged entry called key, or NULL (nothing is loaded). */
struct config_entry *config_txn_find(struct config_txn *t, const char *key);
const char *config_entry_key(const struct config_entry *e);
/* The entry's staged values by attribute index (NULL = default); secrets
 * hold their ciphertext. */
char *const *config_entry_values(const struct config_entry *e);

/*
 * Stages attribute i of e.  value NULL (or the default) unsets it.  A
 * secret is encrypted here; with encrypted=true the value is already a
 * ciphertext (`set passwd ENC ...`, as `show` prints it) and must decrypt
 * under this appliance's key.  0, or -1 with err; -2 (err set) when the
 * ciphertext does not decrypt under this appliance's key.
 */
int config_entry_set(struct config_txn *t, struct config_entry *e, int i, const char *value,
		     bool encrypted, struct config_error *err);

/* Stages the stored form of attribute i as it is (a secret's ciphertext
 * included), unchecked: for values that come from the store itself (a
 * revert).  stored NULL unsets it.  0, or -1 with err. */
int config_entry_stored(struct config_txn *t, struct config_entry *e, int i, const char *stored,
			struct config_error *err);

/* 1 when key exists in this transaction's view of the table, 0 when not,
 * <0 store error. */
int config_txn_exists(struct config_txn *t, const char *key);
/* Calls cb for each key in this transaction's view, in table order. */
int config_txn_keys(struct config_txn *t, int (*cb)(void *arg, const char *key), void *arg);

/* Table operations, each refused with err when it cannot apply (no such
 * entry, the new name exists, the entry is still named elsewhere). */
int config_txn_delete(struct config_txn *t, const char *key, struct config_error *err);
int config_txn_rename(struct config_txn *t, const char *key, const char *to,
		      struct config_error *err);
int config_txn_clone(struct config_txn *t, const char *key, const char *to,
		     struct config_error *err);
int config_txn_purge(struct config_txn *t, struct config_error *err);

/* Whether committing would change anything. */
bool config_txn_dirty(const struct config_txn *t);

/*
 * Commits what is staged (see above); comment goes with the revision.  On
 * success the transaction is empty again and stays open on its node.
 * 0, or -1 with err, nothing written.
 */
int config_txn_commit(struct config_txn *t, const char *comment, struct config_error *err);
/* Drops what is staged; the transaction stays open on its node. */
void config_txn_discard(struct config_txn *t);

#endif
