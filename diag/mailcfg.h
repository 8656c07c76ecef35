/* SPDX-License-Identifier: MIT */
/*
 * mailcfg.h - a `system mail` entry turned into what the SMTP library
 * needs: shared by the mail-server test and the mail daemon, so that both
 * read the configuration the same way.
 */
#ifndef APPSH_DIAG_MAILCFG_H
#define APPSH_DIAG_MAILCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp/smtp.h"

struct cli;

struct diag_mailcfg {
	const char *server, *user, *local_cert, *from; /* point into vals */
	unsigned port;
	enum smtp_security sec;
	bool auth, cert;	  /* auth enabled; with the certificate (else password) */
	int tls_min;		  /* from ssl-protocol, or global-ssl-protocol */
	char ssl_protocol[64];	  /* its setting, as shown: "tlsv1.2 (global-ssl-protocol)" */
	char *password;		  /* decrypted; wiped when freed */
	char *cert_pem, *key_pem; /* the local certificate, for auth-type certificate */
	char *ca_pem;		  /* config system certificate ca, trusted beside the system's */
	char **vals;		  /* the entry's values */
};

/* Loads entry id: 1, 0 when there is no such entry, -1 when the store
 * failed, -2 when the stored password does not decrypt with this key. */
int diag_mailcfg_load(struct cli *cli, const char *id, struct diag_mailcfg *e);

/* Loads the CA certificates and, for certificate auth, the local
 * certificate and key.  0, or -1 with a message. */
int diag_mailcfg_certs(struct cli *cli, struct diag_mailcfg *e, char *err, size_t errlen);

/* Fills the security, TLS, authentication and credential fields of cfg
 * (pointers into e, which must outlive the session). */
void diag_mailcfg_smtp(const struct diag_mailcfg *e, struct smtp_config *cfg);

/* "none", "default", "starttls", "smtps". */
const char *diag_mailcfg_security_name(enum smtp_security s);

void diag_mailcfg_free(struct diag_mailcfg *e);

#endif
