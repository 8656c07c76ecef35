/* SPDX-License-Identifier: MIT */
/*
 * grep.h - the `| grep` line filter behind cli_out (private to cli/output.c).
 *
 * The filter is fed the command's output one line at a time (without the
 * newline) and hands each line it keeps to an emit callback, split into a
 * prefix ("12:" for -n), the line itself and a suffix (" <---" for -f), so
 * that long lines are never copied just to decorate them.
 */
#ifndef APPSH_CLI_GREP_H
#define APPSH_CLI_GREP_H

#include <stddef.h>

struct cli_grep;

/* Receives one output line; prefix and suffix are NUL-terminated, s is not. */
typedef void cli_grep_emit_fn(void *ctx, const char *prefix, const char *s, size_t n,
			      const char *suffix);

/*
 * Parses `grep [-invfcABC] PATTERN` (argv[0] is the first word after
 * "grep").  Returns the filter, or NULL with a one-line message in err.
 */
struct cli_grep *cli_grep_new(int argc, char *const argv[], cli_grep_emit_fn *emit, void *ctx,
			      char *err, size_t errlen);
void cli_grep_free(struct cli_grep *g);

/* Filters one line of the command's output. */
void cli_grep_line(struct cli_grep *g, const char *s, size_t n);

/* End of the command's output: emits the -c count or the -h usage text. */
void cli_grep_finish(struct cli_grep *g);

#endif
