/* SPDX-License-Identifier: MIT */
/* certs.c - the stored certificates (certs.h). */
#include "config/certs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_cert_local_pem(struct config *cfg, const char *name, char **cert, char **key, char *err,
			  size_t errlen)
{
	const struct schema_node *t = schema_lookup("system certificate local");
	char **vals = config_values_new(t);
	int rc = vals ? config_read(cfg, "system certificate local", t, name, vals) : -1;
	const char *c =
		rc == 1 ? schema_attr_value(t, vals, schema_attr_index(t, "certificate")) : "";
	const char *k =
		rc == 1 ? schema_attr_value(t, vals, schema_attr_index(t, "private-key")) : "";

	*cert = *key = NULL;
	if (rc != 1)
		snprintf(err, errlen, "local certificate \"%.35s\" does not exist", name);
	else if (!*c || !*k)
		snprintf(err, errlen, "local certificate \"%.35s\" lacks its certificate or key",
			 name);
	else if ((*key = config_secret_decrypt(cfg, k, err, errlen)))
		*cert = strdup(c);
	config_values_free(t, vals);
	if (*cert)
		return 0;
	config_secret_free(*key);
	*key = NULL;
	return -1;
}

struct ca_ctx {
	struct config *cfg;
	const struct schema_node *t;
	char *pem;
	size_t len;
};

static int add_ca(void *arg, const char *name)
{
	struct ca_ctx *c = arg;
	char **vals = config_values_new(c->t);
	if (vals && config_read(c->cfg, "system certificate ca", c->t, name, vals) == 1) {
		const char *pem =
			schema_attr_value(c->t, vals, schema_attr_index(c->t, "certificate"));
		size_t n = strlen(pem);
		char *p = realloc(c->pem, c->len + n + 2);
		if (p) {
			memcpy(p + c->len, pem, n);
			c->len += n;
			p[c->len++] = '\n';
			p[c->len] = '\0';
			c->pem = p;
		}
	}
	config_values_free(c->t, vals);
	return 0;
}

char *config_cert_ca_pem(struct config *cfg)
{
	struct ca_ctx c = {cfg, schema_lookup("system certificate ca"), NULL, 0};
	config_keys(cfg, "system certificate ca", add_ca, &c);
	return c.pem;
}
