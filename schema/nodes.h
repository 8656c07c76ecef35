/* SPDX-License-Identifier: MIT */
/* nodes.h - the top nodes of each branch, defined in the file named for it. */
#ifndef APPSH_SCHEMA_NODES_H
#define APPSH_SCHEMA_NODES_H

#include "schema/schema.h"

extern const struct schema_node schema_system;	     /* schema/system.c */
extern const struct schema_node schema_system_admin; /* schema/admin.c */

#endif
