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

#endif
