/* SPDX-License-Identifier: MIT */
/* mailtest.h - `diagnose test connection mailserver`. */
#ifndef APPSH_CMDS_MAILTEST_H
#define APPSH_CMDS_MAILTEST_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The arguments: <server-name> <mail-from> <mail-to> [<timeout>]. */
extern const struct schema_attr cmds_mail_server_arg, cmds_mail_from_arg, cmds_mail_to_arg,
	cmds_mail_timeout_arg;

int cmds_mailserver_test(struct cli *cli, const struct cli_args *a);

#endif
