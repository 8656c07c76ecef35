/* SPDX-License-Identifier: MIT */
/* certificate.h - `execute certificate {local|ca} import`. */
#ifndef APPSH_CMDS_CERTIFICATE_H
#define APPSH_CMDS_CERTIFICATE_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_cert_name_arg, cmds_cert_file_arg, cmds_key_file_arg;

int cmds_cert_import_local(struct cli *cli, const struct cli_args *a);
int cmds_cert_import_ca(struct cli *cli, const struct cli_args *a);

#endif
