/* SPDX-License-Identifier: MIT */
/* clock.c - local time in the zone of `system global timezone`. */
#include "log/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static log_clock_zone_fn source;
static void *source_arg;
static char applied[64]; /* the zone TZ was last set to; "" before */

/* TZ is process-wide: one thread at a time changes it and reads through
 * it.  glibc's localtime_r reads TZ only at tzset(), so the zone is
 * switched only when it changed. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_clock_source(log_clock_zone_fn fn, void *arg)
{
	pthread_mutex_lock(&lock);
	source = fn;
	source_arg = arg;
	pthread_mutex_unlock(&lock);
}

void log_clock_forget(void *arg)
{
	pthread_mutex_lock(&lock);
	if (source_arg == arg) {
		source = NULL;
		source_arg = NULL;
	}
	pthread_mutex_unlock(&lock);
}

size_t log_clock_format(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;
	size_t n = 0;

	pthread_mutex_lock(&lock);
	const char *zone = source ? source(source_arg) : NULL;
	if (!zone || !*zone)
		zone = "UTC";
	if (strcmp(zone, applied) != 0) {
		setenv("TZ", zone, 1);
		tzset();
		snprintf(applied, sizeof applied, "%s", zone);
	}
	/* fmt is checked at each caller (the strftime attribute in clock.h). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (localtime_r(&t, &tm))
		n = strftime(buf, len, fmt, &tm);
#pragma GCC diagnostic pop
	pthread_mutex_unlock(&lock);
	if (n == 0 && len)
		buf[0] = '\0';
	return n;
}
