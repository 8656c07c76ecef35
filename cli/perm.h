/* SPDX-License-Identifier: MIT */
/*
 * perm.h - admin profiles and the audit trail (docs/admin.md).
 *
 * The walker (cli/walk.c) is the one place that decides what a session may
 * run: it asks cli_perm_allows() for the area a command is tagged with.
 * Handlers never check rights.  The commit re-checks the area of what it
 * writes, as a backstop.
 */
#ifndef APPSH_CLI_PERM_H
#define APPSH_CLI_PERM_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/session.h"

enum { CLI_RIGHT_NONE = 0, CLI_RIGHT_READ = 1, CLI_RIGHT_WRITE = 2 };

/* Whether this session may read (write=false) or change things in area.
 * SCHEMA_AREA_NONE is free for everyone. */
bool cli_perm_allows(const struct cli *cli, enum schema_area area, bool write);

/* Whether the config node at path may be read or changed (containers: any
 * part of it). */
bool cli_perm_path_allows(const struct cli *cli, const struct schema_node *node,
			  enum schema_area inherited, bool write);

/* Sets the session's admin to name with the rights of their profile, read
 * from the committed store.  0, or -1 with a one-line reason in err (no
 * such admin, no profile, a profile without any right). */
int cli_perm_load(struct cli *cli, const char *name, char *err, size_t errlen);

/* Gives the session every right as the built-in admin (not a login). */
void cli_perm_all(struct cli *cli);

/* Records "permission denied" for area/write as the command's error
 * (return code -37), and in the audit trail when audit is set (a command,
 * not `?` or TAB); what = the words refused.
 * Returns -1. */
int cli_perm_refuse(struct cli *cli, enum schema_area area, bool write, const char *what,
		    bool audit);

/* Adds a row to the audit trail as this session and sends it to syslog
 * (deferred while a commit is in progress: see cli_audit_commit_done). */
void cli_audit(struct cli *cli, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The commit that logged rows went through (send them) or not (drop them). */
void cli_audit_commit_done(struct cli *cli, bool committed);

#endif
