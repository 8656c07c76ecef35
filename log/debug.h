/* SPDX-License-Identifier: MIT */
/*
 * debug.h - the debug facility behind `diagnose debug ...` (spec §8.2).
 *
 * Each application has a debug level, 0 (nothing) to 255 (everything), all
 * 0 at start.  Debug lines print only while output is enabled (`diagnose
 * debug enable`) and the application's level reaches the line's level.
 * They go straight to stdout, flushed at once, past `| grep` and the
 * `--More--` pager (spec §4.4: debug output is never paged), each line
 * prefixed with "YYYY-MM-DD HH:MM:SS " in local time when timestamps are on.
 *
 * The state belongs to this shell process, as a console's debug settings
 * belong to its session: two shells do not see each other's levels.  The
 * mail daemon (a later issue) keeps its own level and will be told about
 * changes over its socket; this module is then where the shell forwards
 * them from.
 */
#ifndef APPSH_LOG_DEBUG_H
#define APPSH_LOG_DEBUG_H

#include <stdbool.h>
#include <stddef.h>

#define LOG_DEBUG_MAX 255 /* the highest level; -1 on the command line sets 0 */

/*
 * Whether a line of this level for app would print now: output enabled,
 * app known, its level not 0 and at least level.  Callers use levels of 1
 * and up (255 for the SMTP transcript), and may skip building a costly
 * line when this is false.
 */
bool log_debug_on(const char *app, int level);

/*
 * Prints fmt as one or more debug lines when log_debug_on(app, level).
 * A trailing newline is optional; "\r\n" ends a line like "\n".  Other
 * control bytes (a hostile server's ESC sequences) are shown as \xNN, so a
 * debug line cannot drive the terminal.
 */
void log_debug_printf(const char *app, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Where lines go instead of stdout: fazmaild hands them to the shells that
 * watch it.  The sink gets the lines already made safe (control bytes
 * escaped), each ending in '\n', without timestamps.
 */
typedef void (*log_debug_sink_fn)(void *arg, const char *lines);
void log_debug_set_sink(log_debug_sink_fn fn, void *arg);

/* Prints lines received from elsewhere (fazmaild) as this shell prints its
 * own: timestamped when timestamps are on, past the pager. */
void log_debug_print_lines(const char *text, size_t len);

/* The state, for the handlers below and for tests. */
int log_debug_set_level(const char *app, int level); /* -1 means 0; 0, or -1 if invalid */
int log_debug_level(const char *app);		     /* -1 for an unknown application */
void log_debug_set_enabled(bool on);
void log_debug_set_timestamps(bool on);
void log_debug_reset(void); /* all levels 0, output disabled, no timestamps */

/* The applications, in order; NULL past the last. */
const char *log_debug_app(size_t i);
bool log_debug_enabled(void);
bool log_debug_timestamps(void);

/* Reads a level, "-1" .. "255".  NULL, or why the word is not a level
 * ("is not an integer", "is out of range -1 to 255"). */
const char *log_debug_parse_level(const char *s, int *level);

#endif
