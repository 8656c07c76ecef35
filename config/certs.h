/* SPDX-License-Identifier: MIT */
/* certs.h - the stored certificates, as PEM text for the TLS code. */
#ifndef APPSH_CONFIG_CERTS_H
#define APPSH_CONFIG_CERTS_H

#include <openssl/evp.h>
#include <stddef.h>

#include "config/config.h"

/* The private key in pem, decrypted with pw when it is encrypted (pw NULL:
 * an encrypted key fails; OpenSSL never prompts on the terminal).  NULL
 * when it does not read. */
EVP_PKEY *config_pem_key(const char *pem, const char *pw);

/* The local certificate `name`: its certificate and its key decrypted and,
 * when `password` encrypts it, as unencrypted PEM (free the key with
 * config_secret_free).  0, or -1 with a message. */
int config_cert_local_pem(struct config *cfg, const char *name, char **cert, char **key, char *err,
			  size_t errlen);
/* Every `system certificate ca` certificate, concatenated (malloc'd; NULL
 * when there is none). */
char *config_cert_ca_pem(struct config *cfg);

/* The name of the local certificate every store starts with, as the
 * appliance's Fortinet_Local: so that `set local-cert` has something to
 * name from the first start. */
#define CONFIG_BUILTIN_CERT "Fortinet_Local"

/* Makes the built-in self-signed local certificate, once per store (a
 * meta flag remembers it: deleting it is the administrator's choice).
 * 0, or -1 with a message. */
int config_builtin_cert(struct config *cfg, char *err, size_t errlen);

#endif
