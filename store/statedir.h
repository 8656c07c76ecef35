/* SPDX-License-Identifier: MIT */
/* statedir.h - where appsh keeps everything: store, key, history, ... */
#ifndef APPSH_STATEDIR_H
#define APPSH_STATEDIR_H

#include <stddef.h>

/*
 * Picks the state directory: explicit (from --state-dir) if given, else
 * $APPSH_STATE_DIR, else /var/lib/appsh for root, else
 * $XDG_STATE_HOME/appsh, else ~/.local/state/appsh.  Creates it (mode 0700,
 * parents as needed) when absent.  Returns 0, or -1 with a message.
 */
int statedir_open(const char *explicit_dir, char *out, size_t outlen, char *err, size_t errlen);

#endif
