/* SPDX-License-Identifier: MIT */
/*
 * fazmaild.h - the shell's side of the mail daemon: `diagnose test
 * application fazmaild <n>`, and the daemon's debug lines on this console.
 *
 * While `diagnose debug enable` is on and the fazmaild level is not 0, the
 * shell keeps a watch connection to the daemon; the line reader (the
 * terminal's or the script's) waits on it beside the input and prints what
 * arrives, above the prompt.
 */
#ifndef APPSH_CMDS_MAILD_H
#define APPSH_CMDS_MAILD_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The tests, one handler each (the grammar gives each its own right:
 * looking is diag-read, pausing and restarting diag-write). */
extern const struct schema_attr cmds_maild_test_arg;
int cmds_maild_status(struct cli *cli, const struct cli_args *a);  /* 1 */
int cmds_maild_stats(struct cli *cli, const struct cli_args *a);   /* 2 */
int cmds_maild_queue(struct cli *cli, const struct cli_args *a);   /* 3 */
int cmds_maild_pause(struct cli *cli, const struct cli_args *a);   /* 90 */
int cmds_maild_resume(struct cli *cli, const struct cli_args *a);  /* 91 */
int cmds_maild_restart(struct cli *cli, const struct cli_args *a); /* 99 */
int cmds_maild_usage(struct cli *cli, const struct cli_args *a);   /* any other */

/* After a `diagnose debug` change: tells the daemon the level, and opens or
 * closes the watch connection.  Quiet: the daemon may be down. */
void cmds_maild_debug_sync(struct cli *cli);

/*
 * The watch connection to wait on, or -1.  While watching is wanted but
 * the daemon is away (restarting), *retry_ms is set to when to ask again
 * (else -1); call again then.
 */
int cmds_maild_watch_fd(int *retry_ms);

/* Prints the lines that arrived on the watch connection (does not wait). */
void cmds_maild_watch_read(void);

#endif
