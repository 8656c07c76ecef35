/* SPDX-License-Identifier: MIT */
/* debug.h - the `diagnose debug` handlers (the grammar is in cmds/grammar.c). */
#ifndef APPSH_CMDS_DEBUG_H
#define APPSH_CMDS_DEBUG_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The level argument: "-1" or 0-255 (validation for the grammar). */
extern const struct schema_attr cmds_debug_level_arg;

int cmds_debug_fazmaild(struct cli *cli, const struct cli_args *a);
int cmds_debug_enable(struct cli *cli, const struct cli_args *a);
int cmds_debug_disable(struct cli *cli, const struct cli_args *a);
int cmds_debug_timestamp_enable(struct cli *cli, const struct cli_args *a);
int cmds_debug_timestamp_disable(struct cli *cli, const struct cli_args *a);
int cmds_debug_reset(struct cli *cli, const struct cli_args *a);
int cmds_debug_info(struct cli *cli, const struct cli_args *a);

#endif
