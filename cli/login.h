/* SPDX-License-Identifier: MIT */
/*
 * login.h - appsh as an SSH login shell (docs/admin.md): who logs in, from
 * where, what they asked for, and the registry of running sessions.
 */
#ifndef APPSH_CLI_LOGIN_H
#define APPSH_CLI_LOGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/session.h"

/* Whether this process is a login shell: argv[0] starts with '-', the
 * account's shell in the password database is this very program, or
 * --login was given (for ForceCommand set-ups). */
bool cli_login_detect(const char *argv0, bool login_flag);

/* Whether cmd asks for a file transfer (scp, sftp-server, rsync), which a
 * login refuses. */
bool cli_login_is_transfer(const char *cmd);

/* The client address of an SSH connection ($SSH_CONNECTION's first word)
 * into buf; false when there is none. */
bool cli_login_client(char *buf, size_t len);

/* Whether addr (IPv4 or IPv6 text) is allowed by the trusted hosts of the
 * admin's entry (all at their defaults: any address). */
bool cli_login_trusted(struct cli *cli, const char *admin, const char *addr);

/* Makes the session's admin `name` as a login: profile, trusted hosts.
 * 0, or -1 with a one-line reason in err (also in the audit trail). */
int cli_login_admin(struct cli *cli, const char *name, char *err, size_t errlen);

/* The session registry (diagnose system admin-session). */
int cli_login_register(struct cli *cli);
void cli_login_unregister(struct cli *cli);
/* Whether an admin killed this session (its registry row is gone). */
bool cli_login_killed(struct cli *cli);
#endif
