/* SPDX-License-Identifier: MIT */
/* test_reply.c - smtp_reply_parse (framing, codes, limits, enhanced codes, split
 * input) and smtp_ehlo_parse (keywords, SIZE, AUTH in both forms). */
#include "smtp/reply.h"
#include "tests/unit/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(enum smtp_reply_status s)
{
	switch (s) {
	case SMTP_REPLY_MORE:
		return "MORE";
	case SMTP_REPLY_DONE:
		return "DONE";
	case SMTP_REPLY_BAD:
		return "BAD";
	case SMTP_REPLY_TOO_LONG:
		return "TOO_LONG";
	}
	return "?";
}

/* The parser's whole answer, for comparing two runs. */
struct result {
	enum smtp_reply_status st;
	size_t used;
	struct smtp_reply r;
};

static void parse(const char *buf, size_t len, struct result *res)
{
	memset(res, 0xA5, sizeof *res); /* no field may be left as it was */
	res->st = smtp_reply_parse(buf, len, &res->r, &res->used);
}

static bool same(const struct result *a, const struct result *b)
{
	return a->st == b->st && a->used == b->used && a->r.code == b->r.code &&
	       a->r.lines == b->r.lines && strcmp(a->r.enhanced, b->r.enhanced) == 0 &&
	       strcmp(a->r.text, b->r.text) == 0;
}

/*
 * Parses buf[0..len) whole, then grows it one byte at a time from empty as
 * a client reading one byte per read() would: every prefix before the first
 * non-MORE answer must be MORE with nothing used, and that answer must be
 * the whole input's (same status, used, code, lines, enhanced and text).
 */
static void parse_checked(const char *buf, size_t len, struct result *res)
{
	struct result part;
	size_t k;

	parse(buf, len, res);
	for (k = 0; k <= len; k++) {
		parse(buf, k, &part);
		if (part.st != SMTP_REPLY_MORE)
			break;
		if (part.used != 0 || part.r.code != 0 || part.r.text[0] || part.r.lines) {
			fprintf(stderr, "MORE at %zu bytes left used=%zu code=%d\n", k, part.used,
				part.r.code);
			CHECK(!"MORE consumes nothing and leaves an empty reply");
			return;
		}
	}
	if (k > len) {
		CHECK(res->st == SMTP_REPLY_MORE);
		return;
	}
	if (!same(&part, res)) {
		fprintf(stderr, "byte by byte: %s at %zu [%s]; whole: %s used %zu [%s]\n",
			status_name(part.st), k, part.r.text, status_name(res->st), res->used,
			res->r.text);
		CHECK(!"byte-by-byte feeding gives the whole input's answer");
	}
	/* A DONE reply is known exactly when its last byte arrives. */
	if (res->st == SMTP_REPLY_DONE)
		CHECK(k == res->used);
}

/* Parses a C string; checks status, used, code, lines, enhanced and text. */
static void expect(const char *in, enum smtp_reply_status st, size_t used, int code, size_t lines,
		   const char *enhanced, const char *text)
{
	struct result res;

	parse_checked(in, strlen(in), &res);
	if (res.st != st || res.used != used || res.r.code != code || res.r.lines != lines ||
	    strcmp(res.r.enhanced, enhanced) != 0 || strcmp(res.r.text, text) != 0) {
		fprintf(stderr,
			"input [%s]:\n  got  %s used %zu code %d lines %zu enh [%s] text [%s]\n"
			"  want %s used %zu code %d lines %zu enh [%s] text [%s]\n",
			in, status_name(res.st), res.used, res.r.code, res.r.lines, res.r.enhanced,
			res.r.text, status_name(st), used, code, lines, enhanced, text);
		CHECK(!"reply as expected");
	} else {
		CHECK(true);
	}
}

/* Expects BAD or TOO_LONG with a message containing each of the words. */
static void expect_fail(const char *in, size_t len, enum smtp_reply_status st, const char *w1,
			const char *w2)
{
	struct result res;

	parse_checked(in, len, &res);
	bool ok = res.st == st && res.used == 0 && res.r.code == 0 &&
		  strstr(res.r.text, w1) != NULL && (!w2 || strstr(res.r.text, w2) != NULL);
	if (!ok)
		fprintf(stderr, "input [%.*s]: got %s [%s], want %s naming [%s] [%s]\n",
			(int)(len < 80 ? len : 80), in, status_name(res.st), res.r.text,
			status_name(st), w1, w2 ? w2 : "");
	CHECK(ok);
}

static void test_framing(void)
{
	expect("220 mail.example.com ESMTP\r\n", SMTP_REPLY_DONE, 28, 220, 1, "",
	       "mail.example.com ESMTP");
	expect("220 bare LF\n", SMTP_REPLY_DONE, 12, 220, 1, "", "bare LF");
	expect("250-a\r\n250 b\r\n", SMTP_REPLY_DONE, 14, 250, 2, "", "a\nb");
	expect("250-a\n250-b\r\n250 c\n", SMTP_REPLY_DONE, 19, 250, 3, "", "a\nb\nc");
	/* a line that is just the code ends the reply */
	expect("250\r\n", SMTP_REPLY_DONE, 5, 250, 1, "", "");
	expect("250\n", SMTP_REPLY_DONE, 4, 250, 1, "", "");
	expect("250-first\r\n250\r\n", SMTP_REPLY_DONE, 16, 250, 2, "", "first\n");
	expect("250-\r\n250 \r\n", SMTP_REPLY_DONE, 12, 250, 2, "", "\n");
	/* only the CR of the CRLF is taken off; a bare CR is text */
	expect("250 a\rb\r\r\n", SMTP_REPLY_DONE, 10, 250, 1, "", "a\rb\r");
	/* spaces in the text are kept as sent */
	expect("354  End data with <CR><LF>.<CR><LF> \r\n", SMTP_REPLY_DONE, 39, 354, 1, "",
	       " End data with <CR><LF>.<CR><LF> ");
	/* 8-bit text passes */
	expect("550 \xc3\xa9t\xc3\xa9\r\n", SMTP_REPLY_DONE, 11, 550, 1, "", "\xc3\xa9t\xc3\xa9");

	/* partial input: MORE, nothing used, at every cut (parse_checked) */
	expect("", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("2", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("250", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("250\r", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("250 ok\r", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("250-a\r\n", SMTP_REPLY_MORE, 0, 0, 0, "", "");
	expect("250-a\r\n250 b", SMTP_REPLY_MORE, 0, 0, 0, "", "");
}

/* Bytes after the reply stay in the caller's buffer: a pipelined batch is
 * read reply by reply, and a byte after STARTTLS's 220 is visible. */
static void test_pipelined(void)
{
	const char *in = "250 2.1.0 Ok\r\n250-2.1.5 a\r\n250 2.1.5 b\r\n354 go ahead\r\n221";
	size_t len = strlen(in), pos = 0;
	struct smtp_reply r;
	size_t used;
	int codes[4], n = 0;
	enum smtp_reply_status st;

	while ((st = smtp_reply_parse(in + pos, len - pos, &r, &used)) == SMTP_REPLY_DONE) {
		CHECK(used > 0 && used <= len - pos && in[pos + used - 1] == '\n');
		if (n < 4)
			codes[n] = r.code;
		n++;
		pos += used;
	}
	CHECK(st == SMTP_REPLY_MORE && used == 0);
	CHECK(n == 3 && codes[0] == 250 && codes[1] == 250 && codes[2] == 354);
	CHECK(pos == len - 3); /* "221" is left for the next read */

	st = smtp_reply_parse("220 go ahead\r\nX", 15, &r, &used);
	CHECK(st == SMTP_REPLY_DONE && used == 14);
}

static void test_codes(void)
{
	expect("200 ok\r\n", SMTP_REPLY_DONE, 8, 200, 1, "", "ok");
	expect("599 ok\r\n", SMTP_REPLY_DONE, 8, 599, 1, "", "ok");
	expect("421 4.3.2 shutting down\r\n", SMTP_REPLY_DONE, 25, 421, 1, "4.3.2",
	       "4.3.2 shutting down");
	expect_fail("199 no\r\n", 8, SMTP_REPLY_BAD, "199", "200-599");
	expect_fail("150 intermediate\r\n", 18, SMTP_REPLY_BAD, "150", NULL);
	expect_fail("600 no\r\n", 8, SMTP_REPLY_BAD, "600", NULL);
	expect_fail("699 no\r\n", 8, SMTP_REPLY_BAD, "699", NULL);
	expect_fail("000 no\r\n", 8, SMTP_REPLY_BAD, "000", NULL);
	expect_fail("999", 3, SMTP_REPLY_BAD, "999", NULL); /* known before the line ends */

	/* every line must carry the first line's code; the message names both */
	expect_fail("250-a\r\n251 b\r\n", 14, SMTP_REPLY_BAD, "251", "250");
	expect_fail("250-a\r\n250-b\r\n550 c\r\n", 21, SMTP_REPLY_BAD, "line 3", "550");
	expect_fail("250-a\r\n251", 10, SMTP_REPLY_BAD, "251", "250"); /* known at once */
	/* a continuation line with another code, even a valid final one */
	expect_fail("220-hi\r\n250 ok\r\n", 16, SMTP_REPLY_BAD, "220", "250");
}

static void test_garbage(void)
{
	static const char tls[] = "\x16\x03\x01\x00\x5a\x02\x00\x00\x56\x03\x03";

	expect_fail("hello\r\n", 7, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("h", 1, SMTP_REPLY_BAD, "3-digit", NULL); /* known at the first byte */
	expect_fail("HTTP/1.1 400 Bad Request\r\n", 26, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail(tls, sizeof tls - 1, SMTP_REPLY_BAD, "line 1", "3-digit");
	expect_fail("\r\n", 2, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("\n", 1, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("25\r\n", 4, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail(" 250 ok\r\n", 9, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("2a0 ok\r\n", 8, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("2500 ok\r\n", 9, SMTP_REPLY_BAD, "neither", NULL);
	expect_fail("250x\r\n", 6, SMTP_REPLY_BAD, "neither", NULL);
	expect_fail("250\tok\r\n", 8, SMTP_REPLY_BAD, "neither", NULL);
	expect_fail("250\rok\r\n", 8, SMTP_REPLY_BAD, "neither", NULL); /* CR not before LF */
	expect_fail("250-a\r\nfoo\r\n", 12, SMTP_REPLY_BAD, "line 2", "3-digit");
	expect_fail("250-a\r\n\r\n", 9, SMTP_REPLY_BAD, "line 2", NULL);
	expect_fail("250-a\r\n250+b\r\n", 14, SMTP_REPLY_BAD, "line 2", "neither");
}

static void test_nul(void)
{
	expect_fail("250 a\0b\r\n", 9, SMTP_REPLY_BAD, "NUL", "line 1");
	expect_fail("250 a\0", 6, SMTP_REPLY_BAD, "NUL", NULL); /* before the line ends */
	expect_fail("250 \0\r\n", 7, SMTP_REPLY_BAD, "NUL", NULL);
	expect_fail("250 a\r\0\n", 8, SMTP_REPLY_BAD, "NUL", NULL);
	expect_fail("250-a\r\n250 b\0\r\n", 16, SMTP_REPLY_BAD, "NUL", "line 2");
	/* in the code or separator it is simply not a reply */
	expect_fail("25\0 a\r\n", 7, SMTP_REPLY_BAD, "3-digit", NULL);
	expect_fail("250\0a\r\n", 7, SMTP_REPLY_BAD, "neither", NULL);
}

static void test_enhanced(void)
{
	expect("250 2.0.0 Ok: queued as 4F1\r\n", SMTP_REPLY_DONE, 29, 250, 1, "2.0.0",
	       "2.0.0 Ok: queued as 4F1");
	expect("550 5.7.1 Relay denied\n", SMTP_REPLY_DONE, 23, 550, 1, "5.7.1",
	       "5.7.1 Relay denied");
	expect("554 5.123.456\r\n", SMTP_REPLY_DONE, 15, 554, 1, "5.123.456", "5.123.456");
	expect("451 4.7.0\r\n", SMTP_REPLY_DONE, 11, 451, 1, "4.7.0", "4.7.0");
	expect("250-2.1.5 first\r\n250 2.1.5 second\r\n", SMTP_REPLY_DONE, 35, 250, 2, "2.1.5",
	       "2.1.5 first\n2.1.5 second");
	/* absent */
	expect("250 Ok\r\n", SMTP_REPLY_DONE, 8, 250, 1, "", "Ok");
	expect("250\r\n", SMTP_REPLY_DONE, 5, 250, 1, "", "");
	expect("250 2.0\r\n", SMTP_REPLY_DONE, 9, 250, 1, "", "2.0");
	expect("250 2.0.\r\n", SMTP_REPLY_DONE, 10, 250, 1, "", "2.0.");
	expect("250 2..0\r\n", SMTP_REPLY_DONE, 10, 250, 1, "", "2..0");
	expect("250 .0.0\r\n", SMTP_REPLY_DONE, 10, 250, 1, "", ".0.0");
	expect("250 2.1234.0 x\r\n", SMTP_REPLY_DONE, 16, 250, 1, "", "2.1234.0 x");
	expect("250 2.0.1234 x\r\n", SMTP_REPLY_DONE, 16, 250, 1, "", "2.0.1234 x");
	expect("250 2.0.0abc\r\n", SMTP_REPLY_DONE, 14, 250, 1, "", "2.0.0abc");
	expect("250 2.0.0.1 x\r\n", SMTP_REPLY_DONE, 15, 250, 1, "", "2.0.0.1 x");
	expect("250  2.0.0 x\r\n", SMTP_REPLY_DONE, 14, 250, 1, "", " 2.0.0 x");
	/* only the first line's text counts */
	expect("250-ok\r\n250 2.0.0 x\r\n", SMTP_REPLY_DONE, 21, 250, 2, "", "ok\n2.0.0 x");
	/* the class must be the reply's first digit; 3xx have none */
	expect("250 5.0.0 x\r\n", SMTP_REPLY_DONE, 13, 250, 1, "", "5.0.0 x");
	expect("550 2.0.0 x\r\n", SMTP_REPLY_DONE, 13, 550, 1, "", "2.0.0 x");
	expect("450 5.1.1 x\r\n", SMTP_REPLY_DONE, 13, 450, 1, "", "5.1.1 x");
	expect("354 3.0.0 go\r\n", SMTP_REPLY_DONE, 14, 354, 1, "", "3.0.0 go");
}

/* A line of exactly n bytes (terminator included) with the given code and
 * separator; text is 'x'. */
static char *make_line(char *p, size_t n, const char *code_sep, const char *eol)
{
	size_t head = strlen(code_sep), tail = strlen(eol);
	memcpy(p, code_sep, head);
	memset(p + head, 'x', n - head - tail);
	memcpy(p + n - tail, eol, tail);
	return p + n;
}

static void test_line_limit(void)
{
	enum { MAX = SMTP_REPLY_MAX_LINE };
	static char buf[3 * MAX + 64];
	struct result res;
	char *p;

	/* exactly the limit, CRLF included: accepted */
	make_line(buf, MAX, "250 ", "\r\n");
	parse_checked(buf, MAX, &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.used == MAX && strlen(res.r.text) == MAX - 6);
	/* the same with a bare LF */
	make_line(buf, MAX, "250 ", "\n");
	parse_checked(buf, MAX, &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.used == MAX && strlen(res.r.text) == MAX - 5);
	/* one over */
	make_line(buf, MAX + 1, "250 ", "\r\n");
	expect_fail(buf, MAX + 1, SMTP_REPLY_TOO_LONG, "line 1", "2048");
	make_line(buf, MAX + 1, "250 ", "\n");
	expect_fail(buf, MAX + 1, SMTP_REPLY_TOO_LONG, "line 1", NULL);
	/* known from MAX bytes without a LF (the CRLF would make MAX + 2) */
	memset(buf, 'x', sizeof buf);
	memcpy(buf, "250 ", 4);
	parse(buf, MAX - 1, &res);
	CHECK(res.st == SMTP_REPLY_MORE);
	parse(buf, MAX, &res);
	CHECK(res.st == SMTP_REPLY_TOO_LONG && res.used == 0);
	buf[MAX - 1] = '\r'; /* a CR last: its LF would still be one over */
	parse(buf, MAX, &res);
	CHECK(res.st == SMTP_REPLY_TOO_LONG);
	/* the limit holds for every line, not just the first */
	p = make_line(buf, 10, "250-", "\r\n");
	p = make_line(p, MAX, "250-", "\r\n");
	p = make_line(p, MAX + 1, "250 ", "\r\n");
	expect_fail(buf, (size_t)(p - buf), SMTP_REPLY_TOO_LONG, "line 3", NULL);
	/* a NUL past the limit is never seen: the length is known first */
	memset(buf, 'x', sizeof buf);
	memcpy(buf, "250 ", 4);
	buf[MAX + 5] = '\0';
	expect_fail(buf, MAX + 10, SMTP_REPLY_TOO_LONG, "line 1", NULL);

	/* text over sizeof r->text is cut at a line boundary, never overflows */
	p = make_line(buf, MAX, "250-", "\r\n");
	p = make_line(p, MAX, "250-", "\r\n");
	p = make_line(p, MAX, "250 ", "\r\n");
	parse_checked(buf, (size_t)(p - buf), &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.used == (size_t)(p - buf) && res.r.lines == 3);
	CHECK(strlen(res.r.text) == 2 * (MAX - 6) + 1); /* two lines and the '\n' */
	CHECK(res.r.text[MAX - 6] == '\n');
	/* text of exactly sizeof r->text - 1 bytes fits; one more is cut */
	for (size_t extra = 0; extra < 2; extra++) {
		size_t last = 4 + 9 + extra + 2; /* 2 * 2042 + 2 + 9 = 4095 */
		p = make_line(buf, MAX, "250-", "\r\n");
		p = make_line(p, MAX, "250-", "\r\n");
		p = make_line(p, last, "250 ", "\r\n");
		parse_checked(buf, (size_t)(p - buf), &res);
		CHECK(res.st == SMTP_REPLY_DONE && res.r.lines == 3);
		CHECK(strlen(res.r.text) == (extra ? 2 * (MAX - 6) + 1 : sizeof res.r.text - 1));
	}
	/* a short line after them still fits */
	p = make_line(buf, MAX, "250-", "\r\n");
	p = make_line(p, MAX, "250-", "\r\n");
	p = make_line(p, 8, "250 ", "\r\n");
	parse_checked(buf, (size_t)(p - buf), &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.r.lines == 3);
	CHECK(strlen(res.r.text) == 2 * (MAX - 6) + 1 + 3);
	/* but not after a line that did not: the text is always the first
	 * lines of the reply, none skipped */
	p = make_line(buf, MAX, "250-", "\r\n");
	p = make_line(p, MAX, "250-", "\r\n");
	p = make_line(p, MAX, "250-", "\r\n");
	p = make_line(p, 8, "250 ", "\r\n");
	parse_checked(buf, (size_t)(p - buf), &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.r.lines == 4);
	CHECK(strlen(res.r.text) == 2 * (MAX - 6) + 1);
}

static void test_line_count(void)
{
	enum { N = SMTP_REPLY_MAX_LINES };
	static char buf[(N + 2) * 16];
	struct result res;
	char *p = buf;

	/* exactly the limit */
	for (int i = 1; i < N; i++)
		p += sprintf(p, "250-l%d\r\n", i);
	char *last = p;
	p += sprintf(p, "250 l%d\r\n", N);
	parse_checked(buf, (size_t)(p - buf), &res);
	CHECK(res.st == SMTP_REPLY_DONE && res.r.lines == N && res.used == (size_t)(p - buf));
	CHECK(strncmp(res.r.text, "l1\nl2\n", 6) == 0);
	CHECK(strstr(res.r.text, "\nl100") && res.r.text[strlen(res.r.text) - 1] == '0');

	/* one over: TOO_LONG as soon as line 100 says more follow */
	p = last + sprintf(last, "250-l%d\r\n", N);
	p += sprintf(p, "250 l%d\r\n", N + 1);
	expect_fail(buf, (size_t)(p - buf), SMTP_REPLY_TOO_LONG, "more than 100 lines", NULL);
	parse(buf, (size_t)(last - buf) + 4, &res); /* "...250-" of line 100 */
	CHECK(res.st == SMTP_REPLY_TOO_LONG);
	parse(buf, (size_t)(last - buf) + 3, &res); /* "...250" */
	CHECK(res.st == SMTP_REPLY_MORE);
}

/* Random splits of one multi-line reply give the same reply (a reader that
 * keeps what it has and parses again after each read). */
static void test_random_splits(void)
{
	const char *in = "250-mail.example.com Hello\r\n250-SIZE 10240000\r\n250-AUTH PLAIN "
			 "LOGIN\r\n250 2.0.0 OK\r\n221 bye\r\n";
	size_t len = strlen(in);
	struct result whole, part;
	unsigned seed = 1;

	parse(in, len, &whole);
	CHECK(whole.st == SMTP_REPLY_DONE && whole.r.lines == 4);
	for (int round = 0; round < 200; round++) {
		size_t have = 0;
		for (;;) {
			seed = seed * 1103515245 + 12345;
			have += 1 + (seed >> 16) % 17;
			if (have > len)
				have = len;
			parse(in, have, &part);
			if (part.st != SMTP_REPLY_MORE || have == len)
				break;
		}
		if (!same(&part, &whole)) {
			CHECK(!"a random split gives the same reply");
			return;
		}
	}
	CHECK(true);
}

static void ehlo(const char *in, struct smtp_ehlo *e)
{
	struct smtp_reply r;
	size_t used;

	memset(e, 0xA5, sizeof *e);
	CHECK(smtp_reply_parse(in, strlen(in), &r, &used) == SMTP_REPLY_DONE);
	smtp_ehlo_parse(&r, e);
}

static void test_ehlo(void)
{
	struct smtp_ehlo e;

	/* Postfix's usual reply; the greeting line is not a keyword */
	ehlo("250-mx.example.com STARTTLS\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
	     "250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
	     "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
	     &e);
	CHECK(e.starttls && e.pipelining && e.eightbitmime && e.smtputf8 && e.enhancedstatuscodes);
	CHECK(e.size == 10240000);
	CHECK(e.mechs == (SMTP_MECH_PLAIN | SMTP_MECH_LOGIN));
	CHECK_STR(e.mech_names, "PLAIN LOGIN");
	CHECK_STR(e.keywords, "PIPELINING SIZE VRFY ETRN STARTTLS AUTH ENHANCEDSTATUSCODES "
			      "8BITMIME DSN SMTPUTF8 CHUNKING");

	/* a one-line reply offers nothing, whatever the greeting says */
	ehlo("250 mx.example.com STARTTLS AUTH PLAIN\r\n", &e);
	CHECK(!e.starttls && !e.pipelining && !e.eightbitmime && !e.smtputf8 &&
	      !e.enhancedstatuscodes && e.size == 0 && e.mechs == 0);
	CHECK_STR(e.mech_names, "");
	CHECK_STR(e.keywords, "");
	ehlo("250-STARTTLS\r\n250 PIPELINING\r\n", &e); /* first line skipped even so */
	CHECK(!e.starttls && e.pipelining);

	/* case-insensitive; names kept as offered */
	ehlo("250-hi\r\n250-starttls\r\n250-Pipelining\r\n250-auth cram-md5 Plain\r\n250 size\r\n",
	     &e);
	CHECK(e.starttls && e.pipelining && e.size == 0);
	CHECK(e.mechs == (SMTP_MECH_CRAM_MD5 | SMTP_MECH_PLAIN));
	CHECK_STR(e.mech_names, "cram-md5 Plain");
	CHECK_STR(e.keywords, "starttls Pipelining auth size");

	/* the old "AUTH=" form, alone and beside the new one (each name once) */
	ehlo("250-hi\r\n250-AUTH=LOGIN PLAIN\r\n250 OK\r\n", &e);
	CHECK(e.mechs == (SMTP_MECH_LOGIN | SMTP_MECH_PLAIN));
	CHECK_STR(e.mech_names, "LOGIN PLAIN");
	CHECK_STR(e.keywords, "AUTH OK");
	ehlo("250-hi\r\n250-AUTH LOGIN PLAIN CRAM-MD5\r\n250-AUTH=LOGIN PLAIN\r\n250 DSN\r\n", &e);
	CHECK(e.mechs == (SMTP_MECH_LOGIN | SMTP_MECH_PLAIN | SMTP_MECH_CRAM_MD5));
	CHECK_STR(e.mech_names, "LOGIN PLAIN CRAM-MD5");
	CHECK_STR(e.keywords, "AUTH DSN");

	/* mechanisms we lack are named; EXTERNAL is one we have */
	ehlo("250-hi\r\n250 AUTH NTLM GSSAPI XOAUTH2\r\n", &e);
	CHECK(e.mechs == 0);
	CHECK_STR(e.mech_names, "NTLM GSSAPI XOAUTH2");
	ehlo("250-hi\r\n250 AUTH   EXTERNAL\tSCRAM-SHA-256 GSSAPI\r\n", &e);
	CHECK(e.mechs == SMTP_MECH_EXTERNAL);
	CHECK_STR(e.mech_names, "EXTERNAL SCRAM-SHA-256 GSSAPI");
	ehlo("250-hi\r\n250 AUTH\r\n", &e); /* AUTH with no names */
	CHECK(e.mechs == 0);
	CHECK_STR(e.mech_names, "");
	CHECK_STR(e.keywords, "AUTH");
	/* a name that is no SASL name is ignored; PLAINX is not PLAIN */
	ehlo("250-hi\r\n250 AUTH PLAINX \x1b[2J LOGIN\r\n", &e);
	CHECK(e.mechs == SMTP_MECH_LOGIN);
	CHECK_STR(e.mech_names, "PLAINX LOGIN");

	/* SIZE */
	ehlo("250-hi\r\n250 SIZE 0\r\n", &e);
	CHECK(e.size == 0);
	ehlo("250-hi\r\n250 SIZE 52428800\r\n", &e);
	CHECK(e.size == 52428800);
	ehlo("250-hi\r\n250 SIZE 10M\r\n", &e);
	CHECK(e.size == 0);
	ehlo("250-hi\r\n250 SIZE -1\r\n", &e);
	CHECK(e.size == 0);
	ehlo("250-hi\r\n250 SIZE 99999999999999999999999999\r\n", &e);
	CHECK(e.size == SIZE_MAX);

	/* keywords outside the grammar are skipped, so no control byte gets
	 * into the list */
	ehlo("250-hi\r\n250-\x1b]0;pwned\x07\r\n250--X\r\n250-\r\n250-  \r\n250 8BITMIME\r\n", &e);
	CHECK(e.eightbitmime);
	CHECK_STR(e.keywords, "8BITMIME");

	/* other codes offer nothing */
	ehlo("502-hi\r\n502 STARTTLS\r\n", &e);
	CHECK(!e.starttls);
	CHECK_STR(e.keywords, "");

	/* many keywords: the list is cut at a word, never overflows */
	{
		static char buf[100 * 40];
		char *p = buf;
		p += sprintf(p, "250-hi\r\n");
		for (int i = 0; i < 98; i++)
			p += sprintf(p, "250-X-KEYWORD-NUMBER-%02d\r\n", i);
		sprintf(p, "250 STARTTLS\r\n");
		ehlo(buf, &e);
		CHECK(e.starttls); /* still read, even with no room in the list */
		CHECK(strlen(e.keywords) < sizeof e.keywords);
		CHECK(strncmp(e.keywords, "X-KEYWORD-NUMBER-00 X-KEYWORD-NUMBER-01", 39) == 0);
		/* 25 of the long ones fit; the short one after them still does */
		size_t kl = strlen(e.keywords);
		CHECK(kl > 9 && strcmp(e.keywords + kl - 9, " STARTTLS") == 0);
		CHECK(strstr(e.keywords, "X-KEYWORD-NUMBER-24 STARTTLS") != NULL);

		p = buf;
		p += sprintf(p, "250-hi\r\n250 AUTH");
		for (int i = 0; i < 40; i++)
			p += sprintf(p, " MECH-%02d-ABCDEFGH", i);
		sprintf(p, " PLAIN\r\n");
		ehlo(buf, &e);
		CHECK(e.mechs == SMTP_MECH_PLAIN);
		CHECK(strlen(e.mech_names) < sizeof e.mech_names);
		CHECK(strncmp(e.mech_names, "MECH-00-ABCDEFGH MECH-01", 24) == 0);
		CHECK(e.mech_names[strlen(e.mech_names) - 1] == 'H');
	}
}

int main(void)
{
	test_framing();
	test_pipelined();
	test_codes();
	test_garbage();
	test_nul();
	test_enhanced();
	test_line_limit();
	test_line_count();
	test_random_splits();
	test_ehlo();
	return check_summary();
}
