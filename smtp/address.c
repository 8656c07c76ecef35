/* SPDX-License-Identifier: MIT */
/*
 * address.c - whether a string may go into MAIL FROM:<...> or RCPT TO:<...>:
 * RFC 5321 §4.1.2 (Mailbox), with UTF-8 as RFC 6531 (SMTPUTF8) allows it.
 *
 * A little stricter than the grammar, on purpose, because the string ends
 * up between angle brackets on the wire and in headers:
 * - '<' and '>' are refused even inside a quoted local part;
 * - a non-ASCII character must be valid UTF-8 (no overlong forms, no
 *   surrogates) and may not be a C1 control or U+2028/U+2029;
 * - an IPv4 literal is a plain dotted quad without leading zeros
 *   (inet_pton's form), and only IPv4 and IPv6 literals are known;
 * - a host name whose last label is all digits ("user@192.0.2.1") is
 *   refused: an address belongs in brackets;
 * - the empty string is not an address (the null reverse-path "<>" is the
 *   caller's business).
 */
#include "smtp/smtp.h"
#include "smtp/utf8.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

enum {
	ADDR_MAX = 254,	  /* RFC 5321 path of 256 octets, less the brackets */
	LOCAL_MAX = 64,	  /* RFC 5321 §4.5.3.1.1, quotes included */
	DOMAIN_MAX = 255, /* §4.5.3.1.2 */
	LABEL_MAX = 63,	  /* RFC 1035; counted in octets, also for UTF-8 labels */
};

/* A non-ASCII character at s: its length when it may be part of an
 * address, else 0. */
static size_t utf8_addr_char(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len = smtp_utf8_decode(s, n, &cp);

	if (len < 2 || cp <= 0x9F || cp == 0x2028 || cp == 0x2029)
		return 0;
	return len;
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5322 atext (ASCII part), without the C library's locale. */
static bool is_atext(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A dot-atom local part at s, up to the '@': its length, or 0. */
static size_t dot_atom(const unsigned char *s, size_t n)
{
	size_t i = 0;
	bool want_atext = true; /* at the start or just after a dot */

	while (i < n && s[i] != '@') {
		if (s[i] == '.') {
			if (want_atext)
				return 0;
			want_atext = true;
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			if (!is_atext(s[i]))
				return 0;
			i++;
		} else {
			size_t len = utf8_addr_char(s + i, n - i);
			if (!len)
				return 0;
			i += len;
		}
		want_atext = false;
	}
	return want_atext ? 0 : i;
}

/* A quoted-string local part at s (s[0] is '"'): its length, quotes
 * included, or 0.  Spaces are fine inside; controls and brackets are not. */
static size_t quoted_string(const unsigned char *s, size_t n)
{
	size_t i = 1;

	while (i < n) {
		unsigned char c = s[i];
		if (c == '"')
			return i + 1;
		if (c == '\\') { /* quoted-pairSMTP: '\' then %d32-126 */
			if (i + 1 >= n || s[i + 1] < 0x20 || s[i + 1] > 0x7E || s[i + 1] == '<' ||
			    s[i + 1] == '>')
				return 0;
			i += 2;
		} else if (c >= 0x20 && c <= 0x7E) {
			if (c == '<' || c == '>')
				return 0;
			i++;
		} else if (c >= 0x80) {
			size_t len = utf8_addr_char(s + i, n - i);
			if (!len)
				return 0;
			i += len;
		} else {
			return 0;
		}
	}
	return 0; /* no closing quote */
}

/* "[192.0.2.1]" or "[IPv6:2001:db8::1]". */
static bool address_literal(const unsigned char *s, size_t n)
{
	const char *in = (const char *)s + 1;
	size_t len;
	int af = AF_INET;
	char text[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];

	if (n < 3 || s[n - 1] != ']')
		return false;
	len = n - 2;
	if (len >= 5 && strncasecmp(in, "IPv6:", 5) == 0) {
		af = AF_INET6;
		in += 5;
		len -= 5;
	}
	if (len == 0 || len >= sizeof text)
		return false;
	memcpy(text, in, len);
	text[len] = '\0';
	return inet_pton(af, text, bin) == 1;
}

/* Labels of letters, digits (and UTF-8 characters) and inner hyphens. */
static bool host_name(const unsigned char *s, size_t n)
{
	size_t i = 0, start = 0;
	bool all_digits = true;

	if (n == 0 || n > DOMAIN_MAX)
		return false;
	for (;;) {
		if (i == n || s[i] == '.') {
			size_t len = i - start;
			if (len == 0 || len > LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
				return false;
			if (i == n)
				return !all_digits;
			start = ++i;
			all_digits = true;
			continue;
		}
		if (is_digit(s[i])) {
			i++;
		} else if (is_alpha(s[i]) || s[i] == '-') {
			all_digits = false;
			i++;
		} else if (s[i] >= 0x80) {
			size_t len = utf8_addr_char(s + i, n - i);
			if (!len)
				return false;
			all_digits = false;
			i += len;
		} else {
			return false;
		}
	}
}

bool smtp_address_valid(const char *addr)
{
	const unsigned char *s = (const unsigned char *)addr;
	size_t n, local;

	if (!addr)
		return false;
	n = strlen(addr);
	if (n == 0 || n > ADDR_MAX)
		return false;
	local = s[0] == '"' ? quoted_string(s, n) : dot_atom(s, n);
	if (local == 0 || local > LOCAL_MAX || local >= n || s[local] != '@')
		return false;
	s += local + 1;
	n -= local + 1;
	if (n && s[0] == '[')
		return address_literal(s, n);
	return host_name(s, n);
}
