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
 * Then the store must pass SQLite's integrity check and open again, and its
 * `show` output, fed as a script to a fresh store with the same key, must
 * run without error and give the same `show` output back (the re-import
 * round trip).  A failure there aborts with both outputs on stderr.
 *
 * Everything the shell prints goes to /dev/null: stdout is reopened there
 * and the shell's `stderr` stream is pointed at /dev/null.  libFuzzer keeps
 * its own copy of the original stderr FILE and the sanitizers write to fd 2
 * directly, so their reports still show.  Set APPSH_FUZZ_VERBOSE=1 to see
 * the shell's output when replaying one input.
 *
 * State: one private directory (mkdtemp in $TMPDIR, default /tmp), removed
 * at exit, holding two state directories: a/ for the input, b/ for the
 * round trip.  At start-up a session is opened once on an empty one, which
 * creates the store and key as a first start does; those files are kept in
 * memory as the fresh state.  Before every input (RESET_EVERY = 1) a/ is
 * wiped and the fresh state written back, so every input starts from the
 * same store and key, and a crash reproduces by running the binary on the
 * crash file alone:
 *     build-fuzz/fuzz/fuzz_cli crash-<sha1>
 * Restoring the saved files, rather than letting each input create its own
 * store, saves the schema set-up and 8 of the 10 fsyncs an input costs on
 * average: measured on the seed corpus under ASan, 3.7 s of CPU per 1000
 * inputs instead of 6.1; with the checks above, 4.0 s (~250 exec/s on an
 * idle core, above the ~200 that makes a full reset per input
 * affordable; expect half that on a busy machine).  If RESET_EVERY is
 * ever raised, an input may depend on what earlier inputs committed;
 * reproduce such a crash from an empty state directory with the inputs run
 * since the last reset.  A crash or timeout ends the process with _Exit, so
 * the directory ($TMPDIR/appsh-fuzz.XXXXXX) is then left behind.
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

enum { RESET_EVERY = 1 }; /* restore the fresh state before every Nth input */

static char top_dir[4000];
static char state_dir[4096];  /* top_dir/a: the input's */
static char import_dir[4096]; /* top_dir/b: the round trip's */
static unsigned long inputs;

/* The files of a fresh state directory (config.db, secret.key). */
static struct fresh_file {
	char name[256];
	char *data;
	size_t len;
} fresh[8];
static size_t nfresh;
static char *fresh_show; /* `show` of the fresh state */
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
	wipe_state(state_dir);
	wipe_state(import_dir);
	rmdir(state_dir);
	rmdir(import_dir);
	rmdir(top_dir);
}

/* Creates the fresh state in dir as a first start does and keeps its files. */
static void save_fresh_state(const char *dir)
{
	struct cli cli;
	char err[512] = "", path[4096 + 256];
	DIR *d;
	struct dirent *e;

	if (cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) != 0)
		die("cannot create a store", err);
	cli_session_close(&cli);
	if (!(d = opendir(dir)))
		die("cannot read", dir);
	while ((e = readdir(d))) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (nfresh == sizeof fresh / sizeof *fresh)
			die("too many files in", dir);
		struct fresh_file *f = &fresh[nfresh++];
		snprintf(f->name, sizeof f->name, "%s", e->d_name);
		path_in(path, sizeof path, dir, e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &sb) != 0 || !(f->data = malloc(sb.st_size + 1)) ||
		    read(fd, f->data, sb.st_size) != sb.st_size)
			die("cannot read", path);
		f->len = sb.st_size;
		close(fd);
	}
	closedir(d);
}

/* Puts a state directory back to the saved fresh state. */
static void restore_fresh_state(const char *dir)
{
	char path[4096 + 256];

	wipe_state(dir);
	for (size_t i = 0; i < nfresh; i++) {
		path_in(path, sizeof path, dir, fresh[i].name);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || write(fd, fresh[i].data, fresh[i].len) != (ssize_t)fresh[i].len)
			die("cannot write", path);
		close(fd);
	}
}

/* The output of `show` on the store in dir (malloc'd, NUL-terminated). */
static char *show_config(const char *dir, size_t *len)
{
	struct cli cli;
	char err[512] = "", *buf = NULL;
	bool secret, understood;
	FILE *f = open_memstream(&buf, len);

	if (!f || cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) != 0)
		die("cannot open the session for show", err);
	cli_out_free(cli.out);
	if (!(cli.out = cli_out_new(f)))
		die("cli_out_new", "out of memory");
	if (cli_run_line(&cli, "show", 4, &secret, &understood) != 0)
		die("show failed", cli.err ? cli.err : "");
	cli_session_close(&cli);
	fclose(f);
	return buf;
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
	atexit(remove_state);
	if (mkdir(state_dir, 0700) != 0 || mkdir(import_dir, 0700) != 0)
		die("cannot create state directories in", top_dir);

	if (!getenv("APPSH_FUZZ_VERBOSE")) {
		FILE *null = fopen("/dev/null", "w");
		if (!null || !freopen("/dev/null", "w", stdout))
			die("cannot open", "/dev/null");
		stderr = null; /* glibc's stderr is an assignable FILE * */
	}
	save_fresh_state(state_dir);
	fresh_show = show_config(state_dir, &fresh_show_len);
	return 0;
}

/* Dies unless PRAGMA integrity_check passes on the store in dir. */
static void check_store(const char *dir)
{
	char path[4096 + 256];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	path_in(path, sizeof path, dir, "config.db");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		die("cannot check the store", sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok"))
		die("the store fails its integrity check after this input",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* `show` of the input's store, run as a script on a fresh store with the
 * same key, must succeed and give the same `show` back. */
static void check_round_trip(void)
{
	struct cli cli;
	char err[512] = "";
	size_t len, len2;
	char *shown = show_config(state_dir, &len);

	if (len == fresh_show_len && memcmp(shown, fresh_show, len) == 0) {
		free(shown); /* nothing committed: nothing to re-import */
		return;
	}
	restore_fresh_state(import_dir);
	if (cli_session_open(&cli, &cmds_hooks, import_dir, err, sizeof err) != 0)
		die("cannot open the session for the re-import", err);
	int status = cli_run_script(&cli, -1, shown, false);
	cli_session_close(&cli);
	char *again = show_config(import_dir, &len2);
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
	struct cli cli;
	char err[512] = "";

	if (inputs++ % RESET_EVERY == 0)
		restore_fresh_state(state_dir);

	struct cli_tokens t;
	cli_tokenize((const char *)data, size, &t);
	cli_tokens_free(&t);
	each_line(NULL, (const char *)data, size, tokenize_line);

	if (cli_session_open(&cli, &cmds_hooks, state_dir, err, sizeof err) != 0)
		die("cannot open the session", err);
	run_script(&cli, data, size);
	drop_errors(&cli);
	cli.done = false;

	each_line(&cli, (const char *)data, size, terminal_line);
	cli_session_leave(&cli); /* an unfinished `config` is dropped, as at Ctrl-D */
	cli_session_close(&cli);

	/* Whatever the input did, the store must be sound, open again (in
	 * show_config) and survive the round trip. */
	check_store(state_dir);
	check_round_trip();
	return 0;
}
