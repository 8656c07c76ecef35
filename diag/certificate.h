/* SPDX-License-Identifier: MIT */
/* certificate.h - `execute certificate {local|ca} import`, and reading the
 * certificate store for the SMTP client. */
#ifndef APPSH_DIAG_CERTIFICATE_H
#define APPSH_DIAG_CERTIFICATE_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr diag_cert_name_arg, diag_cert_file_arg, diag_key_file_arg;

int diag_cert_import_local(struct cli *cli, const struct cli_args *a);
int diag_cert_import_ca(struct cli *cli, const struct cli_args *a);

/* The local certificate `name` as PEM text: certificate and decrypted key
 * (free both; the key with secret_free).  0, or -1 with a message. */
int diag_cert_local_pem(struct cli *cli, const char *name, char **cert, char **key, char *err,
			size_t errlen);

/* Every `system certificate ca` certificate, concatenated (malloc'd; NULL
 * when there is none). */
char *diag_cert_ca_pem(struct cli *cli);

#endif
