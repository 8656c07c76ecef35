/* SPDX-License-Identifier: MIT */
/*
 * cmds.h - the command tree the shell walks: its root (cmds/config.c), the
 * `diagnose` and `execute` branches (cmds/grammar.c), and what the shell
 * is given to run it.
 */
#ifndef APPSH_CMDS_CMDS_H
#define APPSH_CMDS_CMDS_H

#include "cli/session.h"
#include "cli/walk.h"

/* The root of the grammar. */
extern const struct cli_node cmds_grammar[];
/* What may follow `diagnose`, and `execute`. */
extern const struct cli_node cmds_diagnose[];
extern const struct cli_node cmds_execute[];

/* The grammar and the daemon watch, for cli_session_open(). */
extern const struct cli_hooks cmds_hooks;

#endif
