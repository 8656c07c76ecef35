/* SPDX-License-Identifier: MIT */
/*
 * output.h - the one layer every command prints through.
 *
 * Commands write text; this layer cuts it into lines and passes each line
 * through the optional `| grep` filter and then the optional `--More--`
 * pager before it reaches the sink.  Because it works line by line, a
 * streaming diagnostic (ping, sniffer) gets grep and paging for free.
 */
#ifndef APPSH_CLI_OUTPUT_H
#define APPSH_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_out;

/* Output to sink (not owned).  No filter, no pager until configured. */
struct cli_out *cli_out_new(FILE *sink);
void cli_out_free(struct cli_out *out);

/*
 * Installs `| grep` for the next command from the words after "grep"
 * (argv[0] is the first option or the pattern):
 *   grep [-i -v -n -c -f] [-A N] [-B N] [-C N] PATTERN
 * Flags may be combined ("-in") and counts attached ("-A3").  PATTERN is a
 * POSIX basic regular expression, as grep(1) reads it.  `-h` (alone) makes
 * the command's output be replaced by the usage text of spec §3.7.
 * Returns 0, or -1 with a one-line message in err ("grep: missing pattern").
 */
int cli_out_set_grep(struct cli_out *out, int argc, char *const argv[], char *err, size_t errlen);

/*
 * Enables `--More--` paging on a terminal: after rows-1 lines the pager
 * writes "--More--" to tty_fd and reads one key from it: space shows the
 * next page, Enter one more line, q or Q discards the rest of the output.
 */
void cli_out_set_pager(struct cli_out *out, int tty_fd, int rows);

/* Flush each line to the sink as soon as it is complete (for streaming). */
void cli_out_set_unbuffered(struct cli_out *out, bool on);

void cli_out_write(struct cli_out *out, const char *s, size_t n);
void cli_out_printf(struct cli_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True once the user quit the pager: a long-running command may stop. */
bool cli_out_quit(const struct cli_out *out);

/*
 * Ends one command's output: emits a pending partial line, prints the count
 * for `grep -c`, flushes the sink, and removes grep and pager so that the
 * next command starts clean.
 */
void cli_out_finish(struct cli_out *out);

#endif
