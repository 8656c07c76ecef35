/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the appliance's local time.
 *
 * Times an operator reads (get system status, the mail daemon's status
 * and queue, debug timestamps) are in the zone of `system global
 * timezone`, as on the appliance, whatever the process's TZ.  The shell
 * names where that setting comes from once (log_clock_source); each
 * formatting asks it, so a `set timezone` shows in the next line printed.
 */
#ifndef APPSH_LOG_CLOCK_H
#define APPSH_LOG_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Returns the IANA zone to use now ("Europe/Berlin"), or NULL for UTC. */
typedef const char *(*log_clock_zone_fn)(void *arg);

/* Sets the source of the zone (fn NULL: UTC).  log_clock_forget(arg)
 * drops it again if arg is still the registered one (a session closing). */
void log_clock_source(log_clock_zone_fn fn, void *arg);
void log_clock_forget(void *arg);

/* strftime(fmt) of t in the appliance's zone; 0 when it does not fit. */
size_t log_clock_format(time_t t, const char *fmt, char *buf, size_t len)
	__attribute__((format(strftime, 2, 0)));

#endif
