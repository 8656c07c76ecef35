/* SPDX-License-Identifier: MIT */
/*
 * sessions.h - the registry of running admin sessions and the audit trail,
 * as the front ends read and change them (docs/admin.md).  A session is
 * registered with its process and that process's start time, so a row
 * whose process is gone (or whose pid was reused) is told apart.
 */
#ifndef APPSH_CONFIG_SESSIONS_H
#define APPSH_CONFIG_SESSIONS_H

#include <stdbool.h>

#include "config/config.h"
#include "store/audit.h"

/* Registers this process as a session of the current actor (name, source,
 * kind); the id is then config_who()->session.  0, or -1 (config_errmsg). */
int config_session_register(struct config *cfg);
/* Removes this process's row (not when it was killed: the row is gone). */
void config_session_unregister(struct config *cfg);
/* Whether this process's session was killed (its row removed) by another
 * admin.  A store error is not a kill. */
bool config_session_killed(struct config *cfg);

/* Every registered session whose process still runs, in id order; rows of
 * processes that are gone are removed.  0, or -1. */
int config_session_each(struct config *cfg, int (*cb)(void *arg, const struct store_session *s),
			void *arg);
/* Kills session id (audited): 1, 0 when there is no such session, -1. */
int config_session_kill(struct config *cfg, long long id, struct store_session *killed);

/* The audit trail in time order: admin NULL = everyone; rows from since
 * (Unix time) on; only the last `last` rows when last > 0.  0, or -1. */
int config_audit_each(struct config *cfg, const char *admin, long long since, int last,
		      int (*cb)(void *arg, const struct store_audit *a), void *arg);

#endif
