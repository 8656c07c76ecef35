/* SPDX-License-Identifier: MIT */
/* target.h - what the probing commands (ping, traceroute) share on the
 * shell's side: the target resolved through `system dns`, and lines
 * streamed to the operator as soon as they are complete. */
#ifndef APPSH_CMDS_TARGET_H
#define APPSH_CMDS_TARGET_H

#include <sys/socket.h>

struct cli;

/*
 * host -> *dst for family (AF_INET or AF_INET6): an address literal as is,
 * else the first A/AAAA record from the `system dns` servers.  other_cmd
 * names the command for the other family ("execute ping6"), for the
 * message when a literal of that family is given.  On failure records one
 * clear line with cli_fail and returns -1.
 */
int cmds_resolve(struct cli *cli, const char *host, int family, const char *other_cmd,
		 struct sockaddr_storage *dst);

/* printf to the command's output, flushed at once (the line streams). */
void cmds_say(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
