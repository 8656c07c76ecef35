/* SPDX-License-Identifier: MIT */
/*
 * config.h - the configuration layer: the one way to read or change the
 * configuration, for the shell, the diagnostics, the daemons and every
 * later front end.
 *
 * A struct config is an open store with its secret key and the identity
 * of who acts through it (an administrator and their profile's rights,
 * where they came from, their session).  Reading returns committed values.
 * Changing goes through a transaction (struct config_txn, config/txn.h):
 * edits of one object or table are staged, then committed in one SQLite
 * transaction that checks for conflicts with other writers, runs the
 * schema's checks, encrypts secrets and writes the audit trail.
 *
 * Errors are data: a struct config_error with the appliance's return code,
 * the offending token and the detail.  Nothing here prints.
 */
#ifndef APPSH_CONFIG_CONFIG_H
#define APPSH_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "schema/schema.h"

struct config;

/* What went wrong, for the front end to show in its own way. */
struct config_error {
	int code;	   /* FortiOS return code: -1, -3, -5, -23, -37, -651, 1 ... */
	const char *parse; /* "value" or "command" when a parse error names token */
	char token[128];
	char detail[1536]; /* one or more lines separated by '\n' */
};

/* Fills err (any field may be empty: parse NULL, fmt NULL).  Returns -1. */
int config_fail(struct config_error *err, int code, const char *parse, const char *token,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Opens <statedir>/config.db (creating and migrating it) and the secret
 * key.  0, or -1 with a message in err. */
int config_open(const char *statedir, struct config **out, char *err, size_t errlen);
void config_close(struct config *cfg);
/*
 * A scratch configuration: an empty store in memory, under the parent's
 * secret key, acting as the built-in admin.  For reading a configuration
 * text (a backup) with the real parser and rules before it replaces
 * anything.  Close it with config_close().  0, or -1 with err.
 */
int config_scratch_open(struct config *parent, struct config **out, char *err, size_t errlen);
const char *config_statedir(const struct config *cfg);
/* The store's last error message, for a failure reported as STORE_ERR. */
const char *config_errmsg(const struct config *cfg);

/* Small facts about this installation ("serial", "created"): 0, or -1. */
int config_meta(struct config *cfg, const char *name, char *buf, size_t len);

/* ---- who acts (config/who.c) --------------------------------------- */

enum { CONFIG_RIGHT_NONE = 0, CONFIG_RIGHT_READ = 1, CONFIG_RIGHT_WRITE = 2 };

struct config_who {
	char name[64];				/* the administrator */
	char profile[64];			/* their admin profile */
	char source[64];			/* the client's address, or "console" */
	char kind[16];				/* "ssh", "ssh-tty", "tty", "script", "api" */
	long long session;			/* admin_session id, 0 when not registered */
	bool limited;				/* a profile applies (else every right) */
	unsigned char right[SCHEMA_AREA_COUNT]; /* CONFIG_RIGHT_* per area */
};

const struct config_who *config_who(const struct config *cfg);
/* Where the actor comes from ("192.0.2.7", "ssh") and their session id. */
void config_set_origin(struct config *cfg, const char *source, const char *kind);
void config_set_session(struct config *cfg, long long session);
/* Acts as the built-in admin with every right (the default). */
void config_become_all(struct config *cfg);
/*
 * Acts as administrator name with the rights of their profile, read from
 * the committed store.  0, or -1 with a one-line reason in err (no such
 * admin, no profile, a profile that grants nothing); the rights are then
 * none at all.
 */
int config_become(struct config *cfg, const char *name, char *err, size_t errlen);
/* The profile and rights of the current admin again, from the store (a
 * changed or removed entry applies at once).  0, or -1 as config_become. */
int config_reload_who(struct config *cfg, char *err, size_t errlen);

/* Whether the actor may read (write=false) or change things in area;
 * SCHEMA_AREA_NONE is free for everyone. */
bool config_allows(const struct config *cfg, enum schema_area area, bool write);
/* Whether the config node may be read or changed (containers: any part). */
bool config_node_allows(const struct config *cfg, const struct schema_node *node,
			enum schema_area inherited, bool write);
/*
 * Records "permission denied" for what (the words refused) in err, with
 * the appliance's return code -37, and in the audit trail when audit is
 * set.  Returns -1.
 */
int config_refuse(struct config *cfg, enum schema_area area, bool write, const char *what,
		  bool audit, struct config_error *err);

/* ---- the audit trail (config/audit.c) ------------------------------ */

/* Adds a row as the current actor, and a syslog line (held back while a
 * commit is in progress and dropped when it fails). */
void config_audit(struct config *cfg, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- reading committed values (config/read.c) ---------------------- */

/* An array for the values of node's attributes (by index), all NULL. */
char **config_values_new(const struct schema_node *node);
void config_values_free(const struct schema_node *node, char **vals);
/* Loads the committed values of (path, key) -- key "" for an object --
 * into vals: 1 found, 0 not, <0 store error (config_errmsg). */
int config_read(struct config *cfg, const char *path, const struct schema_node *node,
		const char *key, char **vals);
/* The committed value of an object's attribute, or its default (malloc'd;
 * NULL when the store failed). */
char *config_read_attr(struct config *cfg, const char *path, const char *attr);
/* The committed hostname ("appsh" when unset). */
void config_hostname(struct config *cfg, char *buf, size_t len);
/* The IANA zone of `system global timezone` ("UTC" by default): the
 * appliance's local time, for log_clock_source (arg: a struct config). */
const char *config_clock_zone(void *cfg);
/* 1 when the entry exists, 0 when not, <0 store error. */
int config_exists(struct config *cfg, const char *path, const char *key);
/* Calls cb for each committed key of the table at path, in table order;
 * a non-zero return stops.  0, or <0 store error. */
int config_keys(struct config *cfg, const char *path, int (*cb)(void *arg, const char *key),
		void *arg);
/* Refuses (-1 with err) to remove or rename entry key of the table at
 * path while committed entries elsewhere name it (local-cert). */
int config_check_unused(struct config *cfg, const char *path, const char *key,
			struct config_error *err);

/* ---- grouped commits (scripts) -------------------------------------- */

/* While batching, commits are savepoints inside one SQLite transaction
 * that config_flush() makes durable: a bulk import costs one fsync. */
void config_batch(struct config *cfg, bool on);
/* Makes the grouped commits durable.  0, or -1 with err (the grouped
 * commits are lost and the message says so). */
int config_flush(struct config *cfg, struct config_error *err);
/* Whether grouped commits wait for config_flush(). */
bool config_pending(const struct config *cfg);

/* ---- secrets -------------------------------------------------------- */

/* The plaintext of a stored secret (free with config_secret_free), or NULL
 * with a message when it does not decrypt under this appliance's key. */
char *config_secret_decrypt(struct config *cfg, const char *stored, char *err, size_t errlen);
void config_secret_free(char *plain);

#endif
