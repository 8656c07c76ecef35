/* SPDX-License-Identifier: MIT */
/* test_store.c - the SQLite store: open and migrate, entries, values, meta,
 * transactions and savepoints (store/store.h).  A second, plain sqlite3
 * connection looks at the file the way another process would. */
#include "store/store.h"
#include "tests/unit/check.h"

#include <ctype.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/appsh-store-XXXXXX";
static char db_path[4096];

static void rm_dir(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	char path[4096];
	while (dd && (e = readdir(dd)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", d, e->d_name);
			unlink(path);
		}
	if (dd)
		closedir(dd);
	rmdir(d);
}

/* One integer or text from a fresh connection of our own. */
static long long peek_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -999;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	} else {
		fprintf(stderr, "peek %s: %s\n", sql, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return v;
}

static const char *peek_text(const char *path, const char *sql)
{
	static char buf[256];
	sqlite3 *db;
	sqlite3_stmt *s;
	snprintf(buf, sizeof buf, "(none)");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return buf;
}

static int exec_on(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static struct store *open_store(const char *path)
{
	struct store *st = NULL;
	char err[512] = "";
	int rc = store_open(path, &st, err, sizeof err);
	if (rc != STORE_OK)
		fprintf(stderr, "store_open %s: %d %s\n", path, rc, err);
	CHECK(rc == STORE_OK && st != NULL);
	return st;
}

/* Does msg hold the number n as a word of its own (not inside 12 or 1.2)? */
static bool names_number(const char *msg, int n)
{
	char want[16];
	size_t len = (size_t)snprintf(want, sizeof want, "%d", n);
	for (const char *p = strstr(msg, want); p; p = strstr(p + 1, want))
		if ((p == msg || !isdigit((unsigned char)p[-1])) && !isdigit((unsigned char)p[len]))
			return true;
	return false;
}

/* Collects keys or values into "a,b,c" / "attr=value,..." */
static char list[4096];
static int stop_after; /* the callbacks stop after this many (0 = never) */
static int seen;

static int key_cb(void *arg, const char *key)
{
	(void)arg;
	size_t l = strlen(list);
	snprintf(list + l, sizeof list - l, "%s%s", l ? "," : "", key);
	return stop_after && ++seen >= stop_after;
}

static int value_cb(void *arg, const char *attr, const char *value)
{
	(void)arg;
	size_t l = strlen(list);
	snprintf(list + l, sizeof list - l, "%s%s=%s", l ? "," : "", attr, value);
	return stop_after && ++seen >= stop_after;
}

static const char *keys(struct store *st, const char *path)
{
	list[0] = '\0';
	seen = 0;
	CHECK(store_entry_keys(st, path, key_cb, NULL) == STORE_OK);
	return list;
}

static const char *values(struct store *st, int64_t id)
{
	list[0] = '\0';
	seen = 0;
	CHECK(store_values(st, id, value_cb, NULL) == STORE_OK);
	return list;
}

static bool exists(struct store *st, const char *path, const char *key)
{
	int64_t id;
	return store_entry_find(st, path, key, &id) == 1;
}

static void test_open(void)
{
	struct stat sb;
	char serial[64] = "", created[64] = "", serial2[64] = "";

	CHECK(stat(db_path, &sb) != 0);
	struct store *st = open_store(db_path);
	if (!st)
		return;
	CHECK(stat(db_path, &sb) == 0 && S_ISREG(sb.st_mode));
	CHECK(store_errmsg(st) != NULL);
	CHECK(!store_in_transaction(st));

	/* WAL and the schema version, seen by another connection. */
	CHECK_STR(peek_text(db_path, "PRAGMA journal_mode"), "wal");
	CHECK(peek_int(db_path, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
	/* The store's tables, no schema in them. */
	CHECK(peek_int(db_path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
				"name IN ('meta', 'entry', 'value')") == 3);

	/* A new store gets an identity: serial and creation time. */
	CHECK(store_meta_get(st, "serial", serial, sizeof serial) == 1);
	CHECK(strncmp(serial, "APPSH", 5) == 0 && strlen(serial) == 17);
	CHECK(store_meta_get(st, "created", created, sizeof created) == 1);
	long long t = atoll(created);
	CHECK(t > 1600000000 && t <= (long long)time(NULL));
	store_close(st);

	/* Reopened: the same store, not re-initialised. */
	st = open_store(db_path);
	if (!st)
		return;
	CHECK(store_meta_get(st, "serial", serial2, sizeof serial2) == 1);
	CHECK_STR(serial2, serial);
	CHECK(peek_int(db_path, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
	store_close(st);
	store_close(NULL);
}

static void test_refused(void)
{
	char path[4200], err[512];
	struct store *st = (struct store *)1;

	/* Written by a newer appsh: refused, named, and left untouched. */
	snprintf(path, sizeof path, "%s/newer.db", dir);
	st = open_store(path);
	store_close(st);
	char sql[64];
	int newer = STORE_SCHEMA_VERSION + 1;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
	CHECK(exec_on(path, sql) == SQLITE_OK);
	CHECK(exec_on(path, "INSERT INTO meta(name, value) VALUES ('future', 'x')") == SQLITE_OK);
	err[0] = '\0';
	st = (struct store *)1;
	CHECK(store_open(path, &st, err, sizeof err) == STORE_NEWER);
	CHECK(st == NULL);
	/* The message names both versions (after the path, which may hold digits). */
	const char *after = strncmp(err, path, strlen(path)) == 0 ? err + strlen(path) : err;
	if (!names_number(after, newer) || !names_number(after, STORE_SCHEMA_VERSION))
		fprintf(stderr, "STORE_NEWER message: [%s]\n", err);
	CHECK(names_number(after, newer));
	CHECK(names_number(after, STORE_SCHEMA_VERSION));
	CHECK(peek_int(path, "PRAGMA user_version") == newer);
	CHECK_STR(peek_text(path, "SELECT value FROM meta WHERE name = 'future'"), "x");

	/* Not a database at all. */
	snprintf(path, sizeof path, "%s/garbage.db", dir);
	FILE *f = fopen(path, "w");
	for (int i = 0; f && i < 100; i++)
		fputs("this is not an SQLite database, just text\n", f);
	if (f)
		fclose(f);
	err[0] = '\0';
	st = (struct store *)1;
	CHECK(store_open(path, &st, err, sizeof err) == STORE_ERR);
	CHECK(st == NULL && *err);

	/* A directory that does not exist. */
	err[0] = '\0';
	st = (struct store *)1;
	CHECK(store_open("/nonexistent/appsh/config.db", &st, err, sizeof err) == STORE_ERR);
	CHECK(st == NULL && *err);
}

static void test_entries(struct store *st)
{
	int64_t id1 = 0, id2 = 0, id3 = 0, id, obj;

	CHECK(store_entry_find(st, "system mail", "1", &id) == 0);
	CHECK(store_entry_create(st, "system mail", "1", &id1) == STORE_OK);
	CHECK(store_entry_find(st, "system mail", "1", &id) == 1 && id == id1);
	/* The same key under another path, and the single object's "" key. */
	CHECK(store_entry_create(st, "system other", "1", &id2) == STORE_OK && id2 != id1);
	CHECK(store_entry_create(st, "system global", "", &obj) == STORE_OK);
	CHECK(store_entry_find(st, "system global", "", &id) == 1 && id == obj);
	/* A second entry with the same (path, key) is an error, not a duplicate. */
	CHECK(store_entry_create(st, "system mail", "1", &id3) == STORE_ERR);
	CHECK(*store_errmsg(st) != '\0');
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'system mail'") == 1);

	/* Keys come back in creation order, not sorted. */
	CHECK(store_entry_create(st, "system mail", "zeta", &id) == STORE_OK);
	CHECK(store_entry_create(st, "system mail", "alpha", &id3) == STORE_OK);
	CHECK(store_entry_create(st, "system mail", "10", &id) == STORE_OK);
	CHECK(store_entry_create(st, "system mail", "2", &id) == STORE_OK);
	CHECK_STR(keys(st, "system mail"), "1,zeta,alpha,10,2");
	CHECK_STR(keys(st, "system nothing"), "");
	/* The callback can stop the listing. */
	stop_after = 2;
	CHECK_STR(keys(st, "system mail"), "1,zeta");
	stop_after = 0;

	/* Rename keeps the entry (and its place); the old key is gone. */
	CHECK(store_value_set(st, id3, "port", "587") == STORE_OK);
	CHECK(store_entry_rename(st, id3, "beta") == STORE_OK);
	CHECK(!exists(st, "system mail", "alpha"));
	CHECK(store_entry_find(st, "system mail", "beta", &id) == 1 && id == id3);
	CHECK_STR(values(st, id3), "port=587");
	CHECK_STR(keys(st, "system mail"), "1,zeta,beta,10,2");
	/* Renaming onto an existing key fails and changes nothing. */
	CHECK(store_entry_rename(st, id3, "zeta") == STORE_ERR);
	CHECK(store_entry_find(st, "system mail", "beta", &id) == 1 && id == id3);

	/* Keys are stored exactly: blanks, quotes, UTF-8. */
	CHECK(store_entry_create(st, "system mail", "a \"b\" 'c' ✓", &id) == STORE_OK);
	CHECK(exists(st, "system mail", "a \"b\" 'c' ✓"));
	CHECK(!exists(st, "system mail", "a \"b\" 'c'"));

	/* Delete removes the entry and its values. */
	CHECK(store_entry_delete(st, id3) == STORE_OK);
	CHECK(!exists(st, "system mail", "beta"));
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM value WHERE entry = %lld", (long long)id3);
	CHECK(peek_int(db_path, sql) == 0);
	CHECK_STR(values(st, id3), "");
	/* Deleting what is gone is harmless. */
	CHECK(store_entry_delete(st, id3) == STORE_OK);
	/* A new entry does not inherit the deleted one's values. */
	CHECK(store_entry_create(st, "system mail", "beta", &id) == STORE_OK);
	CHECK_STR(values(st, id), "");
	CHECK_STR(keys(st, "system mail"), "1,zeta,10,2,a \"b\" 'c' ✓,beta");
}

static void test_values(struct store *st)
{
	int64_t a, b;
	CHECK(store_entry_create(st, "test values", "a", &a) == STORE_OK);
	CHECK(store_entry_create(st, "test values", "b", &b) == STORE_OK);

	CHECK_STR(values(st, a), "");
	CHECK(store_value_set(st, a, "port", "587") == STORE_OK);
	CHECK_STR(values(st, a), "port=587");
	/* Replace, not add. */
	CHECK(store_value_set(st, a, "port", "2525") == STORE_OK);
	CHECK_STR(values(st, a), "port=2525");
	CHECK(store_value_set(st, a, "server", "smtp.example.com") == STORE_OK);
	CHECK(store_value_set(st, b, "port", "25") == STORE_OK);
	/* Order is not promised: check both ways. */
	const char *v = values(st, a);
	CHECK(strcmp(v, "port=2525,server=smtp.example.com") == 0 ||
	      strcmp(v, "server=smtp.example.com,port=2525") == 0);
	CHECK_STR(values(st, b), "port=25");
	/* The callback can stop. */
	stop_after = 1;
	CHECK(strchr(values(st, a), ',') == NULL);
	stop_after = 0;
	/* NULL removes; removing twice is fine; other entries keep theirs. */
	CHECK(store_value_set(st, a, "port", NULL) == STORE_OK);
	CHECK_STR(values(st, a), "server=smtp.example.com");
	CHECK(store_value_set(st, a, "port", NULL) == STORE_OK);
	CHECK(store_value_set(st, a, "never-set", NULL) == STORE_OK);
	CHECK_STR(values(st, b), "port=25");
	/* An empty string is a value (not a removal). */
	CHECK(store_value_set(st, a, "user", "") == STORE_OK);
	CHECK(strstr(values(st, a), "user=") != NULL);
	/* Text is stored exactly. */
	const char *odd = "line1\nline2 \"q\" 'q' \\ ✓ -- ; DROP TABLE value;";
	CHECK(store_value_set(st, b, "cert", odd) == STORE_OK);
	CHECK(strstr(values(st, b), odd) != NULL);
	/* A large value. */
	size_t n = 100000;
	char *big = malloc(n + 1);
	memset(big, 'v', n);
	big[n] = '\0';
	CHECK(store_value_set(st, b, "big", big) == STORE_OK);
	CHECK(peek_int(db_path, "SELECT length(value) FROM value WHERE attr = 'big'") ==
	      (long long)n);
	CHECK(store_value_set(st, b, "big", NULL) == STORE_OK);
	free(big);
}

static void test_meta(struct store *st)
{
	char buf[64] = "untouched";
	CHECK(store_meta_get(st, "nothing", buf, sizeof buf) == 0);
	CHECK(store_meta_set(st, "k", "v1") == STORE_OK);
	CHECK(store_meta_get(st, "k", buf, sizeof buf) == 1);
	CHECK_STR(buf, "v1");
	CHECK(store_meta_set(st, "k", "v2") == STORE_OK);
	CHECK(store_meta_get(st, "k", buf, sizeof buf) == 1);
	CHECK_STR(buf, "v2");
	CHECK(peek_int(db_path, "SELECT count(*) FROM meta WHERE name = 'k'") == 1);
	/* A small buffer gets a terminated prefix. */
	char small[4];
	CHECK(store_meta_set(st, "long", "abcdefgh") == STORE_OK);
	CHECK(store_meta_get(st, "long", small, sizeof small) == 1);
	CHECK_STR(small, "abc");
}

static void test_transactions(struct store *st)
{
	int64_t id;

	/* Rollback drops everything since begin. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_in_transaction(st));
	CHECK(store_entry_create(st, "tx", "rolled-back", &id) == STORE_OK);
	CHECK(store_value_set(st, id, "a", "1") == STORE_OK);
	CHECK(exists(st, "tx", "rolled-back"));
	store_rollback(st);
	CHECK(!store_in_transaction(st));
	CHECK(!exists(st, "tx", "rolled-back"));
	/* A rollback with nothing open is harmless. */
	store_rollback(st);
	CHECK(!store_in_transaction(st));

	/* Nothing is visible to another connection before commit. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_entry_create(st, "tx", "committed", &id) == STORE_OK);
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'tx'") == 0);
	CHECK(store_commit(st) == STORE_OK);
	CHECK(!store_in_transaction(st));
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'tx'") == 1);
	/* Commit without begin is an error, not a crash. */
	CHECK(store_commit(st) == STORE_ERR);
	/* Begin twice is an error; the first transaction stays usable. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_begin(st) == STORE_ERR);
	CHECK(store_in_transaction(st));
	store_rollback(st);

	/* Savepoints inside a transaction: one unit rolls back alone. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp", "A", &id) == STORE_OK);
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp", "B", &id) == STORE_OK);
	store_rollback_savepoint(st);
	CHECK(store_in_transaction(st));
	CHECK(exists(st, "sp", "A"));
	CHECK(!exists(st, "sp", "B"));
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp", "C", &id) == STORE_OK);
	CHECK(store_release(st) == STORE_OK);
	CHECK(store_in_transaction(st));
	/* Released is not committed: still invisible outside. */
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'sp'") == 0);
	CHECK(store_commit(st) == STORE_OK);
	CHECK_STR(keys(st, "sp"), "A,C");
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'sp'") == 2);

	/* Two units in a row: the second fails, the first survives. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp2", "one", &id) == STORE_OK);
	CHECK(store_release(st) == STORE_OK);
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp2", "two", &id) == STORE_OK);
	CHECK(store_entry_create(st, "sp2", "two", &id) == STORE_ERR); /* the failure */
	store_rollback_savepoint(st);
	CHECK(store_commit(st) == STORE_OK);
	CHECK_STR(keys(st, "sp2"), "one");

	/* Rolling the whole transaction back drops released units too. */
	CHECK(store_begin(st) == STORE_OK);
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_entry_create(st, "sp3", "x", &id) == STORE_OK);
	CHECK(store_release(st) == STORE_OK);
	store_rollback(st);
	CHECK_STR(keys(st, "sp3"), "");

	/* A savepoint with no transaction open starts one; release commits it. */
	CHECK(store_savepoint(st) == STORE_OK);
	CHECK(store_in_transaction(st));
	CHECK(store_entry_create(st, "sp4", "y", &id) == STORE_OK);
	CHECK(store_release(st) == STORE_OK);
	CHECK(!store_in_transaction(st));
	CHECK(peek_int(db_path, "SELECT count(*) FROM entry WHERE path = 'sp4'") == 1);
	/* Release with no savepoint is an error, not a crash. */
	CHECK(store_release(st) == STORE_ERR);
	store_rollback_savepoint(st);
	CHECK(!store_in_transaction(st));
}

/* Another process holds the write lock for a while: store_begin waits for
 * it (busy timeout) instead of failing with "database is locked". */
static void test_waits_for_writer(struct store *st)
{
	int p[2];
	char c;
	CHECK(pipe(p) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		sqlite3 *db;
		int ok = sqlite3_open(db_path, &db) == SQLITE_OK &&
			 sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('peer', '1')",
				      NULL, NULL, NULL) == SQLITE_OK;
		if (write(p[1], ok ? "y" : "n", 1) != 1)
			_exit(2);
		usleep(400 * 1000);
		ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(db);
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0);
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'y');
	close(p[0]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = store_begin(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != STORE_OK)
		fprintf(stderr, "store_begin while locked: %s\n", store_errmsg(st));
	CHECK(rc == STORE_OK);
	double waited = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(waited > 0.2); /* it did wait for the peer */
	/* The peer's commit is visible inside our transaction. */
	char buf[8] = "";
	CHECK(store_meta_get(st, "peer", buf, sizeof buf) == 1);
	CHECK(store_commit(st) == STORE_OK);
	int status = -1;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(db_path, sizeof db_path, "%s/config.db", dir);
	test_open();
	test_refused();
	struct store *st = open_store(db_path);
	if (st) {
		test_entries(st);
		test_values(st);
		test_meta(st);
		test_transactions(st);
		test_waits_for_writer(st);
		store_close(st);
		/* Everything committed is there after a reopen. */
		st = open_store(db_path);
		CHECK(st && exists(st, "sp", "C") && exists(st, "system mail", "zeta"));
		CHECK(st && !exists(st, "sp", "B"));
		store_close(st);
		CHECK_STR(peek_text(db_path, "PRAGMA integrity_check"), "ok");
	}
	rm_dir(dir);
	return check_summary();
}
