/* SPDX-License-Identifier: MIT */
/* mail.c - reading a `system mail` entry (mail.h). */
#include "config/mail.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/certs.h"

static int tls_version(const char *name)
{
	static const struct {
		const char *name;
		int v;
	} map[] = {{"sslv3", SSL3_VERSION},
		   {"tlsv1.0", TLS1_VERSION},
		   {"tlsv1.1", TLS1_1_VERSION},
		   {"tlsv1.2", TLS1_2_VERSION},
		   {"tlsv1.3", TLS1_3_VERSION}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].v;
	return TLS1_2_VERSION;
}

static const char *value(const struct schema_node *n, char **vals, const char *attr)
{
	return schema_attr_value(n, vals, schema_attr_index(n, attr));
}

int config_mail_load(struct config *cfg, const char *id, struct config_mail *e)
{
	const struct schema_node *mail = schema_lookup("system mail");
	char **vals = config_values_new(mail), err[256];
	int rc = vals ? config_read(cfg, "system mail", mail, id, vals) : -1;

	memset(e, 0, sizeof *e);
	e->vals = vals;
	if (rc != 1)
		return rc < 0 ? -1 : 0;
	const char *sec = value(mail, vals, "secure-option");
	e->server = value(mail, vals, "server");
	e->port = (unsigned)atoi(value(mail, vals, "port"));
	e->sec = strcmp(sec, "none") == 0	? CONFIG_MAIL_NONE
		 : strcmp(sec, "smtps") == 0	? CONFIG_MAIL_SMTPS
		 : strcmp(sec, "starttls") == 0 ? CONFIG_MAIL_STARTTLS
						: CONFIG_MAIL_DEFAULT;
	e->auth = strcmp(value(mail, vals, "auth"), "enable") == 0;
	e->cert = strcmp(value(mail, vals, "auth-type"), "certificate") == 0;
	e->user = value(mail, vals, "user");
	e->local_cert = value(mail, vals, "local-cert");
	e->from = value(mail, vals, "from");
	e->ssl_protocol = value(mail, vals, "ssl-protocol");
	e->ssl_from = "ssl-protocol";
	if (strcmp(e->ssl_protocol, "follow-global-ssl-protocol") == 0) {
		e->global_proto = config_read_attr(cfg, "system global", "global-ssl-protocol");
		e->ssl_protocol = e->global_proto ? e->global_proto : "tlsv1.2";
		e->ssl_from = "global-ssl-protocol";
	}
	e->tls_min = tls_version(e->ssl_protocol);
	const char *enc = value(mail, vals, "passwd");
	e->password = *enc ? config_secret_decrypt(cfg, enc, err, sizeof err) : NULL;
	return *enc && !e->password ? -2 : 1;
}

static int first_key(void *arg, const char *key)
{
	char **buf = arg;
	*buf = strdup(key);
	return 1;
}

int config_mail_first(struct config *cfg, char *buf, size_t len)
{
	char *key = NULL;
	if (config_keys(cfg, "system mail", first_key, &key) != 0)
		return -1;
	if (key)
		snprintf(buf, len, "%s", key);
	free(key);
	return key != NULL;
}

int config_mail_certs(struct config *cfg, struct config_mail *e, char *err, size_t errlen)
{
	e->ca_pem = config_cert_ca_pem(cfg);
	if (!e->auth || !e->cert)
		return 0;
	return config_cert_local_pem(cfg, e->local_cert, &e->cert_pem, &e->key_pem, err, errlen);
}

const char *config_mail_security_name(enum config_mail_security s)
{
	return s == CONFIG_MAIL_NONE	   ? "none"
	       : s == CONFIG_MAIL_SMTPS	   ? "smtps"
	       : s == CONFIG_MAIL_STARTTLS ? "starttls"
					   : "default";
}

void config_mail_free(struct config_mail *e)
{
	config_secret_free(e->password);
	config_secret_free(e->key_pem);
	free(e->cert_pem);
	free(e->ca_pem);
	free(e->global_proto);
	config_values_free(schema_lookup("system mail"), e->vals);
	memset(e, 0, sizeof *e);
}
