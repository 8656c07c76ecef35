/* SPDX-License-Identifier: MIT */
/*
 * session.h - one operator's shell session: where they are in the config
 * tree, the transaction holding what they staged, and the error lines of
 * the command that runs.
 *
 * FortiOS semantics: `config` enters an object or table and opens a
 * transaction on it (config/txn.h), `edit` an entry; `next` and `end`
 * commit, `abort` drops.  Reading, changing and permissions are the
 * configuration layer's (config/); this is the shell's view of them.
 */
#ifndef APPSH_CLI_SESSION_H
#define APPSH_CLI_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/output.h"
#include "config/config.h"
#include "config/txn.h"
#include "schema/schema.h"

enum cli_mode {
	CLI_MODE_TOP = 1,
	CLI_MODE_OBJECT = 2, /* in `config` of a single object */
	CLI_MODE_TABLE = 4,  /* in `config` of a table */
	CLI_MODE_ENTRY = 8,  /* in `edit <key>` of a table */
};
#define CLI_MODE_SHELL (CLI_MODE_OBJECT | CLI_MODE_TABLE | CLI_MODE_ENTRY)

struct cli_node;

/* What the commands (cmds/) give the shell: the grammar, and what else a
 * shell waiting for input watches (the mail daemon's debug lines). */
struct cli_hooks {
	const struct cli_node *grammar;
	/* A descriptor to poll beside the input, or -1 with *retry_ms the
	 * time to ask again (-1: never); NULL when there is nothing. */
	int (*watch_fd)(int *retry_ms);
	void (*watch_read)(void);	 /* the descriptor is readable */
	void (*state_free)(void *state); /* frees cli->cmds_state */
};

struct cli {
	struct config *cfg;
	const struct cli_hooks *hooks;
	struct cli_out *out;
	char *err;     /* error lines of the current command */
	size_t errlen; /* bytes in err */
	int last_code; /* FortiOS return code of the last failure */

	enum cli_mode mode;
	struct config_txn *txn;		/* the object or table in `config`, else NULL */
	const struct schema_node *node; /* its node */
	char path[256];			/* its store path, "system mail" */
	struct config_entry *cur;	/* the entry being edited (ENTRY, OBJECT) */

	bool interactive; /* a person at a terminal: confirmations, pager */
	bool batch;	  /* script mode: commits are grouped (see script.c) */
	bool done;	  /* `exit` was given */
	int tty_fd;	  /* the terminal for --More-- and (y/n), or -1 */
	bool login;	  /* started as a login shell (cli/login.c) */
	bool killed;	  /* the session was killed by another admin */
	bool attached;	  /* cfg and out belong to the caller (cli_session_attach) */
	void *cmds_state; /* the commands' own (cmds/state.h), made at first use */
	/* Set by Ctrl-C (cli/editline.c) or a kill: long commands stop. */
	volatile sig_atomic_t cancel;
	/* A restore (cmds/backup.c) reads a backup made on another appliance:
	 * `set <secret> ENC ...` made under its key is reported here and
	 * skipped, instead of failing the line. */
	void (*foreign_secret)(void *arg, const char *path, const char *key, const char *attr);
	void *foreign_arg;
};

/* Opens the state directory's configuration; fills cli.  0, or -1 with a
 * message in err. */
int cli_session_open(struct cli *cli, const struct cli_hooks *hooks, const char *statedir,
		     char *err, size_t errlen);
/* A session over a configuration that is already open (a scratch one),
 * printing to out; cli_session_close() leaves cfg open. */
void cli_session_attach(struct cli *cli, const struct cli_hooks *hooks, struct config *cfg,
			struct cli_out *out);
/* Waits until fd has input (or cancel is set), meanwhile serving what the
 * hooks watch. */
void cli_wait_input(struct cli *cli, int fd);
void cli_session_close(struct cli *cli);

/* Adds an error line for the current command (printed by the caller). */
void cli_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The FortiOS triple: detail, "<kind> parse error before '<tok>'", return code. */
int cli_fail(struct cli *cli, int code, const char *parse, const char *tok, const char *detail);
/* The same from the configuration layer's error. */
int cli_fail_config(struct cli *cli, const struct config_error *err);
/* A store failure: its message and return code -1. */
int cli_fail_store(struct cli *cli);

/* Enter/leave the config shell for node at path (leaving drops what is
 * staged).  0, or -1 with the error recorded. */
int cli_session_enter(struct cli *cli, const struct schema_node *node, const char *path);
void cli_session_leave(struct cli *cli);
bool cli_session_dirty(const struct cli *cli);
/* Commits what is staged.  0, or -1 with the error recorded. */
int cli_session_commit(struct cli *cli);
/* Script mode: makes the commits grouped so far durable.  0, or -1. */
int cli_session_flush(struct cli *cli);

/* Whether the session edits the table or object at path. */
bool cli_editing(const struct cli *cli, const struct schema_node *node, const char *path);
/* Calls cb for each key of the table at path in table order: this
 * session's view when it is editing that table, else the committed keys. */
int cli_keys(struct cli *cli, const struct schema_node *node, const char *path,
	     int (*cb)(void *arg, const char *key), void *arg);

/* A signal handler (SIGINT, SIGTERM) that sets cancel on the session
 * opened last: async-signal-safe, for the terminal and long commands. */
void cli_cancel_handler(int sig);

/* Records "permission denied" (-37) for what, audited when audit is set. */
int cli_refuse(struct cli *cli, enum schema_area area, bool write, const char *what, bool audit);

#endif
