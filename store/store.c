/* SPDX-License-Identifier: MIT */
/* store.c - SQLite config store: open, migrate, entries and values. */
#include "store/store.h"

#include "store/audit.h"
#include "store/db.h"
#include "store/priv.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Prepared once, reused for every call: the bulk import runs these
 * statements tens of thousands of times. */
enum stmt {
	S_FIND,
	S_CREATE,
	S_DELETE_VALUES,
	S_DELETE_ENTRY,
	S_RENAME,
	S_KEYS,
	S_VALUES,
	S_VALUE_PUT,
	S_VALUE_DEL,
	S_META_GET,
	S_META_PUT,
	S_SAVEPOINT,
	S_RELEASE,
	S_USERS,
	S_AUDIT_ADD,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_FIND] = "SELECT id FROM entry WHERE path = ?1 AND key = ?2",
	[S_CREATE] = "INSERT INTO entry(path, key) VALUES (?1, ?2)",
	[S_DELETE_VALUES] = "DELETE FROM value WHERE entry = ?1",
	[S_DELETE_ENTRY] = "DELETE FROM entry WHERE id = ?1",
	[S_RENAME] = "UPDATE entry SET key = ?2 WHERE id = ?1",
	[S_KEYS] = "SELECT key FROM entry WHERE path = ?1 ORDER BY id",
	[S_VALUES] = "SELECT attr, value FROM value WHERE entry = ?1",
	[S_VALUE_PUT] = ("INSERT INTO value(entry, attr, value) VALUES (?1, ?2, ?3) "
			 "ON CONFLICT(entry, attr) DO UPDATE SET value = excluded.value"),
	[S_VALUE_DEL] = "DELETE FROM value WHERE entry = ?1 AND attr = ?2",
	[S_META_GET] = "SELECT value FROM meta WHERE name = ?1",
	[S_META_PUT] = "INSERT OR REPLACE INTO meta(name, value) VALUES (?1, ?2)",
	[S_SAVEPOINT] = "SAVEPOINT commit_unit",
	[S_RELEASE] = "RELEASE commit_unit",
	[S_AUDIT_ADD] = ("INSERT INTO audit(time, admin, source, session, event, detail)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
	[S_USERS] = ("SELECT count(*) FROM value v JOIN entry e ON e.id = v.entry "
		     "WHERE e.path = ?1 AND v.attr = ?2 AND v.value = ?3"),
};

/*
 * Migrations, one per schema version: migrations[i] takes a database from
 * version i to i+1.  Never edit a released step; append a new one.
 */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	"CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE entry(id INTEGER PRIMARY KEY, path TEXT NOT NULL, key TEXT NOT NULL,"
	"                   UNIQUE(path, key));"
	"CREATE INDEX entry_order ON entry(path, id);"
	"CREATE TABLE value(entry INTEGER NOT NULL REFERENCES entry(id), attr TEXT NOT NULL,"
	"                   value TEXT NOT NULL, PRIMARY KEY(entry, attr)) WITHOUT ROWID;",
	/* 2: administrators (docs/admin.md).  The built-in profiles and the
	 * admin account are ordinary entries, seeded here; the sessions
	 * registry and the audit trail are tables of their own. */
	"CREATE TABLE admin_session(id INTEGER PRIMARY KEY AUTOINCREMENT, pid INTEGER NOT NULL,"
	"                   pstart TEXT NOT NULL, admin TEXT NOT NULL, source TEXT NOT NULL,"
	"                   kind TEXT NOT NULL, since INTEGER NOT NULL);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, admin TEXT NOT NULL,"
	"                   source TEXT NOT NULL, session INTEGER NOT NULL, event TEXT NOT NULL,"
	"                   detail TEXT NOT NULL);"
	"CREATE INDEX audit_admin ON audit(admin, time);"
	/* The trail keeps its last 100000 rows. */
	"CREATE TRIGGER audit_trim AFTER INSERT ON audit WHEN new.id % 1000 = 0"
	" BEGIN DELETE FROM audit WHERE id <= new.id - 100000; END;"
	"INSERT OR IGNORE INTO entry(path, key) VALUES"
	" ('system admin profile', 'Super_User'), ('system admin profile', 'Standard_User'),"
	" ('system admin profile', 'Restricted_User'),"
	" ('system admin profile', 'No_Permission_User'), ('system admin user', 'admin');"
	"WITH v(key, attr, value) AS (VALUES"
	" ('Super_User', 'admin-setting', 'read-write'), ('Super_User', 'diag-read', 'read-write'),"
	" ('Super_User', 'diag-write', 'read-write'), ('Super_User', 'mail-setting', 'read-write'),"
	" ('Super_User', 'system-setting', 'read-write'),"
	" ('Super_User', 'description', 'All rights; cannot be changed.'),"
	" ('Standard_User', 'diag-read', 'read-write'), ('Standard_User', 'diag-write', "
	"'read-write'),"
	" ('Standard_User', 'mail-setting', 'read-write'), ('Standard_User', 'system-setting', "
	"'read'),"
	" ('Standard_User', 'description', 'Mail settings and all diagnostics; reads the rest.'),"
	" ('Restricted_User', 'diag-read', 'read'), ('Restricted_User', 'mail-setting', 'read'),"
	" ('Restricted_User', 'system-setting', 'read'),"
	" ('Restricted_User', 'description', 'Reads settings; read-only diagnostics.'),"
	" ('No_Permission_User', 'description', 'No access: cannot log in.'))"
	" INSERT OR IGNORE INTO value(entry, attr, value) SELECT e.id, v.attr, v.value FROM v"
	" JOIN entry e ON e.path = 'system admin profile' AND e.key = v.key;"
	"INSERT OR IGNORE INTO value(entry, attr, value) SELECT id, 'profileid', 'Super_User'"
	" FROM entry WHERE path = 'system admin user' AND key = 'admin';",
	/* 3: revisions (config/revision.c): a row per commit with what it
	 * changed; and what each live session has in `config`, so that a
	 * revert does not overwrite it. */
	"CREATE TABLE revision(id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
	"                   admin TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,"
	"                   comment TEXT NOT NULL, changes BLOB NOT NULL);"
	"ALTER TABLE admin_session ADD COLUMN editing TEXT NOT NULL DEFAULT '';",
	/* 4: the appliance's trusted hosts (docs/admin.md).  Before, every
	 * slot defaulted to "anyone" and counted as unset; any set slot, of
	 * either family, restricted both.  Now trusthost1 and ipv6_trusthost1
	 * admit everyone by default, slots 2-10 no one, and each family has
	 * its own slots (ip6-trusthostN is now ipv6_trusthostN).  So that no
	 * administrator gains access: slots that meant "unset" are dropped,
	 * and a restricted administrator's slot 1 of each family, unless set,
	 * is set to admit no one -- exactly who was admitted before is. */
	"CREATE TEMP TABLE m4_user AS SELECT id FROM entry WHERE path = 'system admin user';"
	"DELETE FROM value WHERE entry IN m4_user AND ("
	" (attr GLOB 'trusthost[0-9]*' AND (value GLOB '*/0' OR value GLOB '* 0.0.0.0'))"
	" OR (attr GLOB 'ip6-trusthost[0-9]*' AND value GLOB '*/0'));"
	"UPDATE value SET attr = 'ipv6_trusthost' || substr(attr, 14)"
	" WHERE entry IN m4_user AND attr GLOB 'ip6-trusthost[0-9]*';"
	"CREATE TEMP TABLE m4_restricted AS SELECT DISTINCT entry FROM value"
	" WHERE entry IN m4_user AND (attr GLOB 'trusthost[0-9]*' OR attr GLOB "
	"'ipv6_trusthost[0-9]*');"
	"INSERT OR IGNORE INTO value(entry, attr, value)"
	" SELECT entry, 'trusthost1', '255.255.255.255 255.255.255.255' FROM m4_restricted;"
	"INSERT OR IGNORE INTO value(entry, attr, value)"
	" SELECT entry, 'ipv6_trusthost1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'"
	" FROM m4_restricted;"
	"DROP TABLE m4_user; DROP TABLE m4_restricted;",
	/* 5: the certificate tables take the appliance's attribute names
	 * (docs/fidelity.md): comments -> comment, and a CA's certificate is
	 * its `ca`. */
	"UPDATE value SET attr = 'comment' WHERE attr = 'comments' AND entry IN"
	" (SELECT id FROM entry WHERE path IN ('system certificate local',"
	" 'system certificate ca'));"
	"UPDATE value SET attr = 'ca' WHERE attr = 'certificate' AND entry IN"
	" (SELECT id FROM entry WHERE path = 'system certificate ca');",
};

struct store {
	struct db *db;
	int listing; /* store_entry_keys calls in progress (they may nest) */
};

struct db *store_db(struct store *st)
{
	return st->db;
}

sqlite3 *store_sqlite(struct store *st)
{
	return db_sqlite(st->db);
}

static int fail(struct store *st, const char *what)
{
	db_fail(st->db, what);
	return STORE_ERR;
}

int store_fail(struct store *st, const char *what)
{
	return fail(st, what);
}

int store_error(struct store *st, const char *msg)
{
	db_set_error(st->db, msg);
	return STORE_ERR;
}

const char *store_errmsg(const struct store *st)
{
	return db_errmsg(st->db);
}

/* The statement s, prepared once and reset. */
static sqlite3_stmt *get(struct store *st, enum stmt s)
{
	return db_stmt(st->db, stmt_sql[s]);
}

/* Prepared once: an import writes one audit row per attribute. */
struct sqlite3_stmt *store_audit_insert(struct store *st)
{
	return get(st, S_AUDIT_ADD);
}

/* Runs a statement that returns no rows. */
static int run(struct store *st, sqlite3_stmt *s, const char *what)
{
	if (!s)
		return STORE_ERR;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : fail(st, what);
}

/* A new installation: give it a serial-like identity. */
static int created(struct db *db, void *arg)
{
	struct store *st = arg;
	unsigned char rnd[6];
	char serial[32], now[32];
	(void)db;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		memset(rnd, 0, sizeof rnd);
	snprintf(serial, sizeof serial, "APPSH%02X%02X%02X%02X%02X%02X", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5]);
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	return store_meta_set(st, "serial", serial) || store_meta_set(st, "created", now) ? DB_ERR
											  : DB_OK;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	const struct db_schema schema = {"the store", migrations, STORE_SCHEMA_VERSION, created,
					 st};
	/* Writers queue for up to 30 s rather than failing with "database is
	 * locked"; commits are short, so a wait that long means a stuck peer. */
	int rc = db_open(path, &schema, 30000, &st->db, err, errlen);
	if (rc != DB_OK) {
		free(st);
		return rc == DB_NEWER ? STORE_NEWER : STORE_ERR;
	}
	*out = st;
	return STORE_OK;
}

int store_clear(struct store *st)
{
	return db_exec(st->db, "DELETE FROM value; DELETE FROM entry") == DB_OK ? STORE_OK
										: STORE_ERR;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	db_close(st->db);
	free(st);
}

int store_begin(struct store *st)
{
	return db_begin(st->db) == DB_OK ? STORE_OK : STORE_ERR;
}

int store_commit(struct store *st)
{
	return db_commit(st->db) == DB_OK ? STORE_OK : STORE_ERR;
}

void store_rollback(struct store *st)
{
	db_rollback(st->db);
}

int store_savepoint(struct store *st)
{
	return run(st, get(st, S_SAVEPOINT), "starting a commit");
}

int store_release(struct store *st)
{
	return run(st, get(st, S_RELEASE), "finishing a commit");
}

void store_rollback_savepoint(struct store *st)
{
	sqlite3_exec(db_sqlite(st->db), "ROLLBACK TO commit_unit; RELEASE commit_unit", NULL, NULL,
		     NULL);
}

bool store_in_transaction(const struct store *st)
{
	return db_in_transaction(st->db);
}

int store_entry_find(struct store *st, const char *path, const char *key, int64_t *id)
{
	sqlite3_stmt *s = get(st, S_FIND);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(st, "finding an entry");
}

int store_entry_create(struct store *st, const char *path, const char *key, int64_t *id)
{
	sqlite3_stmt *s = get(st, S_CREATE);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (run(st, s, "creating an entry") != STORE_OK)
		return STORE_ERR;
	*id = sqlite3_last_insert_rowid(db_sqlite(st->db));
	return STORE_OK;
}

int store_entry_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = get(st, S_DELETE_VALUES);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	if (run(st, s, "deleting values") != STORE_OK || !(s = get(st, S_DELETE_ENTRY)))
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	return run(st, s, "deleting an entry");
}

int store_entry_rename(struct store *st, int64_t id, const char *newkey)
{
	sqlite3_stmt *s = get(st, S_RENAME);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, newkey, -1, SQLITE_STATIC);
	return run(st, s, "renaming an entry");
}

int store_entry_keys(struct store *st, const char *path, store_key_cb cb, void *arg)
{
	/* Callers may look up values, and even list another table, while
	 * iterating: the prepared statement serves the outermost listing; one
	 * nested in it prepares a private one.  (Preparing every time was a
	 * fifth of the shell's work per command.) */
	bool private = st->listing > 0;
	sqlite3_stmt *s = private ? NULL : get(st, S_KEYS);
	int rc;
	if (!private && !s)
		return STORE_ERR;
	if (private &&
	    sqlite3_prepare_v2(db_sqlite(st->db), stmt_sql[S_KEYS], -1, &s, NULL) != SQLITE_OK)
		return fail(st, "listing entries");
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	st->listing++;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(arg, (const char *)sqlite3_column_text(s, 0)))
			break;
	st->listing--;
	if (private)
		sqlite3_finalize(s);
	else
		sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : fail(st, "listing entries");
}

int store_values(struct store *st, int64_t id, store_value_cb cb, void *arg)
{
	sqlite3_stmt *s = get(st, S_VALUES);
	int rc;
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(arg, (const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : fail(st, "reading values");
}

int store_value_set(struct store *st, int64_t id, const char *attr, const char *value)
{
	sqlite3_stmt *s = get(st, value ? S_VALUE_PUT : S_VALUE_DEL);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, attr, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	return run(st, s, "writing a value");
}

int store_value_count(struct store *st, const char *path, const char *attr, const char *value)
{
	sqlite3_stmt *s = get(st, S_USERS);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	return n >= 0 ? n : fail(st, "counting references");
}

int store_meta_get(struct store *st, const char *name, char *buf, size_t len)
{
	sqlite3_stmt *s = get(st, S_META_GET);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(st, "reading meta");
}

int store_meta_set(struct store *st, const char *name, const char *value)
{
	sqlite3_stmt *s = get(st, S_META_PUT);
	if (!s)
		return STORE_ERR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return run(st, s, "writing meta");
}
