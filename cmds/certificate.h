/* SPDX-License-Identifier: MIT */
/* certificate.h - `execute certificate {local|ca} import`: from a TFTP
 * server (the appliance's form) or from local PEM files (certificate.c). */
#ifndef APPSH_CMDS_CERTIFICATE_H
#define APPSH_CMDS_CERTIFICATE_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_cert_first_arg, cmds_cert_second_arg, cmds_cert_ca_name_arg,
	cmds_cert_local_third_arg;

int cmds_cert_import_local(struct cli *cli, const struct cli_args *a);
int cmds_cert_import_ca(struct cli *cli, const struct cli_args *a);

#endif
