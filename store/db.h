/* SPDX-License-Identifier: MIT */
/*
 * db.h - the one way appsh opens and uses an SQLite database: the config
 * store (store/store.c) and the mail queue (maild/queue.c) both.
 *
 * A database is opened in WAL mode with synchronous FULL (a commit is on
 * disk before anyone is told), waits for other writers up to a busy
 * timeout instead of failing with "database is locked", keeps temporary
 * journals in memory, and is migrated forward one step at a time to the
 * version its owner knows, recorded in PRAGMA user_version.  Start-up
 * takes no write lock when nothing needs migrating.  Statements are
 * prepared once and cached by the address of their SQL text (a string
 * literal), because the hot paths run the same few thousands of times.
 */
#ifndef APPSH_STORE_DB_H
#define APPSH_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct sqlite3;
struct sqlite3_stmt;

enum {
	DB_OK = 0,
	DB_ERR = -1,   /* SQLite failed; see db_errmsg() */
	DB_NEWER = -2, /* the file was written by a newer appsh */
	DB_BUSY = -3,  /* another writer held the lock past the busy timeout */
};

/* What a database holds: migrations[i] takes version i to i+1; created()
 * (may be NULL) runs inside the transaction that made a new database. */
struct db_schema {
	const char *what; /* "the store", "the mail queue": for messages */
	const char *const *migrations;
	int version; /* how many migrations: the version this build writes */
	int (*created)(struct db *db, void *arg);
	void *arg;
};

/* Opens (creating) path and migrates it.  DB_OK, or an error with a
 * message naming path in err. */
int db_open(const char *path, const struct db_schema *schema, int busy_ms, struct db **out,
	    char *err, size_t errlen);
void db_close(struct db *db);
const char *db_errmsg(const struct db *db);
struct sqlite3 *db_sqlite(struct db *db);

/* Records msg as the error. */
void db_set_error(struct db *db, const char *msg);
/* Records "what: <SQLite's message>" as the error; DB_BUSY or DB_ERR. */
int db_fail(struct db *db, const char *what);

/* The prepared statement for sql (a string literal: its address is the
 * cache key), reset with its bindings cleared; NULL with the error set. */
struct sqlite3_stmt *db_stmt(struct db *db, const char *sql);
/* Runs sql, a cached statement, with int64s bound to ?1.. and then one
 * text (when not NULL), for its effect.  DB_OK or an error. */
int db_run(struct db *db, const char *sql, const int64_t *nums, int nnum, const char *text);
/* Runs statements that are not worth caching (BEGIN, PRAGMA ...). */
int db_exec(struct db *db, const char *sql);

/* BEGIN IMMEDIATE (waits for other writers), COMMIT, ROLLBACK. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

#endif
