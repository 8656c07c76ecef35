/* SPDX-License-Identifier: MIT */
/* output.c - cuts command output into lines for `| grep` and `--More--`. */
#include "cli/output.h"
#include "cli/grep.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* A line buffer larger than this is released at the end of a command. */
#define LINE_KEEP (64 * 1024)

struct cli_out {
	FILE *sink;
	struct cli_grep *grep;
	bool unbuffered;
	bool quit;     /* q at --More--: drop the rest of this command's output */
	int tty_fd;    /* pager terminal, -1 when not paging */
	int page;      /* lines per page */
	int page_left; /* lines to show before the next --More-- */
	char *line;    /* the incomplete last line written so far */
	size_t len, cap;
	bool dropping; /* out of memory: skip the rest of the current line */
};

struct cli_out *cli_out_new(FILE *sink)
{
	struct cli_out *out = calloc(1, sizeof *out);

	if (!out)
		return NULL;
	out->sink = sink;
	out->tty_fd = -1;
	return out;
}

void cli_out_free(struct cli_out *out)
{
	if (!out)
		return;
	cli_grep_free(out->grep);
	free(out->line);
	free(out);
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Shows "--More--" and waits for a key with the terminal in non-canonical,
 * no-echo mode.  Returns the number of lines to show next, 0 to quit.
 */
static int more_prompt(struct cli_out *out)
{
	static const char prompt[] = "--More--", erase[] = "\r        \r";
	struct termios saved, raw;
	bool restore;
	unsigned char key;
	int lines = 0;

	/* What is already shown must be on the screen above the prompt. */
	fflush(out->sink);
	/* Raw mode first: a key typed the moment the prompt shows must not echo. */
	restore = tcgetattr(out->tty_fd, &saved) == 0;
	if (restore) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(out->tty_fd, TCSANOW, &raw);
	}
	write_all(out->tty_fd, prompt, sizeof prompt - 1);
	/* EOF, a read error or a signal (EINTR, e.g. Ctrl-C) all mean quit. */
	while (!lines && read(out->tty_fd, &key, 1) == 1) {
		if (key == ' ')
			lines = out->page;
		else if (key == '\r' || key == '\n')
			lines = 1;
		else if (key == 'q' || key == 'Q')
			break;
	}
	if (restore)
		tcsetattr(out->tty_fd, TCSANOW, &saved);
	write_all(out->tty_fd, erase, sizeof erase - 1);
	return lines;
}

/* The end of the chain: one finished line to the sink, through the pager. */
static void emit(void *ctx, const char *prefix, const char *s, size_t n, const char *suffix)
{
	struct cli_out *out = ctx;

	if (out->quit)
		return;
	if (out->tty_fd >= 0 && out->page_left <= 0) {
		out->page_left = more_prompt(out);
		if (!out->page_left) {
			out->quit = true;
			return;
		}
	}
	fputs(prefix, out->sink);
	fwrite(s, 1, n, out->sink);
	fputs(suffix, out->sink);
	putc('\n', out->sink);
	if (out->unbuffered)
		fflush(out->sink);
	if (out->tty_fd >= 0)
		out->page_left--;
}

static void process_line(struct cli_out *out, const char *s, size_t n)
{
	if (out->grep)
		cli_grep_line(out->grep, s, n);
	else
		emit(out, "", s, n, "");
}

/* Adds to the pending line; on OOM the whole line is dropped. */
static bool append(struct cli_out *out, const char *s, size_t n)
{
	if (out->dropping)
		return false;
	if (n > out->cap - out->len) {
		size_t ncap = out->cap ? out->cap : 256;
		char *p;

		while (ncap - out->len < n && ncap <= SIZE_MAX / 2)
			ncap *= 2;
		p = ncap - out->len >= n ? realloc(out->line, ncap) : NULL;
		if (!p) {
			out->dropping = true;
			out->len = 0;
			return false;
		}
		out->line = p;
		out->cap = ncap;
	}
	memcpy(out->line + out->len, s, n);
	out->len += n;
	return true;
}

int cli_out_set_grep(struct cli_out *out, int argc, char *const argv[], char *err, size_t errlen)
{
	struct cli_grep *g = cli_grep_new(argc, argv, emit, out, err, errlen);

	if (!g)
		return -1;
	cli_grep_free(out->grep);
	out->grep = g;
	return 0;
}

void cli_out_set_pager(struct cli_out *out, int tty_fd, int rows)
{
	if (tty_fd < 0 || rows <= 0) {
		out->tty_fd = -1;
		return;
	}
	out->tty_fd = tty_fd;
	out->page = rows > 1 ? rows - 1 : 1;
	out->page_left = out->page;
}

void cli_out_set_unbuffered(struct cli_out *out, bool on)
{
	out->unbuffered = on;
}

void cli_out_write(struct cli_out *out, const char *s, size_t n)
{
	while (n && !out->quit) {
		const char *nl = memchr(s, '\n', n);
		size_t part = nl ? (size_t)(nl - s) : n;

		if (!nl) {
			append(out, s, n);
			return;
		}
		/*
		 * The line ends here: skip it if it could not be stored, else
		 * filter it in place when nothing of it is pending (no copy).
		 */
		if (out->dropping)
			out->dropping = false;
		else if (!out->len)
			process_line(out, s, part);
		else if (append(out, s, part))
			process_line(out, out->line, out->len);
		out->len = 0;
		s += part + 1;
		n -= part + 1;
	}
}

void cli_out_printf(struct cli_out *out, const char *fmt, ...)
{
	char buf[512], *big;
	va_list ap;
	int n;

	if (out->quit)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof buf) {
		cli_out_write(out, buf, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cli_out_write(out, big, (size_t)n);
	free(big);
}

bool cli_out_quit(const struct cli_out *out)
{
	return out->quit;
}

void cli_out_finish(struct cli_out *out)
{
	if (out->len && !out->dropping && !out->quit)
		process_line(out, out->line, out->len);
	if (out->grep && !out->quit)
		cli_grep_finish(out->grep);
	fflush(out->sink);

	cli_grep_free(out->grep);
	out->grep = NULL;
	out->len = 0;
	out->dropping = false;
	if (out->cap > LINE_KEEP) {
		free(out->line);
		out->line = NULL;
		out->cap = 0;
	}
	out->tty_fd = -1;
	out->page = out->page_left = 0;
	out->quit = false;
}
