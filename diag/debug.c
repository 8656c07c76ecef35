/* SPDX-License-Identifier: MIT */
/* debug.c - the debug console's state, its output and `diagnose debug`. */
#include "diag/debug.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/walk.h"
#include "diag/clock.h"
#include "diag/fazmaild.h"

/*
 * One shell's settings (see debug.h for why they are per process).  The
 * applications are the ones this appliance has; `diagnose debug info`
 * lists them in this order.  A new one is a row here and a keyword under
 * `diagnose debug application` in diag/grammar.c.
 */
static struct app {
	const char *name;
	_Atomic int level; /* atomic: fazmaild sets it from its control thread */
} apps[] = {
	{"fazmaild", 0},
};
static _Atomic bool enabled, timestamps;
static diag_debug_sink_fn sink; /* set once, before threads start */
static void *sink_arg;

#define NAPPS (sizeof apps / sizeof apps[0])

static int app_index(const char *app)
{
	for (size_t i = 0; app && i < NAPPS; i++)
		if (strcmp(apps[i].name, app) == 0)
			return (int)i;
	return -1;
}

int diag_debug_level(const char *app)
{
	int i = app_index(app);
	return i < 0 ? -1 : apps[i].level;
}

int diag_debug_set_level(const char *app, int level)
{
	int i = app_index(app);
	if (i < 0 || level < -1 || level > DIAG_DEBUG_MAX)
		return -1;
	apps[i].level = level < 0 ? 0 : level;
	return 0;
}

void diag_debug_set_enabled(bool on)
{
	enabled = on;
}

void diag_debug_set_timestamps(bool on)
{
	timestamps = on;
}

void diag_debug_reset(void)
{
	for (size_t i = 0; i < NAPPS; i++)
		apps[i].level = 0;
	enabled = false;
	timestamps = false;
}

bool diag_debug_on(const char *app, int level)
{
	int lv = diag_debug_level(app);
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

void diag_debug_set_sink(diag_debug_sink_fn fn, void *arg)
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

void diag_debug_print_lines(const char *text, size_t len)
{
	char stamp[32] = "";
	if (timestamps) /* the appliance's local time: system global timezone */
		diag_clock_format(time(NULL), "%Y-%m-%d %H:%M:%S ", stamp, sizeof stamp);
	/* One message's lines stay together, and show at once. */
	flockfile(stdout);
	put_lines(stdout, text, len, stamp);
	fflush(stdout);
	funlockfile(stdout);
}

void diag_debug_printf(const char *app, int level, const char *fmt, ...)
{
	char buf[1024], *text = buf;
	va_list ap;

	if (!diag_debug_on(app, level))
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
		diag_debug_print_lines(text, len);
	}
	if (text != buf)
		free(text);
}

/* ---- the level argument ---------------------------------------------- */

/* Reads "-1" .. "255": an optional minus, then digits only.  Returns NULL,
 * or why the word is not a level (the walker prints "level: '<word>' <why>"). */
static const char *parse_level(const char *s, int *level)
{
	const char *p = s + (*s == '-');
	long v = 0;
	if (!*p)
		return "is not an integer";
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return "is not an integer";
		if (v <= DIAG_DEBUG_MAX)
			v = v * 10 + (*p - '0');
	}
	if (*s == '-')
		v = -v;
	if (v < -1 || v > DIAG_DEBUG_MAX)
		return "is out of range -1 to 255";
	*level = (int)v;
	return NULL;
}

static const char *check_level(const char *value)
{
	int level;
	return parse_level(value, &level);
}

/*
 * A string with a check rather than SCHEMA_T_UINT, which cannot hold -1:
 * the walker still validates it (a bad level fails with the usual value
 * error before any handler runs), and `?` and TAB treat it as the one
 * free value slot it is.  A literal "-1" choice beside a UINT slot would
 * have been the alternative, but TAB would then insert "-1" on an empty
 * level, and -1 is a number here, not a keyword.
 */
const struct schema_attr diag_debug_level_arg = {
	.name = "level",
	.help = "Debug level, 0 (none) to 255 (all); -1 sets 0.",
	.type = SCHEMA_T_STRING,
	.max = 64,
	.check = check_level,
};

/* ---- handlers --------------------------------------------------------- */

static int set_app_level(struct cli *cli, const char *app, const struct cli_args *a)
{
	const char *w = a->argc > 0 ? a->argv[0] : "";
	const char *why;
	int level;
	/* The walker has validated the word, but it skips check() for "". */
	if ((why = parse_level(w, &level))) {
		char msg[96];
		snprintf(msg, sizeof msg, "level: '%.40s' %s", w, why);
		return cli_fail(cli, -651, "value", w, msg);
	}
	diag_debug_set_level(app, level);
	diag_fazmaild_debug_sync(cli);
	return 0;
}

int diag_debug_cmd_fazmaild(struct cli *cli, const struct cli_args *a)
{
	return set_app_level(cli, "fazmaild", a);
}

int diag_debug_cmd_enable(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	diag_debug_set_enabled(true);
	diag_fazmaild_debug_sync(cli);
	return 0;
}

int diag_debug_cmd_disable(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	diag_debug_set_enabled(false);
	diag_fazmaild_debug_sync(cli);
	return 0;
}

int diag_debug_cmd_timestamp_enable(struct cli *cli, const struct cli_args *a)
{
	(void)cli, (void)a;
	diag_debug_set_timestamps(true);
	return 0;
}

int diag_debug_cmd_timestamp_disable(struct cli *cli, const struct cli_args *a)
{
	(void)cli, (void)a;
	diag_debug_set_timestamps(false);
	return 0;
}

int diag_debug_cmd_reset(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	diag_debug_reset();
	diag_fazmaild_debug_sync(cli);
	return 0;
}

static const char *onoff(bool on)
{
	return on ? "enable" : "disable";
}

/* The layout of spec §8.2: names padded to 32 columns after a 4-space indent.
 * appsh has no CLI debug and no terminal-session debug: those lines show
 * their fixed values so that the block reads like the appliance's. */
int diag_debug_cmd_info(struct cli *cli, const struct cli_args *a)
{
	struct cli_out *o = cli->out;
	(void)a;
	cli_out_printf(o, "General\n");
	cli_out_printf(o, "    %-32s%d\n", "cli debug level:", 0);
	cli_out_printf(o, "    %-32s%s\n", "console debug output:", onoff(enabled));
	cli_out_printf(o, "    %-32s%s\n", "debug timestamps:", onoff(timestamps));
	cli_out_printf(o, "    %-32s%s\n", "terminal session debug output:", onoff(false));
	cli_out_printf(o, "    %-32s%s\n", "terminal session data masking:", onoff(false));
	cli_out_printf(o, "\nApplication\n");
	for (size_t i = 0; i < NAPPS; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s debug level:", apps[i].name);
		cli_out_printf(o, "    %-32s%d\n", name, apps[i].level);
	}
	return 0;
}
