/* SPDX-License-Identifier: MIT */
/*
 * revision.h - the configuration's history, in the manner of FRR's
 * northbound transaction log: every commit, from any way in, records a
 * revision (who, when, from where, a comment, and what it changed, enough
 * to undo it).  From them the configuration as it was after any kept
 * revision can be rebuilt (a snapshot), compared and restored.
 *
 * Several commits that belong together (a revert, a restore) make one
 * revision in one SQLite transaction: config_group_begin/end.
 */
#ifndef APPSH_CONFIG_REVISION_H
#define APPSH_CONFIG_REVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* ---- grouping ------------------------------------------------------- */

/* Opens one SQLite transaction in which the following commits make one
 * revision of kind ("revert", "restore") with comment.  0, or -1. */
int config_group_begin(struct config *cfg, const char *kind, const char *comment,
		       struct config_error *err);
/* Records the revision and commits (ok), or undoes everything since
 * config_group_begin.  *rev (may be NULL) gets the revision's id, 0 when
 * nothing changed, -1 when something changed but create-revision is
 * disabled.  0, or -1 with err (then nothing was written). */
int config_group_end(struct config *cfg, bool ok, long long *rev, struct config_error *err);

/* ---- listing -------------------------------------------------------- */

struct config_revision {
	long long id, time;
	const char *admin, *source, *kind, *comment;
	const char *summary; /* what changed, in the areas the actor may read */
};

/* The newest revisions first, at most last (0: all), each with the part
 * of what it changed that the actor may read; a revision that changed
 * only what they may not read is left out.  0, or -1 (config_errmsg). */
int config_revision_list(struct config *cfg, int last,
			 int (*cb)(void *arg, const struct config_revision *r), void *arg);

/* ---- snapshots ------------------------------------------------------ */

struct config_snapshot;

/* The configuration as it was after revision id (0: before the first;
 * -1: now), rebuilt from the current one and the revisions since.  NULL
 * with err when id is not kept (or is in the future). */
struct config_snapshot *config_snapshot_at(struct config *cfg, long long id,
					   struct config_error *err);
void config_snapshot_free(struct config_snapshot *s);
/* Calls cb for each entry of the table or object at path, in table order,
 * with its stored values by attribute index (NULL: default). */
int config_snapshot_each(const struct config_snapshot *s, const char *path,
			 int (*cb)(void *arg, const char *key, char *const *vals), void *arg);

/*
 * Makes the configuration what target holds, as one new revision of kind
 * with comment (the changes go through transactions: conflicts, rules,
 * audit).  Refused (err, nothing written) when the actor lacks read-write
 * on an area it would change (-37), or when it would change what a live
 * session has in `config` (-23).  *rev gets the new revision (0 when
 * nothing had to change).
 */
int config_apply(struct config *cfg, const struct config_snapshot *target, const char *kind,
		 const char *comment, long long *rev, struct config_error *err);

/*
 * Makes the configuration what it was after revision id, as one new
 * revision of kind "revert".  Refused (err, nothing written) when id is
 * not kept, when the actor lacks read-write on an area it would change
 * (-37), or when it would change what a live session has in `config`.
 * *rev gets the new revision (0 when nothing had to change).
 */
int config_revision_revert(struct config *cfg, long long id, long long *rev,
			   struct config_error *err);

/* What this session has in `config` ("system mail", or "system mail" and
 * the entry key), for a revert by another session to respect; path NULL
 * when it leaves.  Only registered sessions say it. */
void config_editing(struct config *cfg, const char *path, const char *key);

#endif
