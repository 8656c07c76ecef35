/* SPDX-License-Identifier: MIT */
/* mailtest.h - `diagnose test connection mailserver`. */
#ifndef APPSH_DIAG_MAILTEST_H
#define APPSH_DIAG_MAILTEST_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The arguments: <server-name> <mail-from> <mail-to> [<timeout>]. */
extern const struct schema_attr diag_mail_server_arg, diag_mail_from_arg, diag_mail_to_arg,
	diag_mail_timeout_arg;

int diag_mailserver_test(struct cli *cli, const struct cli_args *a);

#endif
