/* SPDX-License-Identifier: MIT */
/* priv.h - what the files of config/ share; nothing outside config/ includes it. */
#ifndef APPSH_CONFIG_PRIV_H
#define APPSH_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/changes.h"
#include "config/config.h"

struct store;
struct secret_key;

struct config {
	struct store *st;
	struct secret_key *key;
	bool key_borrowed; /* a scratch configuration uses its parent's key */
	char statedir[4096];
	struct config_who who;
	bool batch;	    /* commits are savepoints until config_flush() */
	bool committing;    /* inside a commit: syslog lines wait for its outcome */
	char **syslog_held; /* the audit's syslog lines of the commit in progress */
	size_t nsyslog_held;
	/* What the commits of the revision being made changed; while a group
	 * is open (config_group_begin) its commits make one revision. */
	struct config_changes changes;
	int record; /* create-revision as read when this transaction began: 1, 0, -1 unknown */
	bool grouped;
	char group_kind[16];
	char group_comment[256];
	/* The paths a group's commits wrote: their rules run once, on the
	 * group's final state (an entry may name one made later in it). */
	char **group_paths;
	size_t ngroup_paths;
};

/* config_read, also giving the entry's row id when it exists. */
int config_read_id(struct config *cfg, const char *path, const struct schema_node *node,
		   const char *key, char **vals, int64_t *idp);

/* Notes that the open group wrote path (its rules run at the group's
 * end).  0, or -1 when out of memory (the store error says so). */
int config_group_touch(struct config *cfg, const char *path);

/* Records what the commits since the last revision changed as a new
 * revision (inside the open SQLite transaction): kind NULL takes the
 * actor's way in.  Nothing when nothing changed.  STORE_OK or STORE_ERR. */
int config_revision_record(struct config *cfg, const char *kind, const char *comment);

/* The values of (path, key) in a snapshot (config/snapshot.c), or NULL. */
struct config_snapshot;
char *const *config_snapshot_find(const struct config_snapshot *s, const char *path,
				  const char *key);

/* The audit's syslog lines of a commit: sent (committed) or dropped. */
void config_audit_done(struct config *cfg, bool committed);

/*
 * The rules a commit runs for the node at path (config/rules.c): verify
 * checks one entry's values, commit_check the whole committed state
 * inside the commit.  Both return NULL when fine, else msg.
 */
const char *config_rule_verify(struct config *cfg, const char *path, char *const *vals, char *msg,
			       size_t len);
const char *config_rule_commit(struct config *cfg, const char *path, char *msg, size_t len);

#endif
