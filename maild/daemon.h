/* SPDX-License-Identifier: MIT */
/*
 * daemon.h - fazmaild's two threads: the sending loop, which takes due
 * messages from the queue and delivers them, and the control loop, which
 * answers the shell on the control socket (maild/ctl.h) and streams the
 * debug lines to the shells that watch.
 */
#ifndef APPSH_MAILD_DAEMON_H
#define APPSH_MAILD_DAEMON_H

#include <stdbool.h>

/* Tunables, from the environment (docs/mail.md): seconds. */
struct md_options {
	long queue_timeout; /* APPSH_MAILD_QUEUE_TIMEOUT, default 1800 */
	long retry_base;    /* APPSH_MAILD_RETRY, default 60: the first retry's delay */
};

/*
 * Serves statedir on listen_fd (already bound) until told to stop.
 * Returns MD_EXIT_STOP after SIGTERM/SIGINT, MD_EXIT_RESTART when
 * `restart` was asked for (the caller starts the successor once
 * everything is closed), or 1 when it could not start.
 */
enum { MD_EXIT_STOP = 0, MD_EXIT_RESTART = 2 };
int md_serve(const char *statedir, int listen_fd, const struct md_options *opt);

#endif
