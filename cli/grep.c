/* SPDX-License-Identifier: MIT */
/* grep.c - FortiOS `| grep [-invfcABC] PATTERN`, a streaming line filter. */
#include "cli/grep.h"

#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT_MAX 100000

static const char *const usage_text[] = {
	"Usage: grep [-invfcABC] PATTERN",
	"Options:",
	"\t-i      Ignore case distinctions",
	"\t-n      Print line number with output lines",
	"\t-v      Select non-matching lines",
	"\t-f      Print fortinet config context",
	"\t-c      Only print count of matching lines",
	"\t-A      Print NUM lines of trailing context",
	"\t-B      Print NUM lines of leading context",
	"\t-C      Print NUM lines of output context",
};

/* A copy of one input line; the buffer is kept and reused for later lines. */
struct saved_line {
	char *s;
	size_t n, cap;
	unsigned long long lineno; /* 0: the copy failed, nothing saved */
};

/* -f: a "config ..." or "edit ..." line whose "end"/"next" has not come yet. */
struct open_ctx {
	struct saved_line line;
	size_t indent;
	bool printed;
};

enum line_kind { LINE_PLAIN, LINE_OPEN, LINE_CLOSE };

struct cli_grep {
	cli_grep_emit_fn *emit;
	void *ctx;
	regex_t re;
	bool have_re;
	bool invert, number, count_only, config_ctx, usage;
	bool context; /* -A/-B/-C given: "--" between groups, as GNU grep */
	size_t after, before;
	size_t after_left; /* trailing context lines still to print */
	unsigned long long lineno, last_printed, count;
	struct saved_line *ring; /* the last `before` unprinted lines */
	size_t ring_head, ring_len;
	struct open_ctx *stack; /* -f: open context, outermost first */
	size_t depth, stack_cap;
	char *scratch; /* the current line NUL-terminated, for regexec */
	size_t scratch_cap;
};

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Grows *buf to hold at least need bytes; false (buffer untouched) on OOM. */
static bool reserve(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 64;
	char *p;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(*buf, ncap);
	if (!p)
		return false;
	*buf = p;
	*cap = ncap;
	return true;
}

static bool save_line(struct saved_line *l, const char *s, size_t n, unsigned long long lineno)
{
	l->lineno = 0;
	if (!reserve(&l->s, &l->cap, n ? n : 1))
		return false;
	memcpy(l->s, s, n);
	l->n = n;
	l->lineno = lineno;
	return true;
}

/* A context count for -A/-B/-C: plain decimal, 0..CONTEXT_MAX. */
static int parse_count(const char *arg, size_t *out, char *err, size_t errlen)
{
	size_t v = 0;
	const char *p = arg;

	for (; *p >= '0' && *p <= '9' && v <= CONTEXT_MAX; p++)
		v = v * 10 + (size_t)(*p - '0');
	if (p == arg || *p || v > CONTEXT_MAX) {
		set_err(err, errlen, "grep: invalid context length argument '%s'", arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parses the option words; returns the index of PATTERN (argc if none), or -1. */
static int parse_options(struct cli_grep *g, int argc, char *const argv[], bool *icase, char *err,
			 size_t errlen)
{
	size_t a = 0, b = 0, c = 0;
	bool have_a = false, have_b = false;
	int i;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (w[0] != '-' || w[1] == '\0')
			break;
		if (strcmp(w, "--") == 0) {
			i++;
			break;
		}
		for (const char *p = w + 1; *p; p++) {
			const char *arg;
			size_t *dst;

			switch (*p) {
			case 'i':
				*icase = true;
				continue;
			case 'v':
				g->invert = true;
				continue;
			case 'n':
				g->number = true;
				continue;
			case 'c':
				g->count_only = true;
				continue;
			case 'f':
				g->config_ctx = true;
				continue;
			case 'h':
				/* Usage replaces the output whatever else was given. */
				g->usage = true;
				return argc;
			case 'A':
			case 'B':
			case 'C':
				break;
			default:
				set_err(err, errlen, "grep: invalid option -- '%c'", *p);
				return -1;
			}
			/* The count is the rest of this word ("-A3") or the next word. */
			arg = p[1] ? p + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!arg) {
				set_err(err, errlen, "grep: option requires an argument -- '%c'",
					*p);
				return -1;
			}
			dst = *p == 'A' ? &a : *p == 'B' ? &b : &c;
			if (parse_count(arg, dst, err, errlen) < 0)
				return -1;
			have_a |= *p == 'A';
			have_b |= *p == 'B';
			g->context = true;
			break;
		}
	}
	/* As in GNU grep, -A and -B win over -C whatever their order. */
	g->after = have_a ? a : c;
	g->before = have_b ? b : c;
	return i;
}

struct cli_grep *cli_grep_new(int argc, char *const argv[], cli_grep_emit_fn *emit, void *ctx,
			      char *err, size_t errlen)
{
	struct cli_grep *g = calloc(1, sizeof *g);
	bool icase = false;
	int i, rc;

	if (!g) {
		set_err(err, errlen, "grep: out of memory");
		return NULL;
	}
	g->emit = emit;
	g->ctx = ctx;
	i = parse_options(g, argc, argv, &icase, err, errlen);
	if (i < 0)
		goto fail;
	if (g->usage)
		return g;
	if (i >= argc) {
		set_err(err, errlen, "grep: missing pattern");
		goto fail;
	}
	if (i + 1 < argc) {
		set_err(err, errlen, "grep: too many arguments");
		goto fail;
	}
	rc = regcomp(&g->re, argv[i], REG_NOSUB | (icase ? REG_ICASE : 0));
	if (rc != 0) {
		char msg[128];

		regerror(rc, &g->re, msg, sizeof msg);
		set_err(err, errlen, "grep: bad pattern '%s': %s", argv[i], msg);
		goto fail;
	}
	g->have_re = true;
	return g;
fail:
	free(g);
	return NULL;
}

void cli_grep_free(struct cli_grep *g)
{
	if (!g)
		return;
	if (g->have_re)
		regfree(&g->re);
	for (size_t i = 0; g->ring && i < g->before; i++)
		free(g->ring[i].s);
	free(g->ring);
	for (size_t i = 0; i < g->stack_cap; i++)
		free(g->stack[i].line.s);
	free(g->stack);
	free(g->scratch);
	free(g);
}

/* 1 if the line matches PATTERN, 0 if not, -1 if it could not be tested. */
static int match(struct cli_grep *g, const char *s, size_t n)
{
	if (n == SIZE_MAX || !reserve(&g->scratch, &g->scratch_cap, n + 1))
		return -1;
	memcpy(g->scratch, s, n);
	g->scratch[n] = '\0';
	return regexec(&g->re, g->scratch, 0, NULL, 0) == 0;
}

static bool is_word(const char *w, size_t n, const char *kw)
{
	return n == strlen(kw) && memcmp(w, kw, n) == 0;
}

static bool starts_with_word(const char *w, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	return n > k && memcmp(w, kw, k) == 0 && w[k] == ' ';
}

/* Recognises the lines of `show` output that open and close a context. */
static enum line_kind classify(const char *s, size_t n, size_t *indent)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	*indent = i;
	s += i;
	n -= i;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (starts_with_word(s, n, "config") || starts_with_word(s, n, "edit"))
		return LINE_OPEN;
	if (is_word(s, n, "next") || is_word(s, n, "end"))
		return LINE_CLOSE;
	return LINE_PLAIN;
}

static void print_line(struct cli_grep *g, const char *s, size_t n, unsigned long long lineno,
		       bool selected)
{
	char prefix[32] = "";

	if (g->context && !g->config_ctx && g->last_printed && lineno != g->last_printed + 1)
		g->emit(g->ctx, "", "--", 2, "");
	if (g->number)
		snprintf(prefix, sizeof prefix, "%llu%c", lineno, selected ? ':' : '-');
	g->emit(g->ctx, prefix, s, n, selected && g->config_ctx ? " <---" : "");
	g->last_printed = lineno;
}

/* Remembers an unprinted line as possible leading context (-B). */
static void ring_push(struct cli_grep *g, const char *s, size_t n)
{
	size_t slot;

	if (!g->before)
		return;
	if (!g->ring) {
		g->ring = calloc(g->before, sizeof *g->ring);
		if (!g->ring)
			return;
	}
	if (g->ring_len < g->before) {
		slot = (g->ring_head + g->ring_len++) % g->before;
	} else {
		slot = g->ring_head;
		g->ring_head = (g->ring_head + 1) % g->before;
	}
	save_line(&g->ring[slot], s, n, g->lineno);
}

/*
 * Before a selected line: prints the -f context lines not printed yet and
 * the -B lines, merged in input order (an "edit" line may be both).
 */
static void print_leading(struct cli_grep *g)
{
	size_t k = 0, r = 0;

	while (k < g->depth || r < g->ring_len) {
		struct open_ctx *c = k < g->depth ? &g->stack[k] : NULL;
		struct saved_line *l =
			r < g->ring_len ? &g->ring[(g->ring_head + r) % g->before] : NULL;

		if (c && (c->printed || !c->line.lineno)) {
			k++;
		} else if (l && !l->lineno) {
			r++;
		} else if (c && (!l || c->line.lineno <= l->lineno)) {
			if (l && l->lineno == c->line.lineno)
				r++;
			print_line(g, c->line.s, c->line.n, c->line.lineno, false);
			c->printed = true;
			k++;
		} else {
			print_line(g, l->s, l->n, l->lineno, false);
			r++;
		}
	}
	g->ring_head = g->ring_len = 0;
}

/*
 * -f: the open context a "next"/"end" at this indent closes, or NULL.
 * Deeper contexts left open (malformed input) are dropped on the way.
 */
static struct open_ctx *closed_ctx(struct cli_grep *g, size_t indent)
{
	while (g->depth && g->stack[g->depth - 1].indent > indent)
		g->depth--;
	if (g->depth && g->stack[g->depth - 1].indent == indent)
		return &g->stack[g->depth - 1];
	return NULL;
}

static void push_ctx(struct cli_grep *g, const char *s, size_t n, size_t indent, bool printed)
{
	struct open_ctx *c;

	if (g->depth == g->stack_cap) {
		size_t ncap = g->stack_cap ? g->stack_cap * 2 : 8;
		struct open_ctx *p = realloc(g->stack, ncap * sizeof *p);

		if (!p)
			return;
		memset(p + g->stack_cap, 0, (ncap - g->stack_cap) * sizeof *p);
		g->stack = p;
		g->stack_cap = ncap;
	}
	c = &g->stack[g->depth++];
	c->indent = indent;
	c->printed = printed;
	save_line(&c->line, s, n, g->lineno);
}

void cli_grep_line(struct cli_grep *g, const char *s, size_t n)
{
	enum line_kind kind = LINE_PLAIN;
	struct open_ctx *closes = NULL;
	size_t indent = 0;
	bool selected, printed = true;
	int m;

	g->lineno++;
	if (g->usage)
		return;
	m = match(g, s, n);
	selected = m >= 0 && (m == 1) != g->invert;
	if (g->count_only) {
		g->count += selected;
		return;
	}
	if (g->config_ctx) {
		kind = classify(s, n, &indent);
		if (kind == LINE_CLOSE)
			closes = closed_ctx(g, indent);
	}
	if (selected) {
		print_leading(g);
		print_line(g, s, n, g->lineno, true);
		g->after_left = g->after;
	} else if (g->after_left) {
		print_line(g, s, n, g->lineno, false);
		g->after_left--;
	} else if (closes && closes->printed) {
		print_line(g, s, n, g->lineno, false);
	} else {
		printed = false;
		ring_push(g, s, n);
	}
	if (closes)
		g->depth--;
	if (kind == LINE_OPEN)
		push_ctx(g, s, n, indent, printed);
}

void cli_grep_finish(struct cli_grep *g)
{
	if (g->usage) {
		for (size_t i = 0; i < sizeof usage_text / sizeof usage_text[0]; i++)
			g->emit(g->ctx, "", usage_text[i], strlen(usage_text[i]), "");
	} else if (g->count_only) {
		char num[32];
		int len = snprintf(num, sizeof num, "%llu", g->count);

		g->emit(g->ctx, "", num, (size_t)len, "");
	}
}
