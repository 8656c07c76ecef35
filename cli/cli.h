/* SPDX-License-Identifier: MIT */
/* cli.h - running command lines: what main() and the terminal glue use. */
#ifndef APPSH_CLI_CLI_H
#define APPSH_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/session.h"
#include "cli/tokenize.h"
#include "cli/walk.h"

/*
 * Runs one complete command line (continuation lines already joined):
 * output through cli->out, error lines left in cli->err for the caller to
 * print.  *secret is set when the line names a secret attribute and
 * *understood when it parsed (both decide what goes into history).
 * Returns 0, or -1 when the command failed.
 */
int cli_run_line(struct cli *cli, const char *line, size_t len, bool *secret, bool *understood);

/* Prints the `?` listing for the words of t (what may come next); -1 with
 * the error recorded when the words before the cursor do not parse. */
int cli_print_help(struct cli *cli, const struct cli_tokens *t);

/*
 * TAB on line: returns the malloc'd text to insert at the end of the line
 * ("" when nothing is certain) and, when more than one thing fits, the
 * choices to show in *list.  NULL when nothing can be completed.
 */
char *cli_complete(struct cli *cli, const char *line, size_t len, struct cli_choices *list);

/* Prints choices as the `?` listing does. */
void cli_print_choices(const struct cli_choices *c);

/*
 * Script mode: runs the lines read from fd (or from text, for -c) and
 * returns the exit status: 0 when every command succeeded, else 1.
 */
int cli_run_script(struct cli *cli, int fd, const char *text, bool stop_on_error);

/* The interactive console on the terminal (cli/editline.c); the exit status. */
int cli_interactive(struct cli *cli);

/* Asks a (y/n) question on the terminal; false unless answered y. */
bool cli_confirm(struct cli *cli, const char *question);

/* Prints and clears the error lines of the last command, each prefixed. */
void cli_flush_errors(struct cli *cli, const char *prefix);

#endif
