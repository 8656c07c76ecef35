/* SPDX-License-Identifier: MIT */
/*
 * audit.h - the two store tables that are not configuration: the registry
 * of running admin sessions and the audit trail (docs/admin.md).
 */
#ifndef APPSH_STORE_AUDIT_H
#define APPSH_STORE_AUDIT_H

#include <stdint.h>

#include "store/store.h"

struct store_session {
	int64_t id;
	long pid;
	char pstart[32]; /* the process's start time (/proc/PID/stat): tells a reused pid */
	char admin[64];
	char source[64];   /* client address, or the terminal */
	char kind[16];	   /* "ssh", "ssh-tty", "tty", "script" */
	int64_t since;	   /* Unix time */
	char editing[320]; /* what it has in `config` (store/revision.h), or "" */
};

/* Adds a session; *id is its session id (never reused). */
int store_session_add(struct store *st, const struct store_session *s, int64_t *id);
int store_session_remove(struct store *st, int64_t id);
/* 1 and *out when the session is registered, 0 when not, STORE_ERR. */
int store_session_get(struct store *st, int64_t id, struct store_session *out);
/* Every registered session in id order; a non-zero return stops. */
int store_session_each(struct store *st, int (*cb)(void *arg, const struct store_session *s),
		       void *arg);

struct store_audit {
	int64_t id, time;
	const char *admin, *source;
	int64_t session;
	const char *event; /* "commit", "login", "login-refused", "denied", "kill", ... */
	const char *detail;
};

int store_audit_add(struct store *st, const struct store_audit *a);
/* The trail in time order, filtered: admin NULL = everyone; rows from since
 * (Unix time) on; only the last `last` rows when last > 0. */
int store_audit_each(struct store *st, const char *admin, int64_t since, int last,
		     int (*cb)(void *arg, const struct store_audit *a), void *arg);

#endif
