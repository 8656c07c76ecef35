/* SPDX-License-Identifier: MIT */
/*
 * nslookup.h - `execute nslookup <name> [<server>]` (A and AAAA) and
 * `execute nslookup-mx <name> [<server>]` (MX), through the servers of
 * `system dns` or the one given.
 */
#ifndef APPSH_CMDS_NSLOOKUP_H
#define APPSH_CMDS_NSLOOKUP_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The arguments: <name> [<server>]. */
extern const struct schema_attr cmds_nslookup_name_arg, cmds_nslookup_server_arg;

int cmds_nslookup(struct cli *cli, const struct cli_args *a);
int cmds_nslookup_mx(struct cli *cli, const struct cli_args *a);

#endif
