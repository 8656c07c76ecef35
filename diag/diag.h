/* SPDX-License-Identifier: MIT */
/*
 * diag.h - the roots of the `diagnose` and `execute` grammar, hooked into
 * cli_grammar by cli/commands.c.
 */
#ifndef APPSH_DIAG_DIAG_H
#define APPSH_DIAG_DIAG_H

#include "cli/walk.h"

/* What may follow `diagnose` (diag/grammar.c). */
extern const struct cli_node diag_diagnose[];
/* What may follow `execute`. */
extern const struct cli_node diag_execute[];

#endif
