/* SPDX-License-Identifier: MIT */
/* revision.c - the revision table and the session editing markers
 * (revision.h; tables made by migration 3 in store.c). */
#include "store/revision.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/priv.h"

static const char sql_add[] = "INSERT INTO revision(time, admin, source, kind, comment, changes)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

int store_revision_add(struct store *st, const struct store_revision *r, int64_t *id)
{
	sqlite3_stmt *s = db_stmt(store_db(st), sql_add);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, r->time);
	sqlite3_bind_text(s, 2, r->admin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->comment ? r->comment : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 6, r->changes, (int)r->len, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "recording the revision");
	*id = sqlite3_last_insert_rowid(store_sqlite(st));
	return STORE_OK;
}

int store_revision_each(struct store *st, int64_t from, int64_t to, int newest_first,
			int (*cb)(void *arg, const struct store_revision *r), void *arg)
{
	/* A private statement: the callback may read the store meanwhile. */
	const char *sql = newest_first
				  ? "SELECT id, time, admin, source, kind, comment, changes"
				    " FROM revision WHERE id > ?1 AND id <= ?2 ORDER BY id DESC"
				  : "SELECT id, time, admin, source, kind, comment, changes"
				    " FROM revision WHERE id > ?1 AND id <= ?2 ORDER BY id";
	sqlite3_stmt *s;
	int rc;
	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "listing revisions");
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to < 0 ? INT64_MAX : to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_revision r = {
			.id = sqlite3_column_int64(s, 0),
			.time = sqlite3_column_int64(s, 1),
			.admin = (const char *)sqlite3_column_text(s, 2),
			.source = (const char *)sqlite3_column_text(s, 3),
			.kind = (const char *)sqlite3_column_text(s, 4),
			.comment = (const char *)sqlite3_column_text(s, 5),
			.changes = sqlite3_column_blob(s, 6),
			.len = (size_t)sqlite3_column_bytes(s, 6),
		};
		if (cb(arg, &r))
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK
						     : store_fail(st, "listing revisions");
}

int store_revision_range(struct store *st, int64_t *oldest, int64_t *newest)
{
	static const char sql[] = "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM revision";
	sqlite3_stmt *s = db_stmt(store_db(st), sql);
	if (!s)
		return STORE_ERR;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*oldest = sqlite3_column_int64(s, 0);
		*newest = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : store_fail(st, "reading the revisions");
}

int store_revision_trim(struct store *st, int64_t keep, int64_t before)
{
	static const char by_count[] =
		"DELETE FROM revision WHERE id <= (SELECT max(id) FROM revision) - ?1";
	static const char by_age[] =
		"DELETE FROM revision WHERE time < ?1 AND id < (SELECT max(id) FROM revision)";
	int64_t k = keep, b = before;
	if (keep > 0 && db_run(store_db(st), by_count, &k, 1, NULL) != DB_OK)
		return store_fail(st, "trimming the revisions");
	if (before > 0 && db_run(store_db(st), by_age, &b, 1, NULL) != DB_OK)
		return store_fail(st, "trimming the revisions");
	return STORE_OK;
}

int store_session_editing(struct store *st, int64_t id, const char *what)
{
	static const char sql[] = "UPDATE admin_session SET editing = ?2 WHERE id = ?1";
	int64_t n = id;
	return db_run(store_db(st), sql, &n, 1, what) == DB_OK
		       ? STORE_OK
		       : store_fail(st, "marking what the session edits");
}

int store_dump(struct store *st,
	       int (*cb)(void *arg, long long row, const char *path, const char *key,
			 const char *const *attrs, const char *const *values, size_t n),
	       void *arg)
{
	static const char sql[] = "SELECT e.id, e.path, e.key, v.attr, v.value FROM entry e"
				  " LEFT JOIN value v ON v.entry = e.id ORDER BY e.id";
	sqlite3_stmt *s;
	const char *attrs[128], *values[128];
	char *path = NULL, *key = NULL;
	int64_t cur = -1;
	size_t n = 0;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st, "reading the configuration");
	/* Rows come grouped by entry; an entry is handed over when the next
	 * one starts.  The texts of one entry are copied: a step invalidates
	 * the previous row's. */
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id != cur) {
			if (cur >= 0)
				stop = cb(arg, cur, path, key, attrs, values, n);
			for (size_t i = 0; i < n; i++) {
				free((char *)attrs[i]);
				free((char *)values[i]);
			}
			free(path);
			free(key);
			n = 0;
			cur = id;
			path = strdup((const char *)sqlite3_column_text(s, 1));
			key = strdup((const char *)sqlite3_column_text(s, 2));
			if (!path || !key)
				break;
		}
		if (sqlite3_column_type(s, 3) != SQLITE_NULL && n < 128) {
			attrs[n] = strdup((const char *)sqlite3_column_text(s, 3));
			values[n] = strdup((const char *)sqlite3_column_text(s, 4));
			if (!attrs[n] || !values[n]) {
				free((char *)attrs[n]);
				free((char *)values[n]);
				break;
			}
			n++;
		}
	}
	if (!stop && cur >= 0 && rc == SQLITE_DONE)
		cb(arg, cur, path, key, attrs, values, n);
	for (size_t i = 0; i < n; i++) {
		free((char *)attrs[i]);
		free((char *)values[i]);
	}
	free(path);
	free(key);
	sqlite3_finalize(s);
	return stop || rc == SQLITE_DONE ? STORE_OK : store_fail(st, "reading the configuration");
}
