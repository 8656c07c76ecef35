/* SPDX-License-Identifier: MIT */
/* queue.c - the mail queue in SQLite (see queue.h). */
#include "maild/queue.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

/* How long a writer waits for another (sendmail vs the daemon) before the
 * submission fails with a temporary error. */
#define BUSY_MS 5000

/* The queue's schema, version 1.  AUTOINCREMENT: a message's number is
 * never reused, so logs and duplicates can be told apart. */
static const char schema_v1[] =
	"CREATE TABLE msg(id INTEGER PRIMARY KEY AUTOINCREMENT, server TEXT NOT NULL,"
	"                 sender TEXT NOT NULL, rcpts TEXT NOT NULL, body BLOB NOT NULL,"
	"                 created INTEGER NOT NULL, next_try INTEGER NOT NULL,"
	"                 attempts INTEGER NOT NULL DEFAULT 0,"
	"                 last_error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX msg_due ON msg(next_try, id);"
	"CREATE TABLE stat(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO stat VALUES ('sent', 0), ('failed', 0), ('discarded', 0),"
	"                        ('last_sendmail', 0), ('last_request', 0);";

static const char *const migrations[] = {schema_v1};

struct mq {
	struct db *d;
	sqlite3 *db; /* d's connection, for the statements run once */
	char err[256];
};

static int fail(struct mq *q, const char *what)
{
	int rc = db_fail(q->d, what);
	snprintf(q->err, sizeof q->err, "%s", db_errmsg(q->d));
	return rc == DB_BUSY ? MQ_BUSY : MQ_ERR;
}

const char *mq_errmsg(const struct mq *q)
{
	return q->err;
}

/*
 * The prepared statement for sql, reset and ready: the daemon runs the same
 * few statements for every message, and parsing them each time was a third
 * of its CPU.  Callers reset it when done (a SELECT left open would hold a
 * read transaction).
 */
static sqlite3_stmt *stmt(struct mq *q, const char *sql)
{
	sqlite3_stmt *st = db_stmt(q->d, sql);
	if (!st)
		snprintf(q->err, sizeof q->err, "%s", db_errmsg(q->d));
	return st;
}

/* Runs sql with the bound int64s (and text after them). */
static int run(struct mq *q, const char *sql, const int64_t *nums, int nnum, const char *text)
{
	sqlite3_stmt *st = stmt(q, sql);
	if (!st)
		return MQ_ERR;
	for (int i = 0; i < nnum; i++)
		sqlite3_bind_int64(st, i + 1, nums[i]);
	if (text)
		sqlite3_bind_text(st, nnum + 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? MQ_OK : fail(q, sql);
	sqlite3_reset(st);
	return rc;
}

static int exec(struct mq *q, const char *sql)
{
	return run(q, sql, NULL, 0, NULL);
}

int mq_open(const char *statedir, struct mq **out, char *err, size_t errlen)
{
	static const struct db_schema schema = {"the mail queue", migrations, 1, NULL, NULL};
	char path[4200];
	struct mq *q = calloc(1, sizeof *q);

	*out = NULL;
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return MQ_ERR;
	}
	snprintf(path, sizeof path, "%s/mailq.db", statedir);
	int rc = db_open(path, &schema, BUSY_MS, &q->d, err, errlen);
	if (rc != DB_OK) {
		free(q);
		return rc == DB_BUSY ? MQ_BUSY : MQ_ERR;
	}
	q->db = db_sqlite(q->d);
	*out = q;
	return MQ_OK;
}

void mq_close(struct mq *q)
{
	if (!q)
		return;
	db_close(q->d);
	free(q);
}

void mq_msg_free(struct mq_msg *m)
{
	free(m->server);
	free(m->sender);
	free(m->rcpts);
	free(m->body);
	free(m->last_error);
	memset(m, 0, sizeof *m);
}

int mq_submit(struct mq *q, const char *server, const char *sender, const char *rcpts,
	      const char *body, size_t len, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc = exec(q, "BEGIN IMMEDIATE");
	if (rc != MQ_OK)
		return rc;
	/* The count and the insert in one transaction: two submitters cannot
	 * both take the last place. */
	if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM msg", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(q, "count");
		goto out;
	}
	if (sqlite3_column_int(st, 0) >= MQ_MAX) {
		snprintf(q->err, sizeof q->err, "the mail queue is full (%d messages)", MQ_MAX);
		rc = MQ_FULL;
		goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(q->db,
			       "INSERT INTO msg(server, sender, rcpts, body, created, next_try) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = fail(q, "prepare");
		goto out;
	}
	sqlite3_bind_text(st, 1, server, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rcpts, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 4, body, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = fail(q, "insert");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(q->db);
	rc = run(q, "UPDATE stat SET value = ?1 WHERE name = 'last_request'", &now, 1, NULL);
out:
	sqlite3_finalize(st);
	if (rc == MQ_OK && (rc = exec(q, "COMMIT")) == MQ_OK)
		return MQ_OK;
	char keep[sizeof q->err];
	memcpy(keep, q->err, sizeof keep); /* ROLLBACK must not hide why */
	exec(q, "ROLLBACK");
	memcpy(q->err, keep, sizeof keep);
	return rc;
}

static char *text_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return strdup(t ? (const char *)t : "");
}

/* Fills m from a row of (id, server, sender, rcpts, created, next_try,
 * attempts, last_error[, body]). */
static int read_row(sqlite3_stmt *st, struct mq_msg *m, int with_body)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(st, 0);
	m->server = text_col(st, 1);
	m->sender = text_col(st, 2);
	m->rcpts = text_col(st, 3);
	m->created = sqlite3_column_int64(st, 4);
	m->next_try = sqlite3_column_int64(st, 5);
	m->attempts = sqlite3_column_int(st, 6);
	m->last_error = text_col(st, 7);
	if (with_body) {
		const void *b = sqlite3_column_blob(st, 8);
		m->len = (size_t)sqlite3_column_bytes(st, 8);
		if ((m->body = malloc(m->len + 1))) {
			if (m->len)
				memcpy(m->body, b, m->len);
			m->body[m->len] = '\0';
		}
	}
	if (!m->server || !m->sender || !m->rcpts || !m->last_error || (with_body && !m->body)) {
		mq_msg_free(m);
		return -1;
	}
	return 0;
}

#define COLUMNS "id, server, sender, rcpts, created, next_try, attempts, last_error"

int mq_next_due(struct mq *q, int64_t now, struct mq_msg *m)
{
	sqlite3_stmt *st = stmt(q, "SELECT " COLUMNS ", body FROM msg WHERE next_try <= ?1 "
				   "ORDER BY next_try, id LIMIT 1");
	if (!st)
		return MQ_ERR;
	sqlite3_bind_int64(st, 1, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_row(st, m, 1) == 0
			     ? 1
			     : (snprintf(q->err, sizeof q->err, "out of memory"), MQ_ERR);
	else
		rc = rc == SQLITE_DONE ? 0 : fail(q, "select");
	sqlite3_reset(st);
	return rc;
}

int64_t mq_next_time(struct mq *q)
{
	sqlite3_stmt *st = stmt(q, "SELECT min(next_try) FROM msg");
	int64_t t = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return t;
}

/* Removes message id and adds one to counter, in one transaction. */
static int finish(struct mq *q, int64_t id, const char *counter, int64_t now)
{
	int64_t a[1] = {id};
	int rc = exec(q, "BEGIN IMMEDIATE");
	if (rc != MQ_OK)
		return rc;
	rc = run(q, "DELETE FROM msg WHERE id = ?1", a, 1, NULL);
	if (rc == MQ_OK && sqlite3_changes(q->db) == 1) /* not counted twice */
		rc = run(q, "UPDATE stat SET value = value + 1 WHERE name = ?1", NULL, 0, counter);
	if (rc == MQ_OK && now)
		rc = run(q, "UPDATE stat SET value = ?1 WHERE name = 'last_sendmail'", &now, 1,
			 NULL);
	if (rc == MQ_OK && (rc = exec(q, "COMMIT")) == MQ_OK)
		return MQ_OK;
	exec(q, "ROLLBACK");
	return rc;
}

int mq_delivered(struct mq *q, int64_t id, int64_t now)
{
	return finish(q, id, "sent", now);
}

int mq_failed(struct mq *q, int64_t id, const char *why)
{
	(void)why; /* the daemon logs it; the row is gone */
	return finish(q, id, "failed", 0);
}

int mq_deferred(struct mq *q, int64_t id, int64_t next_try, const char *why)
{
	int64_t a[2] = {id, next_try};
	return run(q,
		   "UPDATE msg SET next_try = ?2, attempts = attempts + 1, last_error = ?3 "
		   "WHERE id = ?1",
		   a, 2, why);
}

int mq_expire(struct mq *q, int64_t now, int64_t timeout, int *n)
{
	int64_t a[1] = {now - timeout};
	*n = 0;
	int rc = exec(q, "BEGIN IMMEDIATE");
	if (rc != MQ_OK)
		return rc;
	rc = run(q, "DELETE FROM msg WHERE created <= ?1", a, 1, NULL);
	if (rc == MQ_OK && (*n = sqlite3_changes(q->db)) > 0) {
		int64_t c[1] = {*n};
		rc = run(q, "UPDATE stat SET value = value + ?1 WHERE name = 'discarded'", c, 1,
			 NULL);
	}
	if (rc == MQ_OK && (rc = exec(q, "COMMIT")) == MQ_OK)
		return MQ_OK;
	exec(q, "ROLLBACK");
	*n = 0;
	return rc;
}

int mq_stats(struct mq *q, struct mq_stats *s)
{
	sqlite3_stmt *st;
	memset(s, 0, sizeof *s);
	/* One read transaction: the counters and the count agree. */
	if (sqlite3_prepare_v2(q->db,
			       "SELECT name, value FROM stat UNION ALL "
			       "SELECT 'queued', count(*) FROM msg",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(q, "prepare");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int64_t v = sqlite3_column_int64(st, 1);
		if (!name)
			continue;
		if (!strcmp(name, "sent"))
			s->sent = v;
		else if (!strcmp(name, "failed"))
			s->failed = v;
		else if (!strcmp(name, "discarded"))
			s->discarded = v;
		else if (!strcmp(name, "last_sendmail"))
			s->last_sendmail = v;
		else if (!strcmp(name, "last_request"))
			s->last_request = v;
		else if (!strcmp(name, "queued"))
			s->queued = (int)v;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? MQ_OK : fail(q, "stats");
}

int mq_set_paused(struct mq *q, bool paused)
{
	int64_t v[1] = {paused};
	return run(q,
		   "INSERT INTO stat(name, value) VALUES ('paused', ?1) "
		   "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
		   v, 1, NULL);
}

bool mq_paused(struct mq *q)
{
	sqlite3_stmt *st;
	bool paused = false;
	if (sqlite3_prepare_v2(q->db, "SELECT value FROM stat WHERE name = 'paused'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		paused = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return paused;
}

int mq_list(struct mq *q, mq_list_cb cb, void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(q->db, "SELECT " COLUMNS " FROM msg ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return fail(q, "prepare");
	int rc, stop = 0;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mq_msg m;
		if (read_row(st, &m, 0) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		stop = cb(arg, &m);
		mq_msg_free(&m);
	}
	sqlite3_finalize(st);
	return stop || rc == SQLITE_DONE ? MQ_OK : fail(q, "list");
}
