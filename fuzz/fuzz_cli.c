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
 *   3. a terminal-like pass: for every line, TAB (cli_complete) and `?`
 *      (cli_choices) in the mode the previous lines reached, then the line
 *      itself through cli_run_line outside script mode, so the one-commit-
 *      per-`next` path is covered too.
 *
 * Everything the shell prints goes to /dev/null: stdout is reopened there
 * and the shell's `stderr` stream is pointed at /dev/null.  libFuzzer keeps
 * its own copy of the original stderr FILE and the sanitizers write to fd 2
 * directly, so their reports still show.  Set APPSH_FUZZ_VERBOSE=1 to see
 * the shell's output when replaying one input.
 *
 * State: one private state directory (mkdtemp in $TMPDIR, default /tmp),
 * removed at exit.  At start-up a session is opened once on the empty
 * directory, which creates the store and key as a first start does; those
 * files are kept in memory as the fresh state.  Before every input
 * (RESET_EVERY = 1) the directory is wiped and the fresh state written back,
 * so every input starts from the same store and key, and a crash reproduces
 * by running the binary on the crash file alone:
 *     build-fuzz/fuzz/fuzz_cli crash-<sha1>
 * Restoring the saved files, rather than letting each input create its own
 * store, saves the schema set-up and 8 of the 10 fsyncs an input costs on
 * average: measured on the seed corpus under ASan, 3.7 s of CPU per 1000
 * inputs instead of 6.1 (~270 exec/s on an idle core, well above the
 * ~200 that makes a full reset per input affordable).  If RESET_EVERY is
 * ever raised, an input may depend on what earlier inputs committed;
 * reproduce such a crash from an empty state directory with the inputs run
 * since the last reset.  A crash or timeout ends the process with _Exit, so
 * the directory ($TMPDIR/appsh-fuzz.XXXXXX) is then left behind.
 *
 * After each input the store is reopened, which must succeed: no input may
 * leave it unusable.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

enum { RESET_EVERY = 1 }; /* restore the fresh state before every Nth input */

static char state_dir[4096];
static unsigned long inputs;

/* The files of a fresh state directory (config.db, secret.key). */
static struct fresh_file {
	char name[256];
	char *data;
	size_t len;
} fresh[8];
static size_t nfresh;

static void die(const char *what, const char *detail)
{
	/* The shell's stderr may be /dev/null; fd 2 is the real one. */
	dprintf(STDERR_FILENO, "fuzz_cli: %s: %s\n", what, detail);
	abort();
}

static void state_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", state_dir, name);
}

/* Removes the files in the state directory (it has no subdirectories). */
static void wipe_state(void)
{
	DIR *d = opendir(state_dir);
	struct dirent *e;
	char path[sizeof state_dir + 256];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			state_path(path, sizeof path, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

static void remove_state(void)
{
	if (!*state_dir)
		return;
	wipe_state();
	rmdir(state_dir);
}

/* Creates the fresh state as a first start does and keeps its files. */
static void save_fresh_state(void)
{
	struct cli cli;
	char err[512] = "", path[sizeof state_dir + 256];
	DIR *d;
	struct dirent *e;

	if (cli_session_open(&cli, state_dir, err, sizeof err) != 0)
		die("cannot create a store", err);
	cli_session_close(&cli);
	if (!(d = opendir(state_dir)))
		die("cannot read", state_dir);
	while ((e = readdir(d))) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (nfresh == sizeof fresh / sizeof *fresh)
			die("too many files in", state_dir);
		struct fresh_file *f = &fresh[nfresh++];
		snprintf(f->name, sizeof f->name, "%s", e->d_name);
		state_path(path, sizeof path, e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &sb) != 0 || !(f->data = malloc(sb.st_size + 1)) ||
		    read(fd, f->data, sb.st_size) != sb.st_size)
			die("cannot read", path);
		f->len = sb.st_size;
		close(fd);
	}
	closedir(d);
}

/* Puts the state directory back to the saved fresh state. */
static void restore_fresh_state(void)
{
	char path[sizeof state_dir + 256];

	wipe_state();
	for (size_t i = 0; i < nfresh; i++) {
		state_path(path, sizeof path, fresh[i].name);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || write(fd, fresh[i].data, fresh[i].len) != (ssize_t)fresh[i].len)
			die("cannot write", path);
		close(fd);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");

	umask(077);
	snprintf(state_dir, sizeof state_dir, "%s/appsh-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(state_dir))
		die("mkdtemp", state_dir);
	atexit(remove_state);

	if (!getenv("APPSH_FUZZ_VERBOSE")) {
		FILE *null = fopen("/dev/null", "w");
		if (!null || !freopen("/dev/null", "w", stdout))
			die("cannot open", "/dev/null");
		stderr = null; /* glibc's stderr is an assignable FILE * */
	}
	save_fresh_state();
	return 0;
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
	if (size == 0 || !memchr(data, '\0', size)) {
		char *text = malloc(size + 1);
		if (!text)
			return;
		memcpy(text, data, size);
		text[size] = '\0';
		cli_run_script(cli, -1, text, false);
		free(text);
		return;
	}
	int fd = memfd_create("fuzz-input", 0);
	if (fd < 0)
		die("memfd_create", "failed");
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		die("memfd", "cannot write the input");
	cli_run_script(cli, fd, NULL, false);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli cli;
	char err[512] = "";

	if (inputs++ % RESET_EVERY == 0)
		restore_fresh_state();

	struct cli_tokens t;
	cli_tokenize((const char *)data, size, &t);
	cli_tokens_free(&t);
	each_line(NULL, (const char *)data, size, tokenize_line);

	if (cli_session_open(&cli, state_dir, err, sizeof err) != 0)
		die("cannot open the session", err);
	run_script(&cli, data, size);
	drop_errors(&cli);
	cli.done = false;

	each_line(&cli, (const char *)data, size, terminal_line);
	cli_session_leave(&cli); /* an unfinished `config` is dropped, as at Ctrl-D */
	cli_session_close(&cli);

	/* Whatever the input did, the store must open again. */
	if (cli_session_open(&cli, state_dir, err, sizeof err) != 0)
		die("the store no longer opens after this input", err);
	cli_session_close(&cli);
	return 0;
}
