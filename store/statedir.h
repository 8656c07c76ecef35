/* SPDX-License-Identifier: MIT */
/* statedir.h - where appsh keeps everything: store, key, history, ... */
#ifndef APPSH_STORE_STATEDIR_H
#define APPSH_STORE_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Picks the state directory: explicit (from --state-dir) if given, else
 * $APPSH_STATE_DIR, else /var/lib/appsh for root, else
 * $XDG_STATE_HOME/appsh, else ~/.local/state/appsh.  Creates it (mode 0700,
 * parents as needed) when absent.  Returns 0, or -1 with a message.
 */
int statedir_open(const char *explicit_dir, char *out, size_t outlen, char *err, size_t errlen);

/* The system state directory: root's default, and the only one a login
 * shell uses (--state-dir and the environment are ignored there). */
#ifndef STATEDIR_SYSTEM
#define STATEDIR_SYSTEM "/var/lib/appsh"
#endif

/* For a login: the system directory, which must exist (a login shell runs
 * as an administrator's account and cannot create it).  0 or -1 + err. */
int statedir_system(char *out, size_t outlen, char *err, size_t errlen);

/* Whether dir is shared by a group (setgid, group rwx, nothing for
 * others), as the install step makes the system directory: files are then
 * made group-readable and -writable (docs/admin.md). */
bool statedir_shared(const char *dir);

#endif
