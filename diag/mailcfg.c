/* SPDX-License-Identifier: MIT */
/* mailcfg.c - reading a `system mail` entry for the SMTP library. */
#include "diag/mailcfg.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/session.h"
#include "diag/certificate.h"
#include "store/secret.h"

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
	return cli_attr_value(n, vals, schema_attr_index(n, attr));
}

int diag_mailcfg_load(struct cli *cli, const char *id, struct diag_mailcfg *e)
{
	const struct schema_node *mail = schema_lookup("system mail");
	const struct schema_node *global = schema_lookup("system global");
	char **vals = calloc(schema_attr_count(mail) + 1, sizeof *vals), err[256];
	int rc = vals ? cli_load_values(cli, "system mail", mail, id, vals) : -1;

	memset(e, 0, sizeof *e);
	e->vals = vals;
	if (rc != 1)
		return rc < 0 ? -1 : 0;
	const char *sec = value(mail, vals, "secure-option");
	e->server = value(mail, vals, "server");
	e->port = (unsigned)atoi(value(mail, vals, "port"));
	e->sec = strcmp(sec, "none") == 0	? SMTP_SEC_NONE
		 : strcmp(sec, "smtps") == 0	? SMTP_SEC_SMTPS
		 : strcmp(sec, "starttls") == 0 ? SMTP_SEC_STARTTLS
						: SMTP_SEC_DEFAULT;
	e->auth = strcmp(value(mail, vals, "auth"), "enable") == 0;
	e->cert = strcmp(value(mail, vals, "auth-type"), "certificate") == 0;
	e->user = value(mail, vals, "user");
	e->local_cert = value(mail, vals, "local-cert");
	e->from = value(mail, vals, "from");
	const char *proto = value(mail, vals, "ssl-protocol");
	char *global_proto = NULL;
	if (strcmp(proto, "follow-global-ssl-protocol") == 0)
		proto = global_proto =
			cli_object_value(cli, "system global", global, "global-ssl-protocol");
	e->tls_min = tls_version(proto ? proto : "tlsv1.2");
	snprintf(e->ssl_protocol, sizeof e->ssl_protocol, "%s%s", proto ? proto : "tlsv1.2",
		 global_proto ? " (global-ssl-protocol)" : "");
	free(global_proto);
	const char *enc = value(mail, vals, "passwd");
	e->password = *enc ? secret_decrypt(cli->key, enc, err, sizeof err) : NULL;
	return *enc && !e->password ? -2 : 1;
}

int diag_mailcfg_certs(struct cli *cli, struct diag_mailcfg *e, char *err, size_t errlen)
{
	e->ca_pem = diag_cert_ca_pem(cli);
	if (!e->auth || !e->cert)
		return 0;
	return diag_cert_local_pem(cli, e->local_cert, &e->cert_pem, &e->key_pem, err, errlen);
}

void diag_mailcfg_smtp(const struct diag_mailcfg *e, struct smtp_config *cfg)
{
	cfg->host = e->server;
	cfg->port = (uint16_t)e->port;
	cfg->security = e->sec;
	cfg->tls_min_version = e->tls_min;
	cfg->auth = !e->auth ? SMTP_AUTH_OFF : e->cert ? SMTP_AUTH_CERTIFICATE : SMTP_AUTH_PASSWORD;
	cfg->user = e->user;
	cfg->password = e->password;
	cfg->cert_pem = e->cert_pem;
	cfg->key_pem = e->key_pem;
	cfg->ca_pem = e->ca_pem;
}

const char *diag_mailcfg_security_name(enum smtp_security s)
{
	return s == SMTP_SEC_NONE	? "none"
	       : s == SMTP_SEC_SMTPS	? "smtps"
	       : s == SMTP_SEC_STARTTLS ? "starttls"
					: "default";
}

void diag_mailcfg_free(struct diag_mailcfg *e)
{
	secret_free(e->password);
	secret_free(e->key_pem);
	free(e->cert_pem);
	free(e->ca_pem);
	cli_free_values(schema_lookup("system mail"), e->vals);
	memset(e, 0, sizeof *e);
}
