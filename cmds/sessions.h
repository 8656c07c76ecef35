/* SPDX-License-Identifier: MIT */
/*
 * session.h - `diagnose system admin-session list|status|kill|audit`: the
 * running admin sessions and the audit trail (docs/admin.md).
 */
#ifndef APPSH_CMDS_SESSIONS_H
#define APPSH_CMDS_SESSIONS_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_session_id_arg;
extern const struct schema_attr cmds_audit_admin_arg;
extern const struct schema_attr cmds_audit_since_arg;

int cmds_session_list(struct cli *cli, const struct cli_args *a);
int cmds_session_status(struct cli *cli, const struct cli_args *a);
int cmds_session_kill(struct cli *cli, const struct cli_args *a);
int cmds_session_audit(struct cli *cli, const struct cli_args *a);

/* "2026-11-29", "2026-11-29T20:05[:30]" (UTC), or "30m", "2h", "7d" ago:
 * the Unix time, or -1. */
long long cmds_audit_parse_time(const char *v, long long now);

#endif
