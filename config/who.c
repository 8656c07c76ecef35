/* SPDX-License-Identifier: MIT */
/*
 * who.c - who acts through a configuration handle, and what their admin
 * profile lets them read or change (docs/admin.md).  The front ends ask
 * here; a commit asks again as a backstop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/priv.h"

const struct config_who *config_who(const struct config *cfg)
{
	return &cfg->who;
}

void config_set_origin(struct config *cfg, const char *source, const char *kind)
{
	snprintf(cfg->who.source, sizeof cfg->who.source, "%s", source);
	snprintf(cfg->who.kind, sizeof cfg->who.kind, "%s", kind);
}

void config_set_session(struct config *cfg, long long session)
{
	cfg->who.session = session;
}

void config_become_all(struct config *cfg)
{
	snprintf(cfg->who.name, sizeof cfg->who.name, "admin");
	snprintf(cfg->who.profile, sizeof cfg->who.profile, "Super_User");
	for (int i = 0; i < SCHEMA_AREA_COUNT; i++)
		cfg->who.right[i] = CONFIG_RIGHT_WRITE;
	cfg->who.limited = false;
}

/* The right a profile's value grants ("read-write", "read", "none"). */
static unsigned char right_of(const char *v)
{
	return strcmp(v, "read-write") == 0 ? CONFIG_RIGHT_WRITE
	       : strcmp(v, "read") == 0	    ? CONFIG_RIGHT_READ
					    : CONFIG_RIGHT_NONE;
}

int config_become(struct config *cfg, const char *name, char *err, size_t errlen)
{
	const struct schema_node *users = schema_lookup("system admin user");
	const struct schema_node *profiles = schema_lookup("system admin profile");
	char **uv = config_values_new(users), **pv = config_values_new(profiles);
	unsigned char right[SCHEMA_AREA_COUNT] = {0};
	int rc = -1, any = 0;

	/* Whatever happens, the actor is now name, with nothing granted
	 * unless the profile below says otherwise. */
	snprintf(cfg->who.name, sizeof cfg->who.name, "%s", name);
	cfg->who.profile[0] = '\0';
	cfg->who.limited = true;
	memset(cfg->who.right, 0, sizeof cfg->who.right);
	if (!uv || !pv) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	int found = config_read(cfg, "system admin user", users, name, uv);
	const char *prof =
		found == 1 ? schema_attr_value(users, uv, schema_attr_index(users, "profileid"))
			   : "";
	if (found < 0) {
		snprintf(err, errlen, "%s", config_errmsg(cfg));
		goto out;
	}
	if (found == 0) {
		snprintf(err, errlen, "no administrator '%.40s' is configured", name);
		goto out;
	}
	if (!*prof || config_read(cfg, "system admin profile", profiles, prof, pv) != 1) {
		snprintf(err, errlen, "administrator '%.40s' has no admin profile", name);
		goto out;
	}
	for (int a = SCHEMA_AREA_NONE + 1; a < SCHEMA_AREA_COUNT; a++) {
		int i = schema_attr_index(profiles, schema_area_name(a));
		right[a] = right_of(i >= 0 ? schema_attr_value(profiles, pv, i) : "none");
		any |= right[a];
	}
	if (!any) {
		snprintf(err, errlen,
			 "administrator '%.40s' has profile %.40s, which grants nothing", name,
			 prof);
		goto out;
	}
	snprintf(cfg->who.profile, sizeof cfg->who.profile, "%s", prof);
	memcpy(cfg->who.right, right, sizeof right);
	rc = 0;
out:
	config_values_free(users, uv);
	config_values_free(profiles, pv);
	return rc;
}

int config_reload_who(struct config *cfg, char *err, size_t errlen)
{
	char name[sizeof cfg->who.name];
	if (!cfg->who.limited)
		return 0;
	snprintf(name, sizeof name, "%s", cfg->who.name);
	return config_become(cfg, name, err, errlen);
}

bool config_allows(const struct config *cfg, enum schema_area area, bool write)
{
	if (!cfg->who.limited || area == SCHEMA_AREA_NONE)
		return true;
	if (area >= SCHEMA_AREA_COUNT)
		return false;
	return cfg->who.right[area] >= (write ? CONFIG_RIGHT_WRITE : CONFIG_RIGHT_READ);
}

bool config_node_allows(const struct config *cfg, const struct schema_node *node,
			enum schema_area inherited, bool write)
{
	enum schema_area area = node->area ? node->area : inherited;
	if (!cfg->who.limited)
		return true;
	if (node->kind != SCHEMA_CONTAINER)
		return config_allows(cfg, area, write);
	for (const struct schema_node *const *c = node->children; c && *c; c++)
		if (config_node_allows(cfg, *c, area, write))
			return true;
	return false;
}

int config_refuse(struct config *cfg, enum schema_area area, bool write, const char *what,
		  bool audit, struct config_error *err)
{
	const struct config_who *w = &cfg->who;
	char msg[300];
	if (area == SCHEMA_AREA_NONE)
		snprintf(msg, sizeof msg, "admin '%s' (profile %s) may not use '%s'", w->name,
			 w->profile, what);
	else
		snprintf(msg, sizeof msg, "'%s' needs %s %s; admin '%s' has profile %s", what,
			 schema_area_name(area), write ? "read-write" : "read", w->name,
			 w->profile);
	if (audit)
		config_audit(cfg, "denied", "%s", msg);
	/* -37: the appliance's permission return code (spec §9). */
	return config_fail(err, -37, NULL, NULL, "permission denied: %s", msg);
}
