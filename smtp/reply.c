/* SPDX-License-Identifier: MIT */
/*
 * reply.c - the SMTP reply parser (RFC 5321 §4.2) and the EHLO keyword reader.
 *
 * The parser walks the bytes in order and stops at the first byte that
 * settles the outcome: a byte that cannot belong to a reply makes it BAD, a
 * line or a line count past the limit makes it TOO_LONG, both without
 * waiting for the rest of the line.  So the same bytes give the same answer
 * (status, message, used) however the network split them into reads, and a
 * hostile server can never make the client hold more than
 * SMTP_REPLY_MAX_LINE bytes of one line.
 */
#include "smtp/reply.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void reply_clear(struct smtp_reply *r)
{
	r->code = 0;
	r->enhanced[0] = '\0';
	r->text[0] = '\0';
	r->lines = 0;
}

__attribute__((format(printf, 3, 4))) static enum smtp_reply_status
reply_fail(struct smtp_reply *r, enum smtp_reply_status status, const char *fmt, ...)
{
	va_list ap;

	reply_clear(r);
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
	return status;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Length of the run of 1-3 digits at s[0..len), or 0 if there is none or
 * it is longer. */
static size_t digits_1_3(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && is_digit((unsigned char)s[n]))
		n++;
	return n <= 3 ? n : 0;
}

/* Copies an RFC 3463 status code (class "." subject "." detail) into
 * r->enhanced when the first line's text starts with one whose class is
 * the reply's first digit.  It must end the text or be followed by a space:
 * "2.0.0abc" and "2.0.0.1" are text, not codes. */
static void reply_enhanced(struct smtp_reply *r, const char *t, size_t len)
{
	char cls = (char)('0' + r->code / 100);
	size_t i = 2, n;

	if (cls == '3' || len < 5 || t[0] != cls || t[1] != '.')
		return;
	if (!(n = digits_1_3(t + i, len - i)) || (i += n) >= len || t[i++] != '.')
		return;
	if (!(n = digits_1_3(t + i, len - i)))
		return;
	i += n;
	if (i < len && t[i] != ' ')
		return;
	memcpy(r->enhanced, t, i); /* at most 9 bytes: "5.123.123" */
	r->enhanced[i] = '\0';
}

enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *r,
					size_t *used)
{
	size_t pos = 0, tlen = 0;
	bool cut = false;

	*used = 0;
	reply_clear(r);
	for (size_t n = 1;; n++) {
		const char *line = buf + pos;
		size_t avail = len - pos,
		       lim = avail < SMTP_REPLY_MAX_LINE ? avail : SMTP_REPLY_MAX_LINE;
		size_t i;
		int code = 0;

		for (i = 0; i < lim; i++) {
			unsigned char c = (unsigned char)line[i];

			if (i < 3) {
				if (!is_digit(c))
					return reply_fail(
						r, SMTP_REPLY_BAD,
						"not an SMTP reply: line %zu does not start with a "
						"3-digit code",
						n);
				code = code * 10 + (c - '0');
				if (i < 2)
					continue;
				if (n == 1 && (code < 200 || code > 599))
					return reply_fail(r, SMTP_REPLY_BAD,
							  "reply code %03d is outside 200-599",
							  code);
				if (n > 1 && code != r->code)
					return reply_fail(
						r, SMTP_REPLY_BAD,
						"line %zu of the reply has code %03d, the first "
						"line %03d",
						n, code, r->code);
				r->code = code;
				continue;
			}
			if (i == 3) {
				/* '-', ' ', or the end of the line ("250\r\n" is a
				 * last line with no text).  A CR whose next byte
				 * has not come yet may still be that end. */
				bool eol = c == '\n' ||
					   (c == '\r' && (i + 1 == avail || line[i + 1] == '\n'));
				if (c != '-' && c != ' ' && !eol)
					return reply_fail(r, SMTP_REPLY_BAD,
							  "not an SMTP reply: in line %zu the code "
							  "is followed by neither '-', ' ' nor the "
							  "end of the line",
							  n);
				if (c == '-' && n == SMTP_REPLY_MAX_LINES)
					return reply_fail(r, SMTP_REPLY_TOO_LONG,
							  "the reply has more than %d lines",
							  SMTP_REPLY_MAX_LINES);
			}
			if (c == '\n')
				break;
			if (c == '\0')
				return reply_fail(r, SMTP_REPLY_BAD,
						  "line %zu of the reply holds a NUL byte", n);
		}
		if (i == lim) {
			if (lim == SMTP_REPLY_MAX_LINE)
				return reply_fail(r, SMTP_REPLY_TOO_LONG,
						  "line %zu of the reply is longer than %d bytes",
						  n, SMTP_REPLY_MAX_LINE);
			reply_clear(r);
			return SMTP_REPLY_MORE;
		}

		/* line[i] is the LF; the text runs from after the separator to
		 * the CR before it (if any). */
		size_t end = i > 0 && line[i - 1] == '\r' ? i - 1 : i;
		size_t start = end > 4 ? 4 : end, tn = end - start;
		if (n == 1)
			reply_enhanced(r, line + start, tn);
		/* Whole lines only, so that a cut never leaves half a keyword
		 * or a short SIZE number for smtp_ehlo_parse; a first line
		 * always fits (2043 bytes of text at most). */
		size_t need = (n > 1) + tn;
		if (!cut && tlen + need < sizeof r->text) {
			if (n > 1)
				r->text[tlen++] = '\n';
			memcpy(r->text + tlen, line + start, tn);
			tlen += tn;
			r->text[tlen] = '\0';
		} else {
			cut = true;
		}
		r->lines = n;
		pos += i + 1;
		if (line[3] != '-') {
			*used = pos;
			return SMTP_REPLY_DONE;
		}
	}
}

/* ---- EHLO ---- */

static bool word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(w, name, n) == 0;
}

/* RFC 5321 ehlo-keyword: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
static bool valid_keyword(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c);
		if (!alnum && (i == 0 || c != '-'))
			return false;
	}
	return n > 0;
}

/* RFC 4422 SASL mechanism name: 1-20 of A-Z 0-9 - _ (any case accepted). */
static bool valid_mech(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
		      c == '_'))
			return false;
	}
	return n > 0 && n <= 20;
}

/* Appends word w[0..n) to the space-separated list in buf unless it is
 * already there (case-insensitively) or would not fit whole. */
static void list_add(char *buf, size_t size, const char *w, size_t n)
{
	size_t len = strlen(buf);

	for (const char *p = buf; *p;) {
		size_t pn = strcspn(p, " ");
		if (pn == n && strncasecmp(p, w, n) == 0)
			return;
		p += pn + (p[pn] == ' ');
	}
	if (len + (len > 0) + n >= size)
		return;
	if (len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, w, n);
	buf[len + n] = '\0';
}

static void ehlo_mech(struct smtp_ehlo *e, const char *w, size_t n)
{
	if (!valid_mech(w, n))
		return;
	if (word_is(w, n, "PLAIN"))
		e->mechs |= SMTP_MECH_PLAIN;
	else if (word_is(w, n, "LOGIN"))
		e->mechs |= SMTP_MECH_LOGIN;
	else if (word_is(w, n, "CRAM-MD5"))
		e->mechs |= SMTP_MECH_CRAM_MD5;
	else if (word_is(w, n, "EXTERNAL"))
		e->mechs |= SMTP_MECH_EXTERNAL;
	list_add(e->mech_names, sizeof e->mech_names, w, n);
}

/* "1234" -> 1234, saturating at SIZE_MAX; anything but digits -> 0. */
static size_t parse_size(const char *w, size_t n)
{
	size_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)w[i]))
			return 0;
		unsigned d = (unsigned)(w[i] - '0');
		v = v > (SIZE_MAX - d) / 10 ? SIZE_MAX : v * 10 + d;
	}
	return v;
}

/* The next blank-separated word of s[*pos..len) as *w, its length returned
 * (0 at the end). */
static size_t next_word(const char *s, size_t len, size_t *pos, const char **w)
{
	size_t i = *pos, start;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	start = i;
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	*pos = i;
	*w = s + start;
	return i - start;
}

static void ehlo_line(struct smtp_ehlo *e, const char *s, size_t len)
{
	size_t pos = 0, n;
	const char *w;

	n = next_word(s, len, &pos, &w);
	/* The pre-RFC 2554 form "AUTH=LOGIN PLAIN" (old Outlook/Exchange)
	 * names the first mechanism in the keyword itself. */
	if (n > 5 && strncasecmp(w, "AUTH=", 5) == 0) {
		list_add(e->keywords, sizeof e->keywords, w, 4);
		ehlo_mech(e, w + 5, n - 5);
		while ((n = next_word(s, len, &pos, &w)))
			ehlo_mech(e, w, n);
		return;
	}
	/* A keyword outside the RFC grammar is junk (or an attempt to get
	 * control bytes onto the operator's terminal): skip the line. */
	if (!valid_keyword(w, n))
		return;
	list_add(e->keywords, sizeof e->keywords, w, n);
	if (word_is(w, n, "STARTTLS")) {
		e->starttls = true;
	} else if (word_is(w, n, "PIPELINING")) {
		e->pipelining = true;
	} else if (word_is(w, n, "8BITMIME")) {
		e->eightbitmime = true;
	} else if (word_is(w, n, "SMTPUTF8")) {
		e->smtputf8 = true;
	} else if (word_is(w, n, "ENHANCEDSTATUSCODES")) {
		e->enhancedstatuscodes = true;
	} else if (word_is(w, n, "SIZE")) {
		n = next_word(s, len, &pos, &w);
		e->size = parse_size(w, n);
	} else if (word_is(w, n, "AUTH")) {
		while ((n = next_word(s, len, &pos, &w)))
			ehlo_mech(e, w, n);
	}
}

void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e)
{
	memset(e, 0, sizeof *e);
	if (r->code != 250)
		return;
	size_t len = strnlen(r->text, sizeof r->text);
	const char *nl = memchr(r->text, '\n', len);
	while (nl) {
		const char *s = nl + 1;
		size_t left = len - (size_t)(s - r->text);
		nl = memchr(s, '\n', left);
		ehlo_line(e, s, nl ? (size_t)(nl - s) : left);
	}
}
