/* SPDX-License-Identifier: MIT */
/* status.h - `get system status` (spec §8.8). */
#ifndef APPSH_CMDS_STATUS_H
#define APPSH_CMDS_STATUS_H

struct cli;
struct cli_out;

/* Prints the status block. */
int cmds_system_status(struct cli *cli, struct cli_out *out);

#endif
