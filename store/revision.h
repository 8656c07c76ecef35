/* SPDX-License-Identifier: MIT */
/*
 * revision.h - the revision table: one row per configuration commit, with
 * what it changed as an opaque record written and read by config/ (the
 * store only keeps it), and the marker of what each live session edits.
 */
#ifndef APPSH_STORE_REVISION_H
#define APPSH_STORE_REVISION_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_revision {
	int64_t id, time;
	const char *admin, *source, *kind, *comment;
	const void *changes; /* config/changes.c's encoding */
	size_t len;
};

/* Adds a revision (inside the commit's transaction); *id gets its number,
 * never reused. */
int store_revision_add(struct store *st, const struct store_revision *r, int64_t *id);
/* The revisions with from < id <= to (to < 0: no bound), newest first when
 * newest_first, else oldest first; a non-zero return from cb stops. */
int store_revision_each(struct store *st, int64_t from, int64_t to, int newest_first,
			int (*cb)(void *arg, const struct store_revision *r), void *arg);
/* The newest revision's id (0 when there is none), the oldest kept (0
 * when none). */
int store_revision_range(struct store *st, int64_t *oldest, int64_t *newest);
/* Deletes revisions beyond the newest keep (keep > 0) and older than
 * before (Unix time; 0: no age limit), always keeping the newest. */
int store_revision_trim(struct store *st, int64_t keep, int64_t before);

/* What the session id is editing ("system mail", "system mail\x1f1"; ""
 * when nothing): set by registered shells, read by a revert. */
int store_session_editing(struct store *st, int64_t id, const char *what);

/* Every entry of every table and object with its stored values, in entry
 * order: cb gets each (path, key) once with its row id and n values. */
int store_dump(struct store *st,
	       int (*cb)(void *arg, long long row, const char *path, const char *key,
			 const char *const *attrs, const char *const *values, size_t n),
	       void *arg);

#endif
