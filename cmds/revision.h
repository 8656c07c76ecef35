/* SPDX-License-Identifier: MIT */
/* revision.h - `execute revision list | diff | revert` (config/revision.h). */
#ifndef APPSH_CMDS_REVISION_H
#define APPSH_CMDS_REVISION_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_revision_id_arg, cmds_revision_id2_arg,
	cmds_revision_count_arg;

int cmds_revision_list(struct cli *cli, const struct cli_args *a);
int cmds_revision_diff(struct cli *cli, const struct cli_args *a);
int cmds_revision_revert(struct cli *cli, const struct cli_args *a);

#endif
