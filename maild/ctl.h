/* SPDX-License-Identifier: MIT */
/*
 * ctl.h - talking to fazmaild over its control socket, and starting it.
 *
 * The socket is <state dir>/fazmaild.sock (a Unix stream socket, mode
 * 0660: its owner and the state directory's group).  A client sends one
 * request line and reads the reply until the daemon closes the
 * connection:
 *
 *   request            reply
 *   status             OK, then "pid N", "since T", "state sending|paused", "level N"
 *   stats              OK, then "sent N", "failed N", "discarded N",
 *                      "last_sendmail T", "last_request T", "queued N",
 *                      "max N", "timeout S"
 *   queue              OK, then one "id age attempts next-try rcpts\terror" a message
 *   pause | resume     OK
 *   restart            OK (the daemon then starts its successor and exits)
 *   level N            OK (the daemon's fazmaild debug level, 0-255)
 *   kick               OK (a message was queued: look now)
 *   watch              OK, then the daemon's debug lines until either side closes
 *
 * or "ERR <why>".  Times T are seconds since the epoch.
 */
#ifndef APPSH_MAILD_CTL_H
#define APPSH_MAILD_CTL_H

#include <stdbool.h>
#include <stddef.h>

/* The socket's path for a state directory; -1 when it does not fit. */
int mctl_path(const char *statedir, char *buf, size_t len);

/*
 * Sends request and reads the whole reply into a malloc'd *reply (without
 * the "OK" line).  0; -1 when the daemon is not running (err says so);
 * -2 when it answered ERR, too slowly, or is too busy to accept (err says
 * which).
 */
int mctl_request(const char *statedir, const char *request, char **reply, char *err, size_t errlen);

/* Opens a watch connection: the fd to read debug lines from, or -1. */
int mctl_watch(const char *statedir, char *err, size_t errlen);

/*
 * Makes sure a daemon serves statedir: starts build/fazmaild (the program
 * beside the running one) when none answers, and waits until it does.
 * 0, or -1 with err.
 */
int mctl_ensure(const char *statedir, char *err, size_t errlen);

#endif
