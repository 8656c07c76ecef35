/* SPDX-License-Identifier: MIT */
/* mailsmtp.c - a `system mail` entry as SMTP settings (mailsmtp.h). */
#include "diag/mailsmtp.h"

void diag_mail_smtp(const struct config_mail *e, struct smtp_config *cfg)
{
	static const enum smtp_security sec[] = {
		[CONFIG_MAIL_DEFAULT] = SMTP_SEC_DEFAULT,
		[CONFIG_MAIL_NONE] = SMTP_SEC_NONE,
		[CONFIG_MAIL_STARTTLS] = SMTP_SEC_STARTTLS,
		[CONFIG_MAIL_SMTPS] = SMTP_SEC_SMTPS,
	};
	cfg->host = e->server;
	cfg->port = (uint16_t)e->port;
	cfg->security = sec[e->sec];
	cfg->tls_min_version = e->tls_min;
	cfg->auth = !e->auth ? SMTP_AUTH_OFF : e->cert ? SMTP_AUTH_CERTIFICATE : SMTP_AUTH_PASSWORD;
	cfg->user = e->user;
	cfg->password = e->password;
	cfg->cert_pem = e->cert_pem;
	cfg->key_pem = e->key_pem;
	cfg->ca_pem = e->ca_pem;
}
