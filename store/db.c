/* SPDX-License-Identifier: MIT */
/* db.c - opening, migrating and running an SQLite database (db.h). */
#include "store/db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE 48 /* distinct cached statements per database, with room */

struct db {
	sqlite3 *db;
	char err[256];
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[CACHE];
};

int db_fail(struct db *db, const char *what)
{
	int code = sqlite3_errcode(db->db);
	snprintf(db->err, sizeof db->err, "%s: %s", what, sqlite3_errmsg(db->db));
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? DB_BUSY : DB_ERR;
}

void db_set_error(struct db *db, const char *msg)
{
	snprintf(db->err, sizeof db->err, "%s", msg);
}

const char *db_errmsg(const struct db *db)
{
	return db->err;
}

struct sqlite3 *db_sqlite(struct db *db)
{
	return db->db;
}

int db_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? DB_OK : db_fail(db, sql);
}

struct sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	size_t i = 0;
	for (; i < CACHE && db->cache[i].sql; i++)
		if (db->cache[i].sql == sql) {
			sqlite3_reset(db->cache[i].st);
			sqlite3_clear_bindings(db->cache[i].st);
			return db->cache[i].st;
		}
	if (i == CACHE) {
		snprintf(db->err, sizeof db->err, "too many statements for the cache");
		return NULL;
	}
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->cache[i].st,
			       NULL) != SQLITE_OK) {
		db_fail(db, "prepare");
		return NULL;
	}
	db->cache[i].sql = sql;
	return db->cache[i].st;
}

int db_run(struct db *db, const char *sql, const int64_t *nums, int nnum, const char *text)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	if (!st)
		return DB_ERR;
	for (int i = 0; i < nnum; i++)
		sqlite3_bind_int64(st, i + 1, nums[i]);
	if (text)
		sqlite3_bind_text(st, nnum + 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : db_fail(db, sql);
	sqlite3_reset(st);
	return rc;
}

int db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->db))
		sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

bool db_in_transaction(const struct db *db)
{
	return !sqlite3_get_autocommit(db->db);
}

static int user_version(struct db *db)
{
	sqlite3_stmt *s;
	int version = -1;
	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return version;
}

/*
 * journal_mode=WAL takes an exclusive lock and, unlike other statements,
 * answers SQLITE_BUSY at once instead of waiting for the busy timeout:
 * twenty shells creating one database together would fail.  The mode is
 * kept in the file, so it is only set when the file is not in it yet;
 * otherwise retried briefly.
 */
static int enable_wal(struct db *db)
{
	sqlite3_stmt *s;
	bool wal = false;
	if (sqlite3_prepare_v2(db->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK) {
		wal = sqlite3_step(s) == SQLITE_ROW &&
		      strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
		sqlite3_finalize(s);
	}
	for (int tries = 0; !wal; tries++) {
		int rc = sqlite3_exec(db->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return DB_OK;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries == 5000)
			return db_fail(db, "enabling WAL");
		sqlite3_sleep(2);
	}
	return DB_OK;
}

static int migrate(struct db *db, const struct db_schema *schema)
{
	int version = user_version(db);
	if (version == schema->version)
		return DB_OK; /* the common case: no write lock at all */
	if (db_begin(db) != DB_OK)
		return db_fail(db, "starting the migration");
	version = user_version(db); /* another process may have done it meanwhile */
	if (version < 0) {
		db_rollback(db);
		return db_fail(db, "reading the schema version");
	}
	if (version > schema->version) {
		db_rollback(db);
		snprintf(db->err, sizeof db->err,
			 "%s has schema version %d; this appsh knows up to %d", schema->what,
			 version, schema->version);
		return DB_NEWER;
	}
	for (int v = version; v < schema->version; v++) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (db_exec(db, schema->migrations[v]) != DB_OK || db_exec(db, sql) != DB_OK) {
			db_rollback(db);
			return DB_ERR;
		}
	}
	if (version == 0 && schema->created && schema->created(db, schema->arg) != DB_OK) {
		db_rollback(db);
		return DB_ERR;
	}
	return db_commit(db);
}

int db_open(const char *path, const struct db_schema *schema, int busy_ms, struct db **out,
	    char *err, size_t errlen)
{
	struct db *db = calloc(1, sizeof *db);
	int rc = DB_ERR;

	*out = NULL;
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return DB_ERR;
	}
	/* One connection per thread that uses it: no mutexes. */
	if (sqlite3_open_v2(path, &db->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s %s: %s", schema->what, path,
			 db->db ? sqlite3_errmsg(db->db) : "out of memory");
		db_close(db);
		return DB_ERR;
	}
	sqlite3_busy_timeout(db->db, busy_ms);
	*out = db; /* schema->created() may reach the database through its owner */
	/* temp_store: savepoint journals stay in memory, so nothing is
	 * written outside the state directory. */
	if (enable_wal(db) == DB_OK && db_exec(db, "PRAGMA synchronous = FULL") == DB_OK &&
	    db_exec(db, "PRAGMA temp_store = MEMORY") == DB_OK)
		rc = migrate(db, schema);
	if (rc != DB_OK) {
		snprintf(err, errlen, "%s: %s", path, db->err);
		db_close(db);
		*out = NULL;
	}
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < CACHE && db->cache[i].sql; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->db);
	free(db);
}
