/* SPDX-License-Identifier: MIT */
/*
 * admin.c - the rules that keep administrators from locking everyone out,
 * checked inside every commit to `system admin user` or `system admin
 * profile` (the schema's commit_check), on the state the commit leaves:
 *
 *   - the profile Super_User exists and grants read-write on every area;
 *   - at least one administrator has a profile with admin-setting
 *     read-write (who can repair everything else);
 *   - a logged-in administrator keeps their own entry and does not lower
 *     their own admin-setting right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/perm.h"
#include "schema/admin.h"
#include "store/store.h"

const char *cli_admin_commit_check(struct cli *cli, char *msg, size_t len);

/* The right a profile grants on area (CLI_RIGHT_*), -1 when the profile
 * does not exist. */
static int profile_right(struct cli *cli, const char *profile, enum schema_area area)
{
	const struct schema_node *p = schema_lookup("system admin profile");
	char **v = calloc(schema_attr_count(p) + 1, sizeof *v);
	int rc = -1;
	if (v && *profile && cli_load_values(cli, "system admin profile", p, profile, v) == 1) {
		const char *r = cli_attr_value(p, v, schema_attr_index(p, schema_area_name(area)));
		rc = strcmp(r, "read-write") == 0 ? CLI_RIGHT_WRITE
		     : strcmp(r, "read") == 0	  ? CLI_RIGHT_READ
						  : CLI_RIGHT_NONE;
	}
	cli_free_values(p, v);
	return rc;
}

/* The profileid of an admin (malloc'd), NULL when the admin does not exist. */
static char *user_profile(struct cli *cli, const char *user)
{
	const struct schema_node *u = schema_lookup("system admin user");
	char **v = calloc(schema_attr_count(u) + 1, sizeof *v);
	char *p = NULL;
	if (v && cli_load_values(cli, "system admin user", u, user, v) == 1)
		p = strdup(cli_attr_value(u, v, schema_attr_index(u, "profileid")));
	cli_free_values(u, v);
	return p;
}

struct supers {
	struct cli *cli;
	int n;
};

static int count_super(void *arg, const char *user)
{
	struct supers *s = arg;
	char *p = user_profile(s->cli, user);
	if (p && profile_right(s->cli, p, SCHEMA_AREA_ADMIN) == CLI_RIGHT_WRITE)
		s->n++;
	free(p);
	return 0;
}

const char *cli_admin_commit_check(struct cli *cli, char *msg, size_t len)
{
	for (int a = SCHEMA_AREA_NONE + 1; a < SCHEMA_AREA_COUNT; a++)
		if (profile_right(cli, SCHEMA_SUPER_USER, a) != CLI_RIGHT_WRITE) {
			snprintf(msg, len,
				 "the built-in profile %s must exist and keep read-write on every "
				 "area",
				 SCHEMA_SUPER_USER);
			return msg;
		}
	struct supers s = {cli, 0};
	if (store_entry_keys(cli->st, "system admin user", count_super, &s) != STORE_OK) {
		snprintf(msg, len, "%s", store_errmsg(cli->st));
		return msg;
	}
	if (s.n == 0) {
		snprintf(msg, len,
			 "at least one administrator must keep a profile with admin-setting "
			 "read-write (e.g. %s)",
			 SCHEMA_SUPER_USER);
		return msg;
	}
	if (!cli->admin.limited)
		return NULL;
	char *mine = user_profile(cli, cli->admin.name);
	int right = mine ? profile_right(cli, mine, SCHEMA_AREA_ADMIN) : -1;
	free(mine);
	if (right < cli->admin.right[SCHEMA_AREA_ADMIN]) {
		snprintf(msg, len,
			 "administrator '%s' may not delete or rename their own account or lower "
			 "their own admin-setting right",
			 cli->admin.name);
		return msg;
	}
	return NULL;
}
