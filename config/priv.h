/* SPDX-License-Identifier: MIT */
/* priv.h - what the files of config/ share; nothing outside config/ includes it. */
#ifndef APPSH_CONFIG_PRIV_H
#define APPSH_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct store;
struct secret_key;

struct config {
	struct store *st;
	struct secret_key *key;
	char statedir[4096];
	struct config_who who;
	bool batch;	    /* commits are savepoints until config_flush() */
	bool committing;    /* inside a commit: syslog lines wait for its outcome */
	char **syslog_held; /* the audit's syslog lines of the commit in progress */
	size_t nsyslog_held;
};

/* config_read, also giving the entry's row id when it exists. */
int config_read_id(struct config *cfg, const char *path, const struct schema_node *node,
		   const char *key, char **vals, int64_t *idp);

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
