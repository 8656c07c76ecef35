/* SPDX-License-Identifier: MIT */
/*
 * message.c - the plain-text message (RFC 5322, MIME RFC 2045/2047) and its
 * wire form after DATA (RFC 5321 §4.5.2 transparency, §4.5.3.1.6 lines).
 */
#include "smtp/message.h"
#include "smtp/utf8.h"
#include "smtp/smtp.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	LINE_MAX_TEXT = 998, /* bytes in a line, CRLF excluded (RFC 5321, RFC 5322) */
	FOLD_AT = 78,	     /* header lines are folded to this width when they can be */
	EW_LINE = 76,	     /* a line holding an encoded-word (RFC 2047 §2) */
	EW_OVERHEAD = 12,    /* "=?UTF-8?B?" and "?=" */
	QP_LINE = 76,	     /* a quoted-printable line, soft-break '=' included */
};

/* A growing, always NUL-terminated byte buffer that remembers running out
 * of memory, so the builders can append without checking each call. */
struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Room for n more bytes and the NUL. */
static bool buf_reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->oom)
		return false;
	if (n < b->cap - b->len)
		return true;
	while (n >= cap - b->len) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void buf_add(struct buf *b, const void *data, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Hands the buffer over as the result, or frees it when memory ran out. */
static char *buf_finish(struct buf *b, size_t *len, char *err, size_t errlen)
{
	if (b->oom || !b->p) {
		free(b->p);
		if (len)
			*len = 0;
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (len)
		*len = b->len;
	return b->p;
}

/* NULL holds no bytes, so it holds no line break either: callers that
 * need a value check for NULL themselves (an optional EHLO name or password
 * is NULL when absent).  A C string cannot hold a NUL before its end, so
 * only CR and LF are looked for. */
bool smtp_has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static size_t utf8_len(const unsigned char *s, size_t n)
{
	return smtp_utf8_decode(s, n, NULL);
}

/* The offset of the first byte that is not valid UTF-8, or n. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n && (len = utf8_len(s + i, n - i)) != 0)
		i += len;
	return i;
}

/* 1-based line number of offset off (CRLF, CR or LF end a line). */
static size_t line_of(const char *s, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
			line++;
	return line;
}

/* A header value from the caller: refused with a message when it holds a
 * line break (it could add headers of its own) or is not an address. */
static bool check_address(const char *what, const char *addr, char *err, size_t errlen)
{
	if (!addr) {
		set_err(err, errlen, "%s is missing", what);
		return false;
	}
	if (smtp_has_line_break(addr)) {
		set_err(err, errlen, "%s holds a CR or LF: refused (header injection)", what);
		return false;
	}
	if (!smtp_address_valid(addr)) {
		set_err(err, errlen, "%s \"%.300s\" is not a valid address", what, addr);
		return false;
	}
	return true;
}

static void add_date(struct buf *b, const struct tm *tm)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char line[128];

	/* By hand rather than strftime: the names must not follow the locale. */
	snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		 days[tm->tm_wday % 7], tm->tm_mday, months[tm->tm_mon % 12], tm->tm_year + 1900,
		 tm->tm_hour, tm->tm_min, tm->tm_sec);
	buf_str(b, line);
}

static bool add_message_id(struct buf *b, const struct tm *tm, const char *domain, char *err,
			   size_t errlen)
{
	unsigned char rnd[8];
	char line[128];

	if (RAND_bytes(rnd, sizeof rnd) != 1) {
		set_err(err, errlen, "cannot make a random Message-ID");
		return false;
	}
	snprintf(line, sizeof line,
		 "Message-ID: <%04d%02d%02d%02d%02d%02d."
		 "%02x%02x%02x%02x%02x%02x%02x%02x@",
		 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
		 tm->tm_sec, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	buf_str(b, line);
	buf_str(b, domain);
	buf_str(b, ">\r\n");
	return true;
}

/* "To: a, b, c", folded before an address that would pass column 78. */
static void add_to(struct buf *b, const char *const *to, size_t nto)
{
	size_t col = 4;

	buf_str(b, "To: ");
	for (size_t k = 0; k < nto; k++) {
		size_t len = strlen(to[k]);
		if (k > 0) {
			if (col + 2 + len > FOLD_AT) {
				buf_str(b, ",\r\n ");
				col = 1;
			} else {
				buf_str(b, ", ");
				col += 2;
			}
		}
		buf_add(b, to[k], len);
		col += len;
	}
	buf_str(b, "\r\n");
}

/* Whether the subject can go as it is: printable ASCII, and nothing a
 * reader would take for an encoded-word ("=?"). */
static bool subject_is_plain(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E ||
		    (p[0] == '=' && p[1] == '?'))
			return false;
	return true;
}

/* "Subject: words", folded before a space where a line would pass column
 * 78.  Returns the longest line, so the caller can tell when a word was too
 * long to fit in 998 bytes whatever the folding. */
static size_t fold_plain(struct buf *b, const char *s)
{
	size_t col = 9, longest = 0, i = 0;

	buf_str(b, "Subject: ");
	while (s[i]) {
		size_t j = i;
		while (s[j] == ' ')
			j++;
		bool has_word = s[j] != '\0';
		while (s[j] && s[j] != ' ')
			j++;
		/* A fold goes before the segment's spaces, so it never leaves a
		 * line of white space alone, nor changes the unfolded text. */
		if (col > 9 && s[i] == ' ' && has_word && col + (j - i) > FOLD_AT) {
			buf_str(b, "\r\n");
			longest = col > longest ? col : longest;
			col = 0;
		}
		buf_add(b, s + i, j - i);
		col += j - i;
		i = j;
	}
	buf_str(b, "\r\n");
	return col > longest ? col : longest;
}

/* "Subject: =?UTF-8?B?...?=", one encoded-word per line, each line at most
 * 76 columns (so each word at most 75), cut only between whole
 * characters: whitespace between encoded-words vanishes when decoded. */
static void encode_words(struct buf *b, const unsigned char *s, size_t n)
{
	size_t col = 9, i = 0;
	unsigned char b64[EW_LINE + 4];

	buf_str(b, "Subject: ");
	while (i < n) {
		size_t room = (EW_LINE - col - EW_OVERHEAD) / 4 * 3; /* input bytes */
		size_t take = 0, len;
		while (i + take < n && (len = utf8_len(s + i + take, n - i - take)) != 0 &&
		       take + len <= room)
			take += len;
		EVP_EncodeBlock(b64, s + i, (int)take);
		buf_str(b, "=?UTF-8?B?");
		buf_str(b, (const char *)b64);
		buf_str(b, "?=");
		i += take;
		if (i < n) {
			buf_str(b, "\r\n ");
			col = 1;
		}
	}
	buf_str(b, "\r\n");
}

static bool add_subject(struct buf *b, const char *subject, char *err, size_t errlen)
{
	size_t n = strlen(subject), bad;

	if (smtp_has_line_break(subject)) {
		set_err(err, errlen, "the subject holds a CR or LF: refused (header injection)");
		return false;
	}
	bad = utf8_invalid_at((const unsigned char *)subject, n);
	if (bad != n) {
		set_err(err, errlen, "the subject is not valid UTF-8 (byte %zu)", bad + 1);
		return false;
	}
	if (n == 0) {
		buf_str(b, "Subject:\r\n");
		return true;
	}
	if (subject_is_plain(subject)) {
		size_t mark = b->len;
		if (fold_plain(b, subject) <= LINE_MAX_TEXT)
			return true;
		b->len = mark; /* a word too long to fold: encode instead */
		if (b->p)
			b->p[mark] = '\0';
	}
	encode_words(b, (const unsigned char *)subject, n);
	return true;
}

/* The body with every line ending made CRLF and a final CRLF. */
static void normalise_body(struct buf *b, const char *body)
{
	size_t i = 0;

	while (body[i]) {
		size_t start = i;
		while (body[i] && body[i] != '\r' && body[i] != '\n')
			i++;
		buf_add(b, body + start, i - start);
		buf_str(b, "\r\n");
		if (body[i] == '\r' && body[i + 1] == '\n')
			i += 2;
		else if (body[i])
			i++;
	}
}

/* One line of text (no CRLF) as quoted-printable (RFC 2045 §6.7): soft
 * breaks keep every line at most 76 columns, the '=' included; a space or
 * tab at the end of the line is encoded, so no transport strips it. */
static void qp_line(struct buf *b, const unsigned char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		bool last = i + 1 == n;
		char tok[4];
		size_t len = 1;
		if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
			tok[0] = (char)c;
		} else {
			snprintf(tok, sizeof tok, "=%02X", c);
			len = 3;
		}
		/* The last token may use column 76; others leave room for '='. */
		if (col + len > (last ? QP_LINE : QP_LINE - 1)) {
			buf_str(b, "=\r\n");
			col = 0;
		}
		buf_add(b, tok, len);
		col += len;
	}
	buf_str(b, "\r\n");
}

/* The body as the message carries it, and its Content-Transfer-Encoding. */
static bool add_body(struct buf *b, const char *body, char *err, size_t errlen)
{
	struct buf norm = {0};
	size_t n = strlen(body), bad, longest = 0;
	bool ascii = true;
	const char *cte;

	bad = utf8_invalid_at((const unsigned char *)body, n);
	if (bad != n) {
		set_err(err, errlen, "the body is not valid UTF-8 (line %zu)", line_of(body, bad));
		return false;
	}
	normalise_body(&norm, body);
	if (norm.oom) {
		free(norm.p);
		b->oom = true;
		return true; /* reported as out of memory by the caller */
	}
	for (size_t i = 0, start = 0; i < norm.len; i++) {
		if ((unsigned char)norm.p[i] >= 0x80)
			ascii = false;
		if (norm.p[i] == '\r') {
			longest = i - start > longest ? i - start : longest;
			start = i + 2;
		}
	}
	cte = longest > LINE_MAX_TEXT ? "quoted-printable" : ascii ? "7bit" : "8bit";
	buf_str(b, "MIME-Version: 1.0\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: ");
	buf_str(b, cte);
	buf_str(b, "\r\n\r\n");
	if (longest <= LINE_MAX_TEXT) {
		buf_add(b, norm.p, norm.len);
	} else {
		for (size_t i = 0, start = 0; i < norm.len; i++)
			if (norm.p[i] == '\r') {
				qp_line(b, (const unsigned char *)norm.p + start, i - start);
				start = i + 2;
				i++;
			}
	}
	free(norm.p);
	return true;
}

char *smtp_message_build(const char *from, const char *const *to, size_t nto, const char *subject,
			 const char *body, time_t date, const char *domain, size_t *len, char *err,
			 size_t errlen)
{
	struct buf b = {0};
	struct tm tm;
	char what[32], probe[300];

	if (len)
		*len = 0;
	if (!check_address("the From address", from, err, errlen))
		return NULL;
	if (!to || nto == 0) {
		set_err(err, errlen, "no recipient");
		return NULL;
	}
	for (size_t k = 0; k < nto; k++) {
		snprintf(what, sizeof what, "recipient %zu", k + 1);
		if (!check_address(what, to[k], err, errlen))
			return NULL;
	}
	/* The Message-ID's right side: the domain given, else the sender's.  A
	 * line break in it is refused like any other injection; a name that is
	 * merely not a host name (a machine called "FAZ_01") falls back to the
	 * sender's domain rather than stopping the mail. */
	if (smtp_has_line_break(domain)) {
		set_err(err, errlen, "the Message-ID domain holds a CR or LF: refused");
		return NULL;
	}
	if (domain && *domain && strlen(domain) < sizeof probe - 2) {
		snprintf(probe, sizeof probe, "x@%s", domain);
		if (!smtp_address_valid(probe))
			domain = NULL;
	} else {
		domain = NULL;
	}
	if (!domain)
		domain = strrchr(from, '@') + 1; /* from is a valid address */
	if (!gmtime_r(&date, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999) {
		set_err(err, errlen, "the date is out of range");
		return NULL;
	}

	add_date(&b, &tm);
	if (!add_message_id(&b, &tm, domain, err, errlen))
		goto fail;
	buf_str(&b, "From: ");
	buf_str(&b, from);
	buf_str(&b, "\r\n");
	add_to(&b, to, nto);
	if (!add_subject(&b, subject ? subject : "", err, errlen) ||
	    !add_body(&b, body ? body : "", err, errlen))
		goto fail;
	return buf_finish(&b, len, err, errlen);
fail:
	free(b.p);
	return NULL;
}

char *smtp_data_encode(const char *msg, size_t len, size_t *outlen, char *err, size_t errlen)
{
	struct buf b = {0};
	size_t i = 0, line = 1;

	if (outlen)
		*outlen = 0;
	if (!msg && len) {
		set_err(err, errlen, "no message");
		return NULL;
	}
	/* Room for the text, its CRLFs and a few stuffed dots, up front. */
	if (len < SIZE_MAX / 2)
		buf_reserve(&b, len + len / 16 + 8);
	while (i < len) {
		size_t start = i, n;
		const char *nl;
		while (i < len && msg[i] != '\r' && msg[i] != '\n')
			i++;
		n = i - start;
		if ((nl = memchr(msg + start, '\0', n)) != NULL) {
			set_err(err, errlen, "line %zu holds a NUL byte (at column %zu)", line,
				(size_t)(nl - (msg + start)) + 1);
			goto fail;
		}
		if (n > LINE_MAX_TEXT) {
			set_err(err, errlen,
				"line %zu is %zu bytes long: SMTP allows at most %d (RFC 5321 "
				"4.5.3.1.6)",
				line, n, LINE_MAX_TEXT);
			goto fail;
		}
		if (n && msg[start] == '.')
			buf_add(&b, ".", 1); /* transparency, RFC 5321 §4.5.2 */
		buf_add(&b, msg + start, n);
		buf_add(&b, "\r\n", 2);
		if (i < len)
			i += msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n' ? 2 : 1;
		line++;
	}
	buf_add(&b, ".\r\n", 3);
	return buf_finish(&b, outlen, err, errlen);
fail:
	free(b.p);
	return NULL;
}
