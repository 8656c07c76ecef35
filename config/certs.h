/* SPDX-License-Identifier: MIT */
/* certs.h - the stored certificates, as PEM text for the TLS code. */
#ifndef APPSH_CONFIG_CERTS_H
#define APPSH_CONFIG_CERTS_H

#include <stddef.h>

#include "config/config.h"

/* The local certificate `name`: its certificate and decrypted key (free
 * the key with config_secret_free).  0, or -1 with a message. */
int config_cert_local_pem(struct config *cfg, const char *name, char **cert, char **key, char *err,
			  size_t errlen);
/* Every `system certificate ca` certificate, concatenated (malloc'd; NULL
 * when there is none). */
char *config_cert_ca_pem(struct config *cfg);

#endif
