/* SPDX-License-Identifier: MIT */
/* sessions.c - the session registry and the audit trail (sessions.h). */
#include "config/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/priv.h"

/* A process's start time (/proc/PID/stat field 22) as text. */
static int proc_start(long pid, char *buf, size_t len)
{
	char path[64], stat[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
	if (f)
		fclose(f);
	stat[n] = '\0';
	/* Field 22 (starttime); the command name in field 2 may hold spaces. */
	char *p = strrchr(stat, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	snprintf(buf, len, "%.*s", (int)strcspn(p + 1, " "), p + 1);
	return 0;
}

/* Whether the registered process pid, started at pstart, still runs. */
static bool alive(long pid, const char *pstart)
{
	char now[32];
	return proc_start(pid, now, sizeof now) == 0 && strcmp(now, pstart) == 0;
}

int config_session_register(struct config *cfg)
{
	struct store_session s = {.pid = getpid(), .since = time(NULL)};
	int64_t id;
	proc_start(s.pid, s.pstart, sizeof s.pstart);
	snprintf(s.admin, sizeof s.admin, "%s", cfg->who.name);
	snprintf(s.source, sizeof s.source, "%s", cfg->who.source);
	snprintf(s.kind, sizeof s.kind, "%s", cfg->who.kind);
	if (store_session_add(cfg->st, &s, &id) != STORE_OK)
		return -1;
	cfg->who.session = id;
	return 0;
}

void config_session_unregister(struct config *cfg)
{
	if (cfg->who.session)
		store_session_remove(cfg->st, cfg->who.session);
	cfg->who.session = 0;
}

bool config_session_killed(struct config *cfg)
{
	struct store_session s;
	if (!cfg->who.session)
		return false;
	if (store_session_get(cfg->st, cfg->who.session, &s) != 0)
		return false;
	cfg->who.session = 0; /* the row is gone: nothing to unregister */
	return true;
}

struct each {
	int (*cb)(void *, const struct store_session *);
	void *arg;
	int64_t stale[64];
	int nstale;
};

static int each_live(void *arg, const struct store_session *s)
{
	struct each *e = arg;
	if (!alive(s->pid, s->pstart)) { /* its process is gone: prune */
		if (e->nstale < 64)
			e->stale[e->nstale++] = s->id;
		return 0;
	}
	return e->cb(e->arg, s);
}

int config_session_each(struct config *cfg, int (*cb)(void *arg, const struct store_session *s),
			void *arg)
{
	struct each e = {.cb = cb, .arg = arg};
	if (store_session_each(cfg->st, each_live, &e) != STORE_OK)
		return -1;
	for (int i = 0; i < e.nstale; i++)
		store_session_remove(cfg->st, e.stale[i]);
	return 0;
}

int config_session_kill(struct config *cfg, long long id, struct store_session *killed)
{
	int rc = store_session_get(cfg->st, id, killed);
	if (rc != 1 || !alive(killed->pid, killed->pstart))
		return rc < 0 ? -1 : 0;
	/* The session sees its row gone within a second and ends itself:
	 * sessions of other admins run as other users, out of a signal's reach. */
	if (store_session_remove(cfg->st, id) != STORE_OK)
		return -1;
	config_audit(cfg, "kill", "session %lld of %s from %s", id, killed->admin, killed->source);
	return 1;
}

int config_audit_each(struct config *cfg, const char *admin, long long since, int last,
		      int (*cb)(void *arg, const struct store_audit *a), void *arg)
{
	return store_audit_each(cfg->st, admin, since, last, cb, arg) == STORE_OK ? 0 : -1;
}
