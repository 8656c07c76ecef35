/* SPDX-License-Identifier: MIT */
/*
 * certificate.h - `execute certificate {local|ca} import`, and reading the
 * certificate store for the SMTP client.  Two forms each (docs/mail.md):
 *   the appliance's:  ca|local import <filename> <tftp_ip> <cert_name>
 *                     (fetched from a TFTP server, diag/tftp.c)
 *   appsh's:          ca import <name> <cert-file>
 *                     local import <name> <cert-file> <key-file>
 * told apart by the second word: a TFTP server's IP address, or a file.
 */
#ifndef APPSH_DIAG_CERTIFICATE_H
#define APPSH_DIAG_CERTIFICATE_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr diag_cert_first_arg, diag_cert_second_arg, diag_cert_ca_name_arg,
	diag_cert_local_third_arg;

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
