/* SPDX-License-Identifier: MIT */
/* showtext.h - the `show` text of a configuration snapshot (config/revision.h). */
#ifndef APPSH_CMDS_SHOWTEXT_H
#define APPSH_CMDS_SHOWTEXT_H

#include <stddef.h>

#include "config/revision.h"

struct cli;

/* The whole-configuration `show` text of s, leaving out what the session's
 * admin may not read (malloc'd, *len bytes; NULL when out of memory). */
char *cmds_show_text(struct cli *cli, const struct config_snapshot *s, size_t *len);

/* Cuts text into lines in place (the newlines become NULs); a malloc'd
 * array of *n pointers into it, NULL when out of memory. */
char **cmds_lines(char *text, size_t *n);

#endif
