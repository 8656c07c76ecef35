/* SPDX-License-Identifier: MIT */
/* perm.c - admin profiles' rights, permission refusals, the audit trail. */
#include "cli/perm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "store/admin.h"
#include "store/store.h"

bool cli_perm_allows(const struct cli *cli, enum schema_area area, bool write)
{
	if (!cli->admin.limited || area == SCHEMA_AREA_NONE)
		return true;
	if (area >= SCHEMA_AREA_COUNT)
		return false;
	return cli->admin.right[area] >= (write ? CLI_RIGHT_WRITE : CLI_RIGHT_READ);
}

bool cli_perm_path_allows(const struct cli *cli, const struct schema_node *node,
			  enum schema_area inherited, bool write)
{
	enum schema_area area = node->area ? node->area : inherited;
	if (!cli->admin.limited)
		return true;
	if (node->kind != SCHEMA_CONTAINER)
		return cli_perm_allows(cli, area, write);
	for (const struct schema_node *const *c = node->children; c && *c; c++)
		if (cli_perm_path_allows(cli, *c, area, write))
			return true;
	return false;
}

void cli_perm_all(struct cli *cli)
{
	snprintf(cli->admin.name, sizeof cli->admin.name, "admin");
	snprintf(cli->admin.profile, sizeof cli->admin.profile, "Super_User");
	for (int i = 0; i < SCHEMA_AREA_COUNT; i++)
		cli->admin.right[i] = CLI_RIGHT_WRITE;
	cli->admin.limited = false;
}

int cli_perm_load(struct cli *cli, const char *name, char *err, size_t errlen)
{
	const struct schema_node *users = schema_lookup("system admin user");
	const struct schema_node *profiles = schema_lookup("system admin profile");
	char **uv = calloc(schema_attr_count(users) + 1, sizeof *uv);
	char **pv = calloc(schema_attr_count(profiles) + 1, sizeof *pv);
	int rc = -1, any = 0;

	if (!uv || !pv) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	int found = cli_load_values(cli, "system admin user", users, name, uv);
	const char *prof =
		found == 1 ? cli_attr_value(users, uv, schema_attr_index(users, "profileid")) : "";
	if (found < 0) {
		snprintf(err, errlen, "%s", store_errmsg(cli->st));
		goto out;
	}
	if (found == 0) {
		snprintf(err, errlen, "no administrator '%.40s' is configured", name);
		goto out;
	}
	if (!*prof || cli_load_values(cli, "system admin profile", profiles, prof, pv) != 1) {
		snprintf(err, errlen, "administrator '%.40s' has no admin profile", name);
		goto out;
	}
	memset(&cli->admin.right, 0, sizeof cli->admin.right);
	for (int a = SCHEMA_AREA_NONE + 1; a < SCHEMA_AREA_COUNT; a++) {
		int i = schema_attr_index(profiles, schema_area_name(a));
		const char *v = i >= 0 ? cli_attr_value(profiles, pv, i) : "none";
		cli->admin.right[a] = strcmp(v, "read-write") == 0 ? CLI_RIGHT_WRITE
				      : strcmp(v, "read") == 0	   ? CLI_RIGHT_READ
								   : CLI_RIGHT_NONE;
		any |= cli->admin.right[a];
	}
	if (!any) {
		snprintf(err, errlen,
			 "administrator '%.40s' has profile %.40s, which grants nothing", name,
			 prof);
		goto out;
	}
	snprintf(cli->admin.name, sizeof cli->admin.name, "%s", name);
	snprintf(cli->admin.profile, sizeof cli->admin.profile, "%s", prof);
	cli->admin.limited = true;
	rc = 0;
out:
	cli_free_values(users, uv);
	cli_free_values(profiles, pv);
	return rc;
}

int cli_perm_refuse(struct cli *cli, enum schema_area area, bool write, const char *what,
		    bool audit)
{
	char msg[300];
	if (area == SCHEMA_AREA_NONE)
		snprintf(msg, sizeof msg,
			 "permission denied: admin '%s' (profile %s) may not use '%s'",
			 cli->admin.name, cli->admin.profile, what);
	else
		snprintf(msg, sizeof msg,
			 "permission denied: '%s' needs %s %s; admin '%s' has profile %s", what,
			 schema_area_name(area), write ? "read-write" : "read", cli->admin.name,
			 cli->admin.profile);
	if (audit)
		cli_audit(cli, "denied", "%s", msg + strlen("permission denied: "));
	/* -37: the appliance's permission return code (spec §9). */
	return cli_fail(cli, -37, NULL, NULL, msg);
}

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

void cli_audit(struct cli *cli, const char *event, const char *fmt, ...)
{
	char detail[3600], line[3900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	struct store_audit a = {
		.time = time(NULL),
		.admin = cli->admin.name,
		.source = cli->admin.source[0] ? cli->admin.source : "console",
		.session = cli->admin.session,
		.event = event,
		.detail = detail,
	};
	if (cli->st)
		store_audit_add(cli->st, &a); /* a failure here must not fail the command */
	if (!syslog_listening())
		return;
	snprintf(line, sizeof line, "%s: admin=%s from=%s session=%lld %s", event, a.admin,
		 a.source, (long long)a.session, detail);
	if (!cli->committing) {
		to_syslog(line);
		return;
	}
	char **p = realloc(cli->syslog_pending, (cli->nsyslog_pending + 1) * sizeof *p);
	if (p && (p[cli->nsyslog_pending] = strdup(line)))
		cli->nsyslog_pending++;
	if (p)
		cli->syslog_pending = p;
}

void cli_audit_commit_done(struct cli *cli, bool committed)
{
	for (size_t i = 0; i < cli->nsyslog_pending; i++) {
		if (committed)
			to_syslog(cli->syslog_pending[i]);
		free(cli->syslog_pending[i]);
	}
	free(cli->syslog_pending);
	cli->syslog_pending = NULL;
	cli->nsyslog_pending = 0;
}
