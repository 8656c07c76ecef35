/* SPDX-License-Identifier: MIT */
/* audit.c - the audit trail: a store row per event, and a syslog line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "config/priv.h"
#include "store/audit.h"

/* Whether a syslog daemon listens: without one, glibc's syslog() tries to
 * connect again on every call (three system calls a line), which made a
 * 10,000-entry import spend most of its time on nothing. */
static bool syslog_listening(void)
{
	static int state = -1;
	struct stat sb;
	if (state < 0)
		state = stat(_PATH_LOG, &sb) == 0 && S_ISSOCK(sb.st_mode);
	return state;
}

static void to_syslog(const char *line)
{
	static bool opened;
	if (!syslog_listening())
		return;
	if (!opened) {
		openlog("appsh", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
		opened = true;
	}
	syslog(LOG_NOTICE, "%s", line);
}

void config_audit(struct config *cfg, const char *event, const char *fmt, ...)
{
	char detail[3600], line[3900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	struct store_audit a = {
		.time = time(NULL),
		.admin = cfg->who.name,
		.source = cfg->who.source[0] ? cfg->who.source : "console",
		.session = cfg->who.session,
		.event = event,
		.detail = detail,
	};
	store_audit_add(cfg->st, &a); /* a failure here must not fail the command */
	if (!syslog_listening())
		return;
	snprintf(line, sizeof line, "%s: admin=%s from=%s session=%lld %s", event, a.admin,
		 a.source, (long long)a.session, detail);
	if (!cfg->committing) {
		to_syslog(line);
		return;
	}
	char **p = realloc(cfg->syslog_held, (cfg->nsyslog_held + 1) * sizeof *p);
	if (p && (p[cfg->nsyslog_held] = strdup(line)))
		cfg->nsyslog_held++;
	if (p)
		cfg->syslog_held = p;
}

void config_audit_done(struct config *cfg, bool committed)
{
	for (size_t i = 0; i < cfg->nsyslog_held; i++) {
		if (committed)
			to_syslog(cfg->syslog_held[i]);
		free(cfg->syslog_held[i]);
	}
	free(cfg->syslog_held);
	cfg->syslog_held = NULL;
	cfg->nsyslog_held = 0;
}
