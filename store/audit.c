/* SPDX-License-Identifier: MIT */
/* audit.c - the admin session registry and the audit trail (SQLite tables
 * made by migration 2 in store.c). */
#include "store/audit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/priv.h"

static sqlite3_stmt *prepare(struct store *st, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, what);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, what);
}

int store_session_add(struct store *st, const struct store_session *x, int64_t *id)
{
	sqlite3_stmt *s =
		prepare(st,
			"INSERT INTO admin_session(pid, pstart, admin, source, kind, since)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			"registering the session");
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, x->pid);
	sqlite3_bind_text(s, 2, x->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->admin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, x->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, x->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, x->since);
	if (done(st, s, "registering the session") != STORE_OK)
		return STORE_ERR;
	*id = sqlite3_last_insert_rowid(store_sqlite(st));
	return STORE_OK;
}

int store_session_remove(struct store *st, int64_t id)
{
	sqlite3_stmt *s =
		prepare(st, "DELETE FROM admin_session WHERE id = ?1", "removing a session");
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	return done(st, s, "removing a session");
}

static void row(sqlite3_stmt *s, struct store_session *x)
{
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(s, 0);
	x->pid = (long)sqlite3_column_int64(s, 1);
	snprintf(x->pstart, sizeof x->pstart, "%s", (const char *)sqlite3_column_text(s, 2));
	snprintf(x->admin, sizeof x->admin, "%s", (const char *)sqlite3_column_text(s, 3));
	snprintf(x->source, sizeof x->source, "%s", (const char *)sqlite3_column_text(s, 4));
	snprintf(x->kind, sizeof x->kind, "%s", (const char *)sqlite3_column_text(s, 5));
	x->since = sqlite3_column_int64(s, 6);
	snprintf(x->editing, sizeof x->editing, "%s", (const char *)sqlite3_column_text(s, 7));
}

#define SESSION_COLS                                                                               \
	"SELECT id, pid, pstart, admin, source, kind, since, editing FROM admin_session"

int store_session_get(struct store *st, int64_t id, struct store_session *out)
{
	sqlite3_stmt *s = prepare(st, SESSION_COLS " WHERE id = ?1", "reading a session");
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading a session");
}

int store_session_each(struct store *st, int (*cb)(void *arg, const struct store_session *s),
		       void *arg)
{
	sqlite3_stmt *s = prepare(st, SESSION_COLS " ORDER BY id", "listing sessions");
	struct store_session x;
	int rc;
	if (!s)
		return STORE_ERR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row(s, &x);
		if (cb(arg, &x))
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK
						     : store_fail(st, "listing sessions");
}

int store_audit_add(struct store *st, const struct store_audit *a)
{
	sqlite3_stmt *s = store_audit_insert(st);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, a->time);
	sqlite3_bind_text(s, 2, a->admin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, a->session);
	sqlite3_bind_text(s, 5, a->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->detail, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s); /* kept for the next row */
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, "writing the audit trail");
}

int store_audit_each(struct store *st, const char *admin, int64_t since, int last,
		     int (*cb)(void *arg, const struct store_audit *a), void *arg)
{
	/* The last N rows that pass the filters, printed oldest first. */
	sqlite3_stmt *s =
		prepare(st,
			"SELECT id, time, admin, source, session, event, detail FROM ("
			" SELECT * FROM audit WHERE (?1 IS NULL OR admin = ?1) AND time >= ?2"
			" ORDER BY id DESC LIMIT ?3) ORDER BY id",
			"reading the audit trail");
	int rc;
	if (!s)
		return STORE_ERR;
	if (admin)
		sqlite3_bind_text(s, 1, admin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int(s, 3, last > 0 ? last : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_audit a = {
			.id = sqlite3_column_int64(s, 0),
			.time = sqlite3_column_int64(s, 1),
			.admin = (const char *)sqlite3_column_text(s, 2),
			.source = (const char *)sqlite3_column_text(s, 3),
			.session = sqlite3_column_int64(s, 4),
			.event = (const char *)sqlite3_column_text(s, 5),
			.detail = (const char *)sqlite3_column_text(s, 6),
		};
		if (cb(arg, &a))
			break;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK
						     : store_fail(st, "reading the audit trail");
}
