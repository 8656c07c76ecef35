/* SPDX-License-Identifier: MIT */
/*
 * rules.c - the checks a commit runs beyond each value's own validation:
 * rules on a whole entry (verify) and on the whole committed state of a
 * table (commit), by the path of the node they guard.
 *
 *   system certificate local: the private key belongs to the certificate;
 *   system admin user / profile: nobody can lock everyone out --
 *     the profile Super_User exists and grants read-write on every area;
 *     at least one administrator has admin-setting read-write;
 *     a limited administrator keeps their own entry and does not lower
 *     their own admin-setting right.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/certs.h"
#include "config/priv.h"
#include "schema/admin.h"

/* ---- system certificate local ---------------------------------------- */

static const char *cert_local_verify(struct config *cfg, char *const *vals, char *msg, size_t len)
{
	const struct schema_node *t = schema_lookup("system certificate local");
	const char *c = schema_attr_value(t, vals, schema_attr_index(t, "certificate"));
	const char *enc = schema_attr_value(t, vals, schema_attr_index(t, "private-key"));
	const char *encpw = schema_attr_value(t, vals, schema_attr_index(t, "password"));
	char err[256];
	const char *why = NULL;

	if (!*c || !*enc)
		return NULL; /* incomplete is allowed; the mail test says what is missing */
	char *key = config_secret_decrypt(cfg, enc, err, sizeof err);
	char *pw = *encpw ? config_secret_decrypt(cfg, encpw, err, sizeof err) : NULL;
	BIO *cb = BIO_new_mem_buf(c, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = key ? config_pem_key(key, pw) : NULL;
	if (!k) {
		snprintf(msg, len, "the private key does not decrypt%s",
			 pw ? " with this password" : ": set its password");
		why = msg;
	} else if (!x || X509_check_private_key(x, k) != 1) {
		snprintf(msg, len, "the private key does not match the certificate");
		why = msg;
	}
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	config_secret_free(key);
	config_secret_free(pw);
	return why;
}

/* ---- system admin ------------------------------------------------------ */

/* The right a profile grants on area (CONFIG_RIGHT_*), -1 when the profile
 * does not exist. */
static int profile_right(struct config *cfg, const char *profile, enum schema_area area)
{
	const struct schema_node *p = schema_lookup("system admin profile");
	char **v = config_values_new(p);
	int rc = -1;
	if (v && *profile && config_read(cfg, "system admin profile", p, profile, v) == 1) {
		const char *r =
			schema_attr_value(p, v, schema_attr_index(p, schema_area_name(area)));
		rc = strcmp(r, "read-write") == 0 ? CONFIG_RIGHT_WRITE
		     : strcmp(r, "read") == 0	  ? CONFIG_RIGHT_READ
						  : CONFIG_RIGHT_NONE;
	}
	config_values_free(p, v);
	return rc;
}

/* The profileid of an admin (malloc'd), NULL when the admin does not exist. */
static char *user_profile(struct config *cfg, const char *user)
{
	const struct schema_node *u = schema_lookup("system admin user");
	char **v = config_values_new(u);
	char *p = NULL;
	if (v && config_read(cfg, "system admin user", u, user, v) == 1)
		p = strdup(schema_attr_value(u, v, schema_attr_index(u, "profileid")));
	config_values_free(u, v);
	return p;
}

struct supers {
	struct config *cfg;
	int n;
};

static int count_super(void *arg, const char *user)
{
	struct supers *s = arg;
	char *p = user_profile(s->cfg, user);
	if (p && profile_right(s->cfg, p, SCHEMA_AREA_ADMIN) == CONFIG_RIGHT_WRITE)
		s->n++;
	free(p);
	return 0;
}

static const char *admin_commit(struct config *cfg, char *msg, size_t len)
{
	for (int a = SCHEMA_AREA_NONE + 1; a < SCHEMA_AREA_COUNT; a++)
		if (profile_right(cfg, SCHEMA_SUPER_USER, a) != CONFIG_RIGHT_WRITE) {
			snprintf(msg, len,
				 "the built-in profile %s must exist and keep read-write on every "
				 "area",
				 SCHEMA_SUPER_USER);
			return msg;
		}
	struct supers s = {cfg, 0};
	if (config_keys(cfg, "system admin user", count_super, &s) != 0) {
		snprintf(msg, len, "%s", config_errmsg(cfg));
		return msg;
	}
	if (s.n == 0) {
		snprintf(msg, len,
			 "at least one administrator must keep a profile with admin-setting "
			 "read-write (e.g. %s)",
			 SCHEMA_SUPER_USER);
		return msg;
	}
	if (!cfg->who.limited)
		return NULL;
	char *mine = user_profile(cfg, cfg->who.name);
	int right = mine ? profile_right(cfg, mine, SCHEMA_AREA_ADMIN) : -1;
	free(mine);
	if (right < cfg->who.right[SCHEMA_AREA_ADMIN]) {
		snprintf(msg, len,
			 "administrator '%s' may not delete or rename their own account or lower "
			 "their own admin-setting right",
			 cfg->who.name);
		return msg;
	}
	return NULL;
}

/* ---- the table --------------------------------------------------------- */

static const struct {
	const char *path;
	const char *(*verify)(struct config *cfg, char *const *vals, char *msg, size_t len);
	const char *(*commit)(struct config *cfg, char *msg, size_t len);
} rules[] = {
	{"system certificate local", cert_local_verify, NULL},
	{"system admin user", NULL, admin_commit},
	{"system admin profile", NULL, admin_commit},
};

const char *config_rule_verify(struct config *cfg, const char *path, char *const *vals, char *msg,
			       size_t len)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].verify && strcmp(rules[i].path, path) == 0)
			return rules[i].verify(cfg, vals, msg, len);
	return NULL;
}

const char *config_rule_commit(struct config *cfg, const char *path, char *msg, size_t len)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].commit && strcmp(rules[i].path, path) == 0)
			return rules[i].commit(cfg, msg, len);
	return NULL;
}
