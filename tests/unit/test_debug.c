/* SPDX-License-Identifier: MIT */
/*
 * test_debug.c - the debug console (diag/debug.c): levels and switches,
 * what log_debug_printf writes to stdout (captured through a temporary
 * file on fd 1), and the `diagnose debug` commands through the real walker.
 */
#include "cli/walk.h"
#include "cmds/cmds.h"
#include "log/debug.h"
#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int saved_fd = -1;
static FILE *cap;

/* Sends stdout to a temporary file until captured() returns its text. */
static void capture(void)
{
	fflush(stdout);
	cap = tmpfile();
	saved_fd = dup(STDOUT_FILENO);
	if (!cap || saved_fd < 0 || dup2(fileno(cap), STDOUT_FILENO) < 0) {
		perror("capture");
		exit(2);
	}
}

static char *captured(void)
{
	static char buf[16384];
	fflush(stdout);
	dup2(saved_fd, STDOUT_FILENO);
	close(saved_fd);
	rewind(cap);
	size_t n = fread(buf, 1, sizeof buf - 1, cap);
	buf[n] = '\0';
	fclose(cap);
	return buf;
}

static void test_levels(void)
{
	log_debug_reset();
	CHECK(log_debug_level("fazmaild") == 0); /* "0 by default" */
	CHECK(log_debug_level("nosuchd") == -1);
	CHECK(log_debug_set_level("fazmaild", 8) == 0);
	CHECK(log_debug_level("fazmaild") == 8);
	CHECK(log_debug_set_level("fazmaild", -1) == 0);
	CHECK(log_debug_level("fazmaild") == 0);
	CHECK(log_debug_set_level("fazmaild", 255) == 0);
	CHECK(log_debug_set_level("fazmaild", 256) == -1);
	CHECK(log_debug_set_level("fazmaild", -2) == -1);
	CHECK(log_debug_set_level("nosuchd", 1) == -1);
	CHECK(log_debug_level("fazmaild") == 255); /* refused ones changed nothing */

	/* Output must be enabled, and the level reached; level 0 prints nothing. */
	log_debug_set_level("fazmaild", 8);
	CHECK(!log_debug_on("fazmaild", 1));
	log_debug_set_enabled(true);
	CHECK(log_debug_on("fazmaild", 1));
	CHECK(log_debug_on("fazmaild", 8));
	CHECK(!log_debug_on("fazmaild", 9));
	CHECK(!log_debug_on("fazmaild", 255));
	CHECK(!log_debug_on("nosuchd", 1));
	CHECK(!log_debug_on(NULL, 1));
	log_debug_set_level("fazmaild", 0);
	CHECK(!log_debug_on("fazmaild", 0));
	log_debug_set_enabled(false);

	log_debug_set_level("fazmaild", 255);
	log_debug_set_enabled(true);
	log_debug_set_timestamps(true);
	log_debug_reset();
	CHECK(log_debug_level("fazmaild") == 0 && !log_debug_on("fazmaild", 1));
}

static void test_output(void)
{
	log_debug_reset();
	log_debug_set_level("fazmaild", 255);

	capture();
	log_debug_printf("fazmaild", 1, "disabled: never shown");
	CHECK_STR(captured(), "");

	log_debug_set_enabled(true);
	capture();
	log_debug_printf("fazmaild", 255, "<<< %d %s", 250, "OK");
	log_debug_printf("fazmaild", 8, "with newline\n");
	log_debug_printf("nosuchd", 1, "unknown application");
	CHECK_STR(captured(), "<<< 250 OK\nwith newline\n");

	/* Lines: CRLF ends a line, an empty line is kept, control bytes and
	 * C1/invalid UTF-8 are escaped, valid UTF-8 passes. */
	capture();
	log_debug_printf("fazmaild", 1, "a\r\nb\n\nc\x1b[2Jd\x7f\te\r");
	log_debug_printf("fazmaild", 1, "%s", "");
	log_debug_printf("fazmaild", 1, "caf\xc3\xa9 \xc2\x9b \xff \xe2\x82");
	log_debug_printf("fazmaild", 1, "nul:%c.", 0);
	CHECK_STR(captured(), "a\nb\n\nc\\x1b[2Jd\\x7f\te\n"
			      "\n"
			      "caf\xc3\xa9 \\xc2\\x9b \\xff \\xe2\\x82\n"
			      "nul:\\x00.\n");

	/* Longer than the stack buffer. */
	char big[3000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	capture();
	log_debug_printf("fazmaild", 1, "%s|", big);
	char *got = captured();
	CHECK(strlen(got) == sizeof big + 1 && got[sizeof big - 1] == '|');

	/* Timestamps: "YYYY-MM-DD HH:MM:SS " in local time on every line. */
	char before[32], after[32], want[160];
	struct tm tm;
	time_t t;
	log_debug_set_timestamps(true);
	t = time(NULL);
	strftime(before, sizeof before, "%Y-%m-%d %H:%M:%S ", localtime_r(&t, &tm));
	capture();
	log_debug_printf("fazmaild", 1, "one\ntwo");
	got = captured();
	t = time(NULL);
	strftime(after, sizeof after, "%Y-%m-%d %H:%M:%S ", localtime_r(&t, &tm));
	snprintf(want, sizeof want, "%sone\n%stwo\n", before, before);
	if (strcmp(got, want) != 0)
		snprintf(want, sizeof want, "%sone\n%stwo\n", after, after);
	CHECK_STR(got, want);
	log_debug_reset();
}

/* Runs one command line through the walker, as the shell does. */
static int run(struct cli *cli, const char *line)
{
	char buf[256], *argv[16], *save;
	int argc = 0;
	struct cli_args a;

	snprintf(buf, sizeof buf, "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	free(cli->err);
	cli->err = NULL;
	cli->errlen = 0;
	cli->last_code = 0;
	cli_run_fn fn = cli_walk(cli, argc, argv, &a);
	int rc = fn ? fn(cli, &a) : -1;
	cli_out_finish(cli->out);
	return rc;
}

static void test_commands(void)
{
	FILE *f = tmpfile();
	char dir[] = "/tmp/appsh-test-debug-XXXXXX", err[256];
	struct cli cli;
	if (!mkdtemp(dir) || cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) != 0) {
		fprintf(stderr, "test_commands: %s\n", err);
		exit(2);
	}
	cli_out_free(cli.out);
	cli.out = cli_out_new(f);
	if (!f || !cli.out) {
		perror("test_commands");
		exit(2);
	}

	log_debug_reset();
	CHECK(run(&cli, "diagnose debug application fazmaild 8") == 0);
	CHECK(log_debug_level("fazmaild") == 8);
	CHECK(run(&cli, "diag deb app faz 255") == 0);
	CHECK(log_debug_level("fazmaild") == 255);
	CHECK(run(&cli, "diagnose debug application fazmaild -1") == 0);
	CHECK(log_debug_level("fazmaild") == 0);
	CHECK(run(&cli, "diagnose debug application fazmaild 7") == 0);

	/* Refused by the walker: the level stays. */
	CHECK(run(&cli, "diagnose debug application fazmaild 256") == -1);
	CHECK(cli.last_code == -651);
	CHECK_STR(cli.err, "level: '256' is out of range -1 to 255\n"
			   "value parse error before '256'\n"
			   "Command fail. Return code -651\n");
	CHECK(run(&cli, "diagnose debug application fazmaild -2") == -1);
	CHECK(run(&cli, "diagnose debug application fazmaild x") == -1);
	CHECK(run(&cli, "diagnose debug application fazmaild") == -1);
	CHECK(cli.last_code == -160);
	CHECK(log_debug_level("fazmaild") == 7);

	CHECK(run(&cli, "diagnose debug enable") == 0);
	CHECK(log_debug_on("fazmaild", 7));
	CHECK(run(&cli, "diagnose debug timestamp enable") == 0);
	CHECK(run(&cli, "diagnose debug info") == 0);
	CHECK(run(&cli, "diagnose debug disable") == 0);
	CHECK(!log_debug_on("fazmaild", 1));
	CHECK(run(&cli, "diagnose debug timestamp disable") == 0);
	CHECK(run(&cli, "diagnose debug enable") == 0);
	CHECK(run(&cli, "diagnose debug reset") == 0);
	CHECK(!log_debug_on("fazmaild", 1) && log_debug_level("fazmaild") == 0);
	CHECK(run(&cli, "diagnose debug info") == 0);

	/* The info blocks went through the command output (for `| grep`). */
	char buf[2048];
	rewind(f);
	buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
	CHECK_STR(buf, "General\n"
		       "    cli debug level:                0\n"
		       "    console debug output:           enable\n"
		       "    debug timestamps:               enable\n"
		       "    terminal session debug output:  disable\n"
		       "    terminal session data masking:  disable\n"
		       "\n"
		       "Application\n"
		       "    fazmaild debug level:           7\n"
		       "General\n"
		       "    cli debug level:                0\n"
		       "    console debug output:           disable\n"
		       "    debug timestamps:               disable\n"
		       "    terminal session debug output:  disable\n"
		       "    terminal session data masking:  disable\n"
		       "\n"
		       "Application\n"
		       "    fazmaild debug level:           0\n");

	/* Only at the top level. */
	cli.mode = CLI_MODE_TABLE;
	CHECK(run(&cli, "diagnose debug info") == -1);
	CHECK(cli.last_code == -61);

	cli.mode = CLI_MODE_TOP;
	cli_session_close(&cli);
	fclose(f);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_levels();
	test_output();
	test_commands();
	return check_summary();
}
