/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cli.c - libFuzzer target for the tokenizer and the walker.
 *
 * Each input is one command script.  It goes through:
 *   1. cli_tokenize on the raw bytes, whole and line by line (embedded NUL
 *      bytes included: the tokenizer must refuse them cleanly);
 *   2. cli_run_script, as `appsh -c` runs it (text mode), or, when the input
 *      holds a NUL byte, as a script on stdin runs it (fd mode, through a
 *      memfd), since only that path can carry a NUL to the line runner;
 *      an input whose first line is `#-e` (a comment to the shell) runs
 *      with -e, stopping at the first failing command;
 *   3. a terminal-like pass: for every line, TAB (cli_complete) and `?`
 *      (cli_choices) in the mode the previous lines reached, then the line
 *      itself through cli_run_line outside script mode, so the one-commit-
 *      per-`next` path is covered too.
 * Then the store must pass SQLite's integrity check, and its `show`
 * output, fed as a script to a fresh store with the same key, must run
 * without error and give the same `show` output back (the re-import round
 * trip).  A failure there aborts with both outputs on stderr.
 *
 * Everything the shell prints goes to /dev/null: stdout is reopened there
 * and the shell's `stderr` stream is pointed at /dev/null.  libFuzzer keeps
 * its own copy of the original stderr FILE and the sanitizers write to fd 2
 * directly, so their reports still show.  Set APPSH_FUZZ_VERBOSE=1 to see
 * the shell's output when replaying one input.
 *
 * State: two sessions are opened once, at start-up, on two private state
 * directories (mkdtemp in $TMPDIR, default /tmp, removed at exit): a/ for
 * the input, b/ for the round trip.  The first opening creates the store
 * and key as a first start does; that fresh database is then copied into
 * memory (sqlite3_serialize) and each session's connection is switched to
 * an in-memory copy of it (sqlite3_deserialize).  Before every input the
 * input's session gets a new copy of the fresh database and its session
 * state is put back as it was after opening, so every input starts from
 * the same store and key and a crash reproduces alone:
 *     build-fuzz/fuzz/fuzz_cli crash-<sha1>
 * Opening a session per input and writing the store to disk cost ~15 ms an
 * input (fsyncs, schema set-up); in memory an input costs well under 1 ms,
 * so the target runs over 1000 inputs/s.  The file store itself (WAL,
 * fsync, reopening) is tested by tests/store.  A crash or timeout ends the
 * process with _Exit, so the directory ($TMPDIR/appsh-fuzz.XXXXXX) is then
 * left behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "cli/cli.h"
#include "cmds/cmds.h"
#include "config/priv.h" /* the store under the configuration: reset in memory */
#include "store/priv.h"	 /* its SQLite handle */
#include "store/store.h"

static char top_dir[4000];
static char state_dir[4096];  /* top_dir/a: the input's */
static char import_dir[4096]; /* top_dir/b: the round trip's */

static struct cli sess, import;		    /* opened once */
static struct cli sess_fresh, import_fresh; /* as they were just after opening */
static unsigned char *fresh_db;		    /* the fresh store, serialized */
static sqlite3_int64 fresh_db_len;
static sqlite3_int64 changes_at_reset; /* the input's connection's count then */
static char *fresh_show;	       /* `show` of the fresh state */
static size_t fresh_show_len;

static void die(const char *what, const char *detail)
{
	/* The shell's stderr may be /dev/null; fd 2 is the real one. */
	dprintf(STDERR_FILENO, "fuzz_cli: %s: %s\n", what, detail);
	abort();
}

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* Removes the files in a state directory (it has no subdirectories). */
static void wipe_state(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096 + 256];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			path_in(path, sizeof path, dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

static void remove_state(void)
{
	cli_session_close(&sess);
	cli_session_close(&import);
	wipe_state(state_dir);
	wipe_state(import_dir);
	rmdir(state_dir);
	rmdir(import_dir);
	rmdir(top_dir);
}

/* Gives the session's connection a new in-memory copy of the fresh store. */
static void load_fresh_db(struct cli *cli)
{
	unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)fresh_db_len);
	if (!copy)
		die("sqlite3_malloc64", "out of memory");
	memcpy(copy, fresh_db, (size_t)fresh_db_len);
	if (sqlite3_deserialize(
		    store_sqlite(cli->cfg->st), "main", copy, fresh_db_len, fresh_db_len,
		    SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
		die("sqlite3_deserialize", sqlite3_errmsg(store_sqlite(cli->cfg->st)));
}

/* Opens a session on dir whose store lives in memory from now on. */
static void open_in_memory(struct cli *cli, struct cli *fresh, const char *dir)
{
	char err[512] = "";
	if (cli_session_open(cli, &cmds_hooks, dir, err, sizeof err) != 0)
		die("cannot open a session", err);
	if (!fresh_db) {
		/* The store a first start makes, in memory.  It is in WAL mode,
		 * which an in-memory database cannot be: bytes 18 and 19 of the
		 * header say so, and go back to the rollback journal. */
		fresh_db = sqlite3_serialize(store_sqlite(cli->cfg->st), "main", &fresh_db_len, 0);
		if (!fresh_db || fresh_db_len < 100)
			die("sqlite3_serialize", "cannot copy the fresh store");
		fresh_db[18] = fresh_db[19] = 1;
	}
	load_fresh_db(cli);
	*fresh = *cli;
}

/* Back to the state just after opening: what cli_session_close would drop
 * is dropped, the session's fields are reset, the store is fresh again. */
static void reset_session(struct cli *cli, const struct cli *fresh)
{
	cli_session_leave(cli);
	if (store_in_transaction(cli->cfg->st))
		store_rollback(cli->cfg->st);
	free(cli->err);
	*cli = *fresh;
	load_fresh_db(cli);
	if (cli == &sess)
		changes_at_reset = sqlite3_total_changes64(store_sqlite(cli->cfg->st));
}

/* The output of `show` in the session (malloc'd, NUL-terminated). */
static char *show_config(struct cli *cli, size_t *len)
{
	char *buf = NULL;
	bool secret, understood;
	FILE *f = open_memstream(&buf, len);
	struct cli_out *keep = cli->out;

	if (!f || !(cli->out = cli_out_new(f)))
		die("cli_out_new", "out of memory");
	if (cli_run_line(cli, "show", 4, &secret, &understood) != 0)
		die("show failed", cli->err ? cli->err : "");
	cli_out_free(cli->out);
	cli->out = keep;
	fclose(f);
	return buf;
}

/*
 * AddressSanitizer's defaults suit a program that allocates now and then;
 * the shell allocates for every word of every command, and with a 256 MB
 * quarantine and every new block filled, each input touched fresh pages
 * and a third of the time went to page faults and memset.  A 16 MB
 * quarantine still catches a use after free within an input and well
 * beyond it.  ASAN_OPTIONS set by hand still win.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:max_malloc_fill_size=0";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");

	umask(077);
	snprintf(top_dir, sizeof top_dir, "%s/appsh-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top_dir))
		die("mkdtemp", top_dir);
	path_in(state_dir, sizeof state_dir, top_dir, "a");
	path_in(import_dir, sizeof import_dir, top_dir, "b");
	if (mkdir(state_dir, 0700) != 0 || mkdir(import_dir, 0700) != 0)
		die("cannot create state directories in", top_dir);

	if (!getenv("APPSH_FUZZ_VERBOSE")) {
		FILE *null = fopen("/dev/null", "w");
		if (!null || !freopen("/dev/null", "w", stdout))
			die("cannot open", "/dev/null");
		stderr = null; /* glibc's stderr is an assignable FILE * */
	}
	open_in_memory(&sess, &sess_fresh, state_dir);
	/* The round trip's store must take the same key to read ENC values. */
	char src[4096 + 64], dst[4096 + 64];
	path_in(src, sizeof src, state_dir, "secret.key");
	path_in(dst, sizeof dst, import_dir, "secret.key");
	if (link(src, dst) != 0)
		die("cannot share the key with", import_dir);
	open_in_memory(&import, &import_fresh, import_dir);
	atexit(remove_state);
	fresh_show = show_config(&sess, &fresh_show_len);
	return 0;
}

/* Dies unless PRAGMA quick_check (integrity_check less the index contents'
 * agreement, which UNIQUE lookups of every commit exercise) passes. */
static void check_store(struct cli *cli)
{
	sqlite3 *db = store_sqlite(cli->cfg->st);
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK)
		die("cannot check the store", sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
		die("the store fails its integrity check after this input",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

/* `show` of the input's store, run as a script on a fresh store with the
 * same key, must succeed and give the same `show` back. */
static void check_round_trip(void)
{
	size_t len, len2;
	/* Nothing written since the fresh store was loaded: nothing to
	 * re-import (most inputs commit nothing; `show` costs the most). */
	if (sqlite3_total_changes64(store_sqlite(sess.cfg->st)) == changes_at_reset)
		return;
	char *shown = show_config(&sess, &len);

	if (len == fresh_show_len && memcmp(shown, fresh_show, len) == 0) {
		free(shown); /* nothing committed: nothing to re-import */
		return;
	}
	reset_session(&import, &import_fresh);
	int status = cli_run_script(&import, -1, shown, false);
	cli_session_leave(&import);
	char *again = show_config(&import, &len2);
	if (status != 0 || len != len2 || memcmp(shown, again, len) != 0) {
		dprintf(STDERR_FILENO,
			"--- show ---\n%s--- show after re-importing it ---\n%s---\n", shown,
			again);
		die("the show -> re-import round trip failed",
		    status ? "the re-import reported errors (replay with APPSH_FUZZ_VERBOSE=1)"
			   : "the re-imported store shows differently");
	}
	free(shown);
	free(again);
}

static void drop_errors(struct cli *cli)
{
	free(cli->err);
	cli->err = NULL;
	cli->errlen = 0;
}

/* Calls f(cli, line, len) for each newline-separated line of data. */
static void each_line(struct cli *cli, const char *data, size_t size,
		      void (*f)(struct cli *, const char *, size_t))
{
	for (size_t pos = 0; pos < size;) {
		const char *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		f(cli, data + pos, len);
		pos += len + 1;
	}
}

static void tokenize_line(struct cli *cli, const char *line, size_t len)
{
	struct cli_tokens t;
	(void)cli;
	cli_tokenize(line, len, &t);
	cli_tokens_free(&t);
}

/* TAB and `?` on line in the current mode, then the line itself. */
static void terminal_line(struct cli *cli, const char *line, size_t len)
{
	struct cli_choices list;
	struct cli_tokens t;
	bool secret, understood;

	free(cli_complete(cli, line, len, &list));
	cli_choices_free(&list);
	drop_errors(cli);

	if (cli_tokenize(line, len, &t) == CLI_TOK_OK) {
		/* `?` after the partial last word, and after a blank. */
		int n = t.argc > 0 && !t.trailing_blank ? t.argc - 1 : t.argc;
		cli_choices(cli, n, t.argv, n < t.argc ? t.argv[n] : NULL, &list);
		cli_choices_free(&list);
		drop_errors(cli);
		cli_choices(cli, t.argc, t.argv, NULL, &list);
		cli_choices_free(&list);
		drop_errors(cli);
	}
	cli_tokens_free(&t);

	cli_run_line(cli, line, len, &secret, &understood);
	drop_errors(cli);
	cli->done = false;
}

static void run_script(struct cli *cli, const uint8_t *data, size_t size)
{
	bool stop_on_error = size >= 4 && memcmp(data, "#-e\n", 4) == 0;

	if (size == 0 || !memchr(data, '\0', size)) {
		char *text = malloc(size + 1);
		if (!text)
			return;
		memcpy(text, data, size);
		text[size] = '\0';
		cli_run_script(cli, -1, text, stop_on_error);
		free(text);
		return;
	}
	int fd = memfd_create("fuzz-input", 0);
	if (fd < 0)
		die("memfd_create", "failed");
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		die("memfd", "cannot write the input");
	cli_run_script(cli, fd, NULL, stop_on_error);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

	struct cli_tokens t;
	cli_tokenize((const char *)data, size, &t);
	cli_tokens_free(&t);
	each_line(NULL, (const char *)data, size, tokenize_line);

	reset_session(&sess, &sess_fresh);
	run_script(&sess, data, size);
	drop_errors(&sess);
	sess.done = false;

	each_line(&sess, (const char *)data, size, terminal_line);
	cli_session_leave(&sess); /* an unfinished `config` is dropped, as at Ctrl-D */
	if (store_in_transaction(sess.cfg->st)) /* as cli_session_close would */
		store_commit(sess.cfg->st);

	/* Whatever the input did, the store must be sound and survive the
	 * round trip. */
	if (sqlite3_total_changes64(store_sqlite(sess.cfg->st)) != changes_at_reset)
		check_store(&sess); /* else it is the fresh store, checked once */
	check_round_trip();
	return 0;
}
