/* SPDX-License-Identifier: MIT */
/*
 * mail.h - a `system mail` entry as the mail test and the mail daemon use
 * it: the values, the effective TLS floor, the decrypted password and the
 * certificates, read the same way for both.
 */
#ifndef APPSH_CONFIG_MAIL_H
#define APPSH_CONFIG_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

enum config_mail_security {
	CONFIG_MAIL_DEFAULT,  /* STARTTLS when offered, else plain */
	CONFIG_MAIL_NONE,     /* plain text */
	CONFIG_MAIL_STARTTLS, /* STARTTLS required */
	CONFIG_MAIL_SMTPS,    /* implicit TLS */
};

struct config_mail {
	const char *server, *user, *local_cert, *from; /* point into vals */
	unsigned port;
	enum config_mail_security sec;
	bool auth, cert;	  /* auth enabled; with the certificate (else password) */
	const char *ssl_protocol; /* the TLS floor's name, after following global */
	const char *ssl_from;	  /* "ssl-protocol", or "global-ssl-protocol" when followed */
	int tls_min;		  /* that floor as OpenSSL's version number */
	char *password;		  /* decrypted; wiped when freed */
	char *cert_pem, *key_pem; /* the local certificate, for auth-type certificate */
	char *ca_pem;		  /* config system certificate ca, trusted beside the system's */
	char **vals;		  /* the entry's values */
	char *global_proto;	  /* owned copy behind ssl_protocol when followed */
};

/* Loads entry id: 1, 0 when there is no such entry, -1 when the store
 * failed, -2 when the stored password does not decrypt with this key. */
int config_mail_load(struct config *cfg, const char *id, struct config_mail *e);
/* The key of the first `system mail` entry into buf: 1, 0 when there is
 * none, -1 when the store failed. */
int config_mail_first(struct config *cfg, char *buf, size_t len);
/* Loads the CA certificates and, for certificate auth, the local
 * certificate and key.  0, or -1 with a message. */
int config_mail_certs(struct config *cfg, struct config_mail *e, char *err, size_t errlen);
void config_mail_free(struct config_mail *e);

/* "none", "default", "starttls", "smtps". */
const char *config_mail_security_name(enum config_mail_security s);

#endif
