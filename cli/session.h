/* SPDX-License-Identifier: MIT */
/*
 * session.h - one operator's session: where they are in the config tree and
 * the edits they have staged but not committed.
 *
 * FortiOS semantics: `config` enters an object or table, `edit` an entry;
 * set/unset/delete/rename/clone/purge are staged in the session's
 * candidate; `next` and `end` commit the candidate in one SQLite
 * transaction, `abort` drops it.  Each staged entry remembers the values it
 * had when this session first touched it, so a commit can tell whether
 * another session changed the same value meanwhile and refuse instead of
 * overwriting it.
 */
#ifndef APPSH_CLI_SESSION_H
#define APPSH_CLI_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/output.h"
#include "schema/schema.h"

struct store;
struct secret_key;

enum cli_mode {
	CLI_MODE_TOP = 1,
	CLI_MODE_OBJECT = 2, /* in `config` of a single object */
	CLI_MODE_TABLE = 4,  /* in `config` of a table */
	CLI_MODE_ENTRY = 8,  /* in `edit <key>` of a table */
};
#define CLI_MODE_SHELL (CLI_MODE_OBJECT | CLI_MODE_TABLE | CLI_MODE_ENTRY)

/* One table entry (or the single object, key "") as this session sees it. */
struct cli_entry {
	char *key;	  /* the name in the candidate */
	char *stored;	  /* after `rename`: the name of its row in the store */
	bool base_exists; /* in the store when this session first touched it */
	bool exists;	  /* in the candidate */
	char **base;	  /* committed values then, by attribute index; NULL = default */
	char **val;	  /* candidate values; secrets hold their ciphertext */
	struct cli_entry *next;
};

/* Who runs this session and what their profile grants (cli/perm.c).  A
 * shell that is not a login is the built-in admin with every right. */
struct cli_admin {
	char name[64];
	char profile[64];
	unsigned char right[SCHEMA_AREA_COUNT]; /* CLI_RIGHT_* per area */
	bool limited;				/* a profile applies (else every right) */
	bool login;				/* started as a login shell (cli/login.c) */
	char source[64];			/* the client's address, or "console" */
	char kind[16];				/* "ssh", "ssh-tty", "tty", "script" */
	long long session;			/* admin_session id, 0 when not registered */
	bool killed;				/* the session was killed by another admin */
};

struct cli {
	struct store *st;
	struct secret_key *key;
	char statedir[4096];
	struct cli_out *out;
	char *err;     /* error lines of the current command */
	size_t errlen; /* bytes in err */
	int last_code; /* FortiOS return code of the last failure */

	enum cli_mode mode;
	const struct schema_node *node; /* the object or table in `config` */
	char path[256];			/* its store path, "system mail" */
	struct cli_entry *cand;		/* staged entries, in the order touched */
	struct cli_entry *cur;		/* the entry being edited (ENTRY, OBJECT) */

	bool interactive; /* a person at a terminal: confirmations, pager */
	bool batch;	  /* script mode: commits are grouped (see script.c) */
	bool done;	  /* `exit` was given */
	int tty_fd;	  /* the terminal for --More-- and (y/n), or -1 */

	struct cli_admin admin;
	char **syslog_pending; /* audit lines of the commit in progress (cli/perm.c) */
	size_t nsyslog_pending;
	bool committing; /* inside cli_session_commit: audit lines wait */
};

/* Opens the state directory's store and key; fills cli. */
int cli_session_open(struct cli *cli, const char *statedir, char *err, size_t errlen);
void cli_session_close(struct cli *cli);

/* Adds an error line for the current command (printed by the caller). */
void cli_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The FortiOS triple: detail, "<kind> parse error before '<tok>'", return code. */
int cli_fail(struct cli *cli, int code, const char *parse, const char *tok, const char *detail);

/* The committed hostname, for the prompt. */
void cli_hostname(struct cli *cli, char *buf, size_t len);
/* The IANA zone of `system global timezone` (arg: the struct cli). */
const char *cli_clock_zone(void *arg);
/* The committed value of a single object's attribute (default if unset). */
char *cli_object_value(struct cli *cli, const char *path, const struct schema_node *node,
		       const char *attr);

/* Enter/leave the config shell for node at path. */
void cli_session_enter(struct cli *cli, const struct schema_node *node, const char *path);
void cli_session_leave(struct cli *cli);
bool cli_session_dirty(const struct cli *cli);

/* The entry for key as this session sees it, loading it when untouched;
 * create=true makes a missing entry exist in the candidate.  NULL: error. */
struct cli_entry *cli_entry_get(struct cli *cli, const char *key, bool create);
/* The staged entry named key, or NULL (nothing is loaded). */
struct cli_entry *cli_entry_find(struct cli *cli, const char *key);
/* Renames a staged entry in place, keeping its position in the table. */
int cli_entry_rename(struct cli_entry *e, const char *to);
/* Whether key exists in this session's view of the current table. */
int cli_entry_exists(struct cli *cli, const char *key);
/* Calls cb for each key of the table at path in table order: this
 * session's view when it is editing that table, else the committed keys. */
int cli_entry_keys(struct cli *cli, const struct schema_node *node, const char *path,
		   int (*cb)(void *arg, const char *key), void *arg);

/* Whether attribute i of node is visible given the values vals. */
bool cli_attr_visible(const struct schema_node *node, char *const *vals, int i);
/* The value of attribute i: the set value or the default. */
const char *cli_attr_value(const struct schema_node *node, char *const *vals, int i);

/* Loads committed values of (path, key) into vals (size: attr count). 1 found, 0 not, <0 err. */
int cli_load_values(struct cli *cli, const char *path, const struct schema_node *node,
		    const char *key, char **vals);
void cli_free_values(const struct schema_node *node, char **vals);

/* Refuses (-1, error recorded) to remove or rename the entry key of the
 * table at path while committed entries elsewhere name it (local-cert). */
int cli_check_unused(struct cli *cli, const char *path, const char *key);

/* Commits the candidate; on conflict or error nothing is written. 0 or -1. */
int cli_session_commit(struct cli *cli);
/* Script mode: makes the commits grouped so far durable.  0 or -1 (error
 * recorded; the grouped commits are lost and the message says so). */
int cli_session_flush(struct cli *cli);
/* Drops the candidate. */
void cli_session_discard(struct cli *cli);

#endif
