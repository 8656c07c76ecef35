/* SPDX-License-Identifier: MIT */
/* backup.h - `execute backup|restore all-settings` (cmds/backup.c). */
#ifndef APPSH_CMDS_BACKUP_H
#define APPSH_CMDS_BACKUP_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_backup_server_arg, cmds_backup_path_arg, cmds_backup_user_arg,
	cmds_backup_password_arg, cmds_backup_crypt_arg;

int cmds_backup_sftp(struct cli *cli, const struct cli_args *a);
int cmds_backup_scp(struct cli *cli, const struct cli_args *a);
int cmds_backup_file(struct cli *cli, const struct cli_args *a);
int cmds_restore_sftp(struct cli *cli, const struct cli_args *a);
int cmds_restore_scp(struct cli *cli, const struct cli_args *a);
int cmds_restore_file(struct cli *cli, const struct cli_args *a);

#endif
