/* SPDX-License-Identifier: MIT */
/* debug.c - the debug facility: levels per application, output, sinks. */
#include "log/debug.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/clock.h"

/*
 * One shell's settings (see debug.h for why they are per process).  The
 * applications are the ones this appliance has; `diagnose debug info`
 * lists them in this order.  A new one is a row here and a keyword under
 * `diagnose debug application` in cmds/grammar.c.
 */
static struct app {
	const char *name;
	_Atomic int level; /* atomic: fazmaild sets it from its control thread */
} apps[] = {
	{"fazmaild", 0},
};
static _Atomic bool enabled, timestamps;
static log_debug_sink_fn sink; /* set once, before threads start */
static void *sink_arg;

#define NAPPS (sizeof apps / sizeof apps[0])

static int app_index(const char *app)
{
	for (size_t i = 0; app && i < NAPPS; i++)
		if (strcmp(apps[i].name, app) == 0)
			return (int)i;
	return -1;
}

int log_debug_level(const char *app)
{
	int i = app_index(app);
	return i < 0 ? -1 : apps[i].level;
}

int log_debug_set_level(const char *app, int level)
{
	int i = app_index(app);
	if (i < 0 || level < -1 || level > LOG_DEBUG_MAX)
		return -1;
	apps[i].level = level < 0 ? 0 : level;
	return 0;
}

void log_debug_set_enabled(bool on)
{
	enabled = on;
}

void log_debug_set_timestamps(bool on)
{
	timestamps = on;
}

void log_debug_reset(void)
{
	for (size_t i = 0; i < NAPPS; i++)
		apps[i].level = 0;
	enabled = false;
	timestamps = false;
}

bool log_debug_on(const char *app, int level)
{
	int lv = log_debug_level(app);
	return enabled && lv > 0 && lv >= level;
}

/* ---- output ----------------------------------------------------------- */

/*
 * The length of the valid UTF-8 sequence at s (n bytes left) that encodes a
 * printable character, or 0: invalid bytes and C1 controls (U+0080-U+009F,
 * of which U+009B is CSI) are escaped like ASCII controls.
 */
static size_t utf8_printable(const unsigned char *s, size_t n)
{
	static const unsigned char lead_bits[] = {0, 0, 0x1f, 0x0f, 0x07};
	static const unsigned long min[] = {0, 0, 0xa0, 0x800, 0x10000};
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || s[0] > 0xf4)
		return 0;
	unsigned long cp = s[0] & lead_bits[len];
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void log_debug_set_sink(log_debug_sink_fn fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

/* Writes text as lines to out (locked by the caller). */
static void put_lines(FILE *out, const char *text, size_t n, const char *stamp)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0;; i++) { /* i++: past the newline */
		fputs(stamp, out);
		while (i < n && s[i] != '\n') {
			size_t len = s[i] >= 0x80 ? utf8_printable(s + i, n - i) : 1;
			if (s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n')) {
				len = 1; /* CRLF (or a final CR) ends the line like LF */
			} else if (!len || (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
				fprintf(out, "\\x%02x", s[i]);
				len = 1;
			} else {
				fwrite(s + i, 1, len, out);
			}
			i += len;
		}
		putc('\n', out);
		if (i >= n)
			break;
	}
}

void log_debug_print_lines(const char *text, size_t len)
{
	char stamp[32] = "";
	if (timestamps) /* the appliance's local time: system global timezone */
		log_clock_format(time(NULL), "%Y-%m-%d %H:%M:%S ", stamp, sizeof stamp);
	/* One message's lines stay together, and show at once. */
	flockfile(stdout);
	put_lines(stdout, text, len, stamp);
	fflush(stdout);
	funlockfile(stdout);
}

void log_debug_printf(const char *app, int level, const char *fmt, ...)
{
	char buf[1024], *text = buf;
	va_list ap;

	if (!log_debug_on(app, level))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf) {
		if (!(text = malloc((size_t)n + 1)))
			return;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	size_t len = (size_t)n - (n > 0 && text[n - 1] == '\n');
	if (sink) {
		/* The daemon: lines go to the shells that watch, which add
		 * their own timestamps. */
		char *lines = NULL;
		size_t size = 0;
		FILE *mem = open_memstream(&lines, &size);
		if (mem) {
			put_lines(mem, text, len, "");
			fclose(mem);
			sink(sink_arg, lines);
		}
		free(lines);
	} else {
		log_debug_print_lines(text, len);
	}
	if (text != buf)
		free(text);
}

bool log_debug_enabled(void)
{
	return enabled;
}

bool log_debug_timestamps(void)
{
	return timestamps;
}

const char *log_debug_app(size_t i)
{
	return i < NAPPS ? apps[i].name : NULL;
}

/* ---- the level argument ---------------------------------------------- */

/* Reads "-1" .. "255": an optional minus, then digits only.  Returns NULL,
 * or why the word is not a level (the walker prints "level: '<word>' <why>"). */
const char *log_debug_parse_level(const char *s, int *level)
{
	const char *p = s + (*s == '-');
	long v = 0;
	if (!*p)
		return "is not an integer";
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return "is not an integer";
		if (v <= LOG_DEBUG_MAX)
			v = v * 10 + (*p - '0');
	}
	if (*s == '-')
		v = -v;
	if (v < -1 || v > LOG_DEBUG_MAX)
		return "is out of range -1 to 255";
	*level = (int)v;
	return NULL;
}
