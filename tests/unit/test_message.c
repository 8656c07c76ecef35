/* SPDX-License-Identifier: MIT */
/* test_message.c - addresses (smtp_address_valid), the message builder and
 * the DATA wire form (smtp/message.h). */
#include "smtp/message.h"
#include "smtp/smtp.h"
#include "tests/unit/check.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static const char *const one_rcpt[] = {"to@example.net"};

/* --- small decoders, written here so the tests do not trust the code under test --- */

static int b64_value(char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;
	return p ? (int)(p - set) : -1;
}

/* Decodes n base64 characters into out; returns the byte count or -1. */
static int b64_decode(const char *in, size_t n, unsigned char *out)
{
	int len = 0;
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = in[i + k] == '=' ? 0 : b64_value(in[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
			return -1;
		unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
				(unsigned)v[3];
		out[len++] = (unsigned char)(bits >> 16);
		if (in[i + 2] != '=')
			out[len++] = (unsigned char)(bits >> 8);
		if (in[i + 3] != '=')
			out[len++] = (unsigned char)bits;
	}
	return len;
}

/* Whether s[0..n) is whole, valid UTF-8 (no character cut at either end). */
static int utf8_whole(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t len = 0;
		if (s[i] < 0x80)
			len = 1;
		else if ((s[i] & 0xE0) == 0xC0)
			len = 2;
		else if ((s[i] & 0xF0) == 0xE0)
			len = 3;
		else if ((s[i] & 0xF8) == 0xF0)
			len = 4;
		if (!len || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a quoted-printable body (CRLF lines); checks on the way that no
 * encoded line is over 76 columns or ends in white space.  Returns malloc'd
 * text, or NULL when the encoding is malformed. */
static char *qp_decode(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	while (out && *in) {
		const char *eol = strstr(in, "\r\n");
		if (!eol || eol - in > 76 || (eol > in && (eol[-1] == ' ' || eol[-1] == '\t')))
			goto bad;
		int soft = eol > in && eol[-1] == '=';
		const char *end = soft ? eol - 1 : eol;
		for (const char *p = in; p < end; p++) {
			if (*p != '=') {
				*o++ = *p;
				continue;
			}
			if (end - p < 3 || hex_value(p[1]) < 0 || hex_value(p[2]) < 0)
				goto bad;
			*o++ = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
			p += 2;
		}
		if (!soft) {
			*o++ = '\r';
			*o++ = '\n';
		}
		in = eol + 2;
	}
	if (out)
		*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* The header field name's value, unfolded (CRLF before WSP removed), into
 * out; 1 when found in the header section. */
static int header(const char *msg, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), o = 0;
	const char *end = strstr(msg, "\r\n\r\n");
	const char *p = msg;
	while (p && p < end) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			if (*p == ' ')
				p++;
			while (*p && o + 1 < outlen) {
				if (p[0] == '\r' && p[1] == '\n') {
					if (p[2] != ' ' && p[2] != '\t')
						break;
					p += 2;
					continue;
				}
				out[o++] = *p++;
			}
			out[o] = '\0';
			return 1;
		}
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return 0;
}

/* The longest line (CRLF excluded) of the header section. */
static size_t longest_header_line(const char *msg)
{
	size_t longest = 0;
	const char *end = strstr(msg, "\r\n\r\n");
	for (const char *p = msg; p && p <= end;) {
		const char *eol = strstr(p, "\r\n");
		if ((size_t)(eol - p) > longest)
			longest = (size_t)(eol - p);
		p = eol + 2;
	}
	return longest;
}

static char *build(const char *subject, const char *body, size_t *len, char *err, size_t errlen)
{
	return smtp_message_build("from@example.com", one_rcpt, 1, subject, body, 1795979101,
				  "example.org", len, err, errlen);
}

static const char *body_of(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	return p ? p + 4 : "";
}

/* --- the tests --- */

static void test_address_table(void)
{
	char local64[65], local65[66], label63[64], label64[65], max254[255], over255[256];
	memset(local64, 'a', 64), local64[64] = '\0';
	memset(local65, 'a', 65), local65[65] = '\0';
	memset(label63, 'b', 63), label63[63] = '\0';
	memset(label64, 'b', 64), label64[64] = '\0';
	char a_local64[128], a_local65[128], a_label63[128], a_label64[128];
	snprintf(a_local64, sizeof a_local64, "%s@example.com", local64);
	snprintf(a_local65, sizeof a_local65, "%s@example.com", local65);
	snprintf(a_label63, sizeof a_label63, "x@%s.example.com", label63);
	snprintf(a_label64, sizeof a_label64, "x@%s.example.com", label64);
	/* 64 + '@' + 63.63.61 = 254; one more byte in the last label is 255 */
	snprintf(max254, sizeof max254, "%s@%s.%s.%.61s", local64, label63, label63, label63);
	snprintf(over255, sizeof over255, "%s@%s.%s.%.62s", local64, label63, label63, label63);
	CHECK(strlen(max254) == 254 && strlen(over255) == 255);

	static const struct {
		const char *addr;
		bool ok;
	} cases[] = {
		{"user@example.com", true},
		{"first.last@example.com", true},
		{"root@localhost", true},
		{"user+tag@example.com", true},
		{"!#$%&'*+-/=?^_`{|}~@example.com", true},
		{"user@a-b.example.com", true},
		{"user@123.example.com", true},
		{"user@xn--bcher-kva.example", true},
		{"\"john doe\"@example.com", true},
		{"\"a@b\"@example.com", true},
		{"\"quo\\\"ted\"@example.com", true},
		{"\"back\\\\slash\"@example.com", true},
		{"\"\"@example.com", true},
		{"\"a.b..c\"@example.com", true},
		{"user@[192.0.2.1]", true},
		{"user@[IPv6:2001:db8::1]", true},
		{"user@[ipv6:::1]", true},
		{"user@[IPv6:::ffff:192.0.2.1]", true},
		{"用户@例子.广告", true},
		{"josé@exämple.com", true},
		{"\"ünï cödé\"@example.com", true},
		{NULL, false},
		{"", false},
		{"user", false},
		{"@example.com", false},
		{"user@", false},
		{"user@@example.com", false},
		{"a@b@example.com", false},
		{".user@example.com", false},
		{"user.@example.com", false},
		{"us..er@example.com", false},
		{"us er@example.com", false},
		{"user@exa mple.com", false},
		{"user@example.com\r\nRCPT TO:<x@example.com>", false},
		{"user\n@example.com", false},
		{"user@example.com\r", false},
		{"<user@example.com>", false},
		{"user>@example.com", false},
		{"\"a<b\"@example.com", false},
		{"\"unterminated@example.com", false},
		{"\"a\"b@example.com", false},
		{"\"a\x01\"@example.com", false},
		{"\"a\tb\"@example.com", false},
		{"\"a\\\x01\"@example.com", false},
		{"us\x7f"
		 "er@example.com",
		 false},
		{"user@-example.com", false},
		{"user@example-.com", false},
		{"user@example..com", false},
		{"user@example.com.", false},
		{"user@.example.com", false},
		{"user@exam_ple.com", false},
		{"user@192.0.2.1", false},
		{"user@[192.0.2.256]", false},
		{"user@[192.0.2]", false},
		{"user@[192.0.2.01]", false},
		{"user@[2001:db8::1]", false},
		{"user@[IPv6:2001:db8::g]", false},
		{"user@[IPv6:192.0.2.1]", false},
		{"user@[IPv6:::1%eth0]", false},
		{"user@[tag:something]", false},
		{"user@[192.0.2.1", false},
		{"user@[]", false},
		{"\xc3@example.com", false},		 /* cut short */
		{"\xc0\xaf@example.com", false},	 /* overlong '/' */
		{"\xed\xa0\x80@example.com", false},	 /* a surrogate */
		{"\xf4\x90\x80\x80@example.com", false}, /* over U+10FFFF */
		{"user@exa\xffmple.com", false},
		{"\xc2\x85@example.com", false},      /* NEL, a C1 control */
		{"a\xe2\x80\xa8@example.com", false}, /* U+2028 LINE SEPARATOR */
	};
	int n = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++, n++) {
		bool got = smtp_address_valid(cases[i].addr);
		if (got != cases[i].ok)
			fprintf(stderr, "address [%s]: got %d, want %d\n",
				cases[i].addr ? cases[i].addr : "(null)", got, cases[i].ok);
		CHECK(got == cases[i].ok);
	}
	CHECK(smtp_address_valid(a_local64));
	CHECK(!smtp_address_valid(a_local65));
	CHECK(smtp_address_valid(a_label63));
	CHECK(!smtp_address_valid(a_label64));
	CHECK(smtp_address_valid(max254));
	CHECK(!smtp_address_valid(over255));
	n += 6;
	CHECK(n >= 40);
}

static void test_has_line_break(void)
{
	CHECK(!smtp_has_line_break(NULL)); /* documented: NULL holds nothing */
	CHECK(!smtp_has_line_break(""));
	CHECK(!smtp_has_line_break("plain text"));
	CHECK(smtp_has_line_break("a\r"));
	CHECK(smtp_has_line_break("\nb"));
	CHECK(smtp_has_line_break("a\r\nb"));
}

static void test_header_injection(void)
{
	char err[256];
	size_t len = 99;
	const char *const evil_to[] = {"ok@example.net", "b@example.net\nBcc: evil@example.com"};
	const char *const good_to[] = {"ok@example.net"};

	err[0] = '\0';
	CHECK(smtp_message_build("a@example.com\r\nBcc: evil@example.com", good_to, 1, "s", "b", 0,
				 NULL, &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "From") && strstr(err, "CR or LF"));
	CHECK(len == 0);

	err[0] = '\0';
	CHECK(smtp_message_build("a@example.com", evil_to, 2, "s", "b", 0, NULL, &len, err,
				 sizeof err) == NULL);
	CHECK(strstr(err, "recipient 2") && strstr(err, "CR or LF"));

	err[0] = '\0';
	CHECK(build("hi\r\nBcc: evil@example.com", "b", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "subject") && strstr(err, "CR or LF"));
	err[0] = '\0';
	CHECK(build("hi\rX-Evil: 1", "b", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "subject") != NULL);
	err[0] = '\0';
	CHECK(build("hi\nX-Evil: 1", "b", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "subject") != NULL);

	err[0] = '\0';
	CHECK(smtp_message_build("a@example.com", good_to, 1, "s", "b", 0,
				 "example.com\r\nX-Evil: 1", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "Message-ID") != NULL);

	/* Not an address at all, or none. */
	err[0] = '\0';
	CHECK(smtp_message_build("not an address", good_to, 1, "s", "b", 0, NULL, &len, err,
				 sizeof err) == NULL);
	CHECK(strstr(err, "not a valid address") != NULL);
	CHECK(smtp_message_build("a@example.com", good_to, 0, "s", "b", 0, NULL, &len, err,
				 sizeof err) == NULL);
	CHECK(smtp_message_build(NULL, good_to, 1, "s", "b", 0, NULL, &len, err, sizeof err) ==
	      NULL);

	/* A NUL ends a C string: what follows it never reaches the message. */
	const char *const nul_to[] = {"ok@example.net\0\r\nBcc: evil@example.com"};
	char *msg = smtp_message_build("a@example.com\0\r\nBcc: evil@example.com", nul_to, 1,
				       "hi\0\r\nBcc: evil@example.com", "body", 0, NULL, &len, err,
				       sizeof err);
	CHECK(msg != NULL);
	CHECK(msg && !strstr(msg, "Bcc") && !strstr(msg, "evil"));
	free(msg);

	/* In the wire form a NUL is counted, refused, and its line named. */
	size_t out;
	err[0] = '\0';
	CHECK(smtp_data_encode("ab\r\ncd\0ef\r\n", 10, &out, err, sizeof err) == NULL);
	CHECK(strstr(err, "line 2") && strstr(err, "NUL"));
}

/* smtp_data_encode(in) must give want. */
static void check_wire(const char *in, size_t inlen, const char *want)
{
	char err[256] = "";
	size_t len = 0;
	char *got = smtp_data_encode(in, inlen, &len, err, sizeof err);
	CHECK_STR(got, want);
	CHECK(got && len == strlen(want));
	free(got);
}

#define WIRE(in, want) check_wire(in, sizeof in - 1, want)

static void test_dot_stuffing(void)
{
	WIRE("", ".\r\n");
	WIRE(".", "..\r\n.\r\n");
	WIRE("..", "...\r\n.\r\n");
	WIRE(".x", "..x\r\n.\r\n");
	WIRE(".x\r\nrest\r\n", "..x\r\nrest\r\n.\r\n");
	WIRE("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n");
	WIRE("a\r\n..\r\nb\r\n", "a\r\n...\r\nb\r\n.\r\n");
	WIRE("a\r\n.x\r\nb\r\n", "a\r\n..x\r\nb\r\n.\r\n");
	WIRE("a\r\n.", "a\r\n..\r\n.\r\n");
	WIRE("a\r\n.\r\n", "a\r\n..\r\n.\r\n");
	WIRE("a\r\n..", "a\r\n...\r\n.\r\n");
	WIRE("a\n.\nb", "a\r\n..\r\nb\r\n.\r\n");
	WIRE("a\n.x\n", "a\r\n..x\r\n.\r\n");
	WIRE("a\n..\n", "a\r\n...\r\n.\r\n");
	WIRE("a\r.x", "a\r\n..x\r\n.\r\n");
	WIRE("a.b\r\n x.\r\n", "a.b\r\n x.\r\n.\r\n");
	/* A message already holding the end-of-data sequence cannot end it early. */
	WIRE("a\r\n.\r\nQUIT\r\n", "a\r\n..\r\nQUIT\r\n.\r\n");
}

static void test_crlf(void)
{
	WIRE("abc", "abc\r\n.\r\n");
	WIRE("abc\r\n", "abc\r\n.\r\n");
	WIRE("a\r\nb\nc\rd\r\n\r\ne\n\rf", "a\r\nb\r\nc\r\nd\r\n\r\ne\r\n\r\nf\r\n.\r\n");
	WIRE("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n");
	WIRE("a\n\n", "a\r\n\r\n.\r\n");
	WIRE("\r", "\r\n.\r\n");
	WIRE("\n", "\r\n.\r\n");

	/* The builder's body too. */
	char err[256] = "";
	size_t len;
	char *msg = build("s", "one\ntwo\rthree\r\nfour", &len, err, sizeof err);
	CHECK_STR(msg ? body_of(msg) : NULL, "one\r\ntwo\r\nthree\r\nfour\r\n");
	CHECK(msg && strlen(msg) == len);
	/* Every line end of the whole message is CRLF. */
	for (size_t i = 0; msg && i < len; i++)
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			CHECK(!"bare LF");
		else if (msg[i] == '\r' && msg[i + 1] != '\n')
			CHECK(!"bare CR");
	free(msg);
}

static void test_998(void)
{
	char line[1200], in[1300], want[1400], err[256];
	size_t len;

	memset(line, 'x', 998);
	line[998] = '\0';
	snprintf(in, sizeof in, "first\r\n%s\r\n", line);
	snprintf(want, sizeof want, "first\r\n%s\r\n.\r\n", line);
	char *got = smtp_data_encode(in, strlen(in), &len, err, sizeof err);
	CHECK_STR(got, want);
	free(got);

	/* 998 starting with '.': allowed, the stuffed dot is not counted. */
	line[0] = '.';
	snprintf(in, sizeof in, "%s", line);
	snprintf(want, sizeof want, ".%s\r\n.\r\n", line);
	got = smtp_data_encode(in, strlen(in), &len, err, sizeof err);
	CHECK_STR(got, want);
	free(got);

	/* 999: refused, naming the line. */
	memset(line, 'y', 999);
	line[999] = '\0';
	snprintf(in, sizeof in, "first\nsecond\n%s\nlast", line);
	err[0] = '\0';
	len = 7;
	CHECK(smtp_data_encode(in, strlen(in), &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "line 3") && strstr(err, "999") && strstr(err, "998"));
	CHECK(len == 0);

	/* The builder: 998 stays as it is (7bit); 999 goes quoted-printable. */
	memset(line, 'z', 998);
	line[998] = '\0';
	char *msg = build("s", line, &len, err, sizeof err);
	char cte[64] = "";
	CHECK(msg && header(msg, "Content-Transfer-Encoding", cte, sizeof cte));
	CHECK_STR(cte, "7bit");
	snprintf(want, sizeof want, "%s\r\n", line);
	CHECK_STR(msg ? body_of(msg) : NULL, want);
	free(msg);

	line[998] = 'z', line[999] = '\0';
	msg = build("s", line, &len, err, sizeof err);
	CHECK(msg && header(msg, "Content-Transfer-Encoding", cte, sizeof cte));
	CHECK_STR(cte, "quoted-printable");
	char *dec = msg ? qp_decode(body_of(msg)) : NULL;
	snprintf(want, sizeof want, "%s\r\n", line);
	CHECK_STR(dec, want);
	free(dec);
	/* and the whole message is fit for DATA */
	char *wire = msg ? smtp_data_encode(msg, len, NULL, err, sizeof err) : NULL;
	CHECK(wire != NULL);
	free(wire);
	free(msg);

	/* Non-ASCII within the limit: 8bit. */
	msg = build("s", "Grüße\n", &len, err, sizeof err);
	CHECK(msg && header(msg, "Content-Transfer-Encoding", cte, sizeof cte));
	CHECK_STR(cte, "8bit");
	free(msg);
}

static void test_quoted_printable(void)
{
	/* One long line with everything QP treats specially, then short ones. */
	char body[8192], want[8400], err[256] = "";
	size_t n = 0, len;
	const char *pieces[] = {".starts with a dot", " = equals ",  "\ttab\t",
				"Grüße €uro 😀",	      "=3D literal", "   "};
	for (int r = 0; n < 3000; r++) {
		const char *p = pieces[r % 6];
		memcpy(body + n, p, strlen(p));
		n += strlen(p);
	}
	memcpy(body + n, " \nsecond line ends in a tab\t\n.\n=\n", 34);
	n += 34;
	body[n] = '\0';

	char *msg = build("s", body, &len, err, sizeof err);
	char cte[64] = "";
	CHECK(msg && header(msg, "Content-Transfer-Encoding", cte, sizeof cte));
	CHECK_STR(cte, "quoted-printable");
	char *dec = msg ? qp_decode(body_of(msg)) : NULL; /* also checks ≤ 76, no trailing WSP */
	CHECK(dec != NULL);
	/* the original with CRLF line ends */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (body[i] == '\n')
			want[w++] = '\r';
		want[w++] = body[i];
	}
	want[w] = '\0';
	CHECK_STR(dec, want);
	/* only ASCII on the wire */
	for (const char *p = msg ? body_of(msg) : ""; *p; p++)
		if ((unsigned char)*p >= 0x80)
			CHECK(!"8-bit byte in a quoted-printable body");
	free(dec);

	/* and the message survives the wire form: un-stuff it and compare */
	size_t wlen;
	char *wire = msg ? smtp_data_encode(msg, len, &wlen, err, sizeof err) : NULL;
	CHECK(wire != NULL);
	if (wire) {
		char *back = malloc(wlen + 1), *o = back;
		for (const char *p = wire; *p;) {
			const char *eol = strstr(p, "\r\n");
			if (eol - p == 1 && *p == '.' && eol[2] == '\0')
				break; /* the terminator */
			if (*p == '.')
				p++;
			memcpy(o, p, (size_t)(eol + 2 - p));
			o += eol + 2 - p;
			p = eol + 2;
		}
		*o = '\0';
		CHECK_STR(back, msg);
		free(back);
	}
	free(wire);
	free(msg);
}

/* Decodes the Subject of msg into out: each encoded-word checked for size,
 * and for holding only whole characters. */
static int decode_subject(const char *msg, char *out, size_t outlen)
{
	const char *p = strstr(msg, "\r\nSubject: "), *end = strstr(msg, "\r\n\r\n");
	size_t o = 0;
	int words = 0;
	if (!p)
		return -1;
	p += 11;
	for (;;) {
		const char *eol = strstr(p, "\r\n");
		if (strncmp(p, "=?UTF-8?B?", 10) != 0)
			return -1;
		const char *q = strstr(p + 10, "?=");
		if (!q || q + 2 != eol)
			return -1; /* one word per line, nothing after it */
		if (q + 2 - p > 75)
			return -1;
		unsigned char dec[128];
		int n = b64_decode(p + 10, (size_t)(q - (p + 10)), dec);
		if (n <= 0 || !utf8_whole(dec, (size_t)n) || o + (size_t)n >= outlen)
			return -1;
		memcpy(out + o, dec, (size_t)n);
		o += (size_t)n;
		words++;
		if (eol == end || eol[2] != ' ')
			break;
		p = eol + 3;
	}
	out[o] = '\0';
	return words;
}

static void test_encoded_words(void)
{
	char subject[512], got[1024], err[256] = "";
	size_t len;
	struct {
		const char *prefix, *unit;
		int count;
	} cases[] = {
		{"ab", "\xf0\x9f\x98\x80", 30}, /* 4-byte characters across the boundary */
		{"", "\xe2\x82\xac", 40},	/* 3-byte: 13 fill the first word exactly */
		{"a", "\xc3\xa9", 80},		/* 2-byte, odd offset */
		{"x", "\xe2\x82\xac", 30},	{"", "Grüße aus Köln ", 6},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = (size_t)snprintf(subject, sizeof subject, "%s", cases[c].prefix);
		for (int k = 0; k < cases[c].count; k++)
			n += (size_t)snprintf(subject + n, sizeof subject - n, "%s", cases[c].unit);
		char *msg = build(subject, "b", &len, err, sizeof err);
		CHECK(msg != NULL);
		if (!msg)
			continue;
		int words = decode_subject(msg, got, sizeof got);
		CHECK(words > 1);
		CHECK_STR(got, subject);
		CHECK(longest_header_line(msg) <= 78);
		/* every line holding an encoded-word is at most 76 columns */
		for (const char *p = strstr(msg, "\r\nSubject: ") + 2; *p != '\r';) {
			const char *eol = strstr(p, "\r\n");
			CHECK(eol - p <= 76);
			p = eol + 2;
			if (*p != ' ')
				break;
		}
		free(msg);
	}

	/* 13 euro signs are 39 bytes: exactly what fits after "Subject: ". */
	char *msg = build("€€€€€€€€€€€€€€", "b", &len, err, sizeof err);
	const char *first = msg ? strstr(msg, "Subject: =?UTF-8?B?") : NULL;
	unsigned char dec[64];
	CHECK(first != NULL);
	if (first) {
		first += 19;
		int n = b64_decode(first, (size_t)(strstr(first, "?=") - first), dec);
		CHECK(n == 39);
	}
	free(msg);

	/* Short non-ASCII: one word. */
	msg = build("Grüße", "b", &len, err, sizeof err);
	CHECK(msg && strstr(msg, "\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
	free(msg);

	/* Invalid UTF-8 is refused with a clear message, in subject and body. */
	err[0] = '\0';
	CHECK(build("bad \xc3\x28 byte", "b", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "subject") && strstr(err, "UTF-8") && strstr(err, "byte 5"));
	err[0] = '\0';
	CHECK(build("s", "fine\nbad \xed\xa0\x80 surrogate\n", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "body") && strstr(err, "UTF-8") && strstr(err, "line 2"));
	err[0] = '\0';
	CHECK(build("overlong \xc0\xaf", "b", &len, err, sizeof err) == NULL);
	CHECK(strstr(err, "UTF-8") != NULL);
}

static void test_plain_subject(void)
{
	char err[256] = "", got[4096];
	size_t len;

	char *msg = build("Hello world", "b", &len, err, sizeof err);
	CHECK(msg && strstr(msg, "\r\nSubject: Hello world\r\n"));
	free(msg);

	msg = build("", "b", &len, err, sizeof err);
	CHECK(msg && strstr(msg, "\r\nSubject:\r\n"));
	free(msg);

	/* Long ASCII: folded at spaces, unfolds to the same text. */
	const char *lng = "This is a rather long subject line that goes on  and on, with two "
			  "spaces in one place, well past the seventy-eight column mark, "
			  "twice over, to make sure folding happens more than once  ";
	msg = build(lng, "b", &len, err, sizeof err);
	CHECK(msg && header(msg, "Subject", got, sizeof got));
	CHECK_STR(got, lng);
	CHECK(msg && longest_header_line(msg) <= 78);
	CHECK(msg && strstr(msg, "\r\n ") != NULL);
	free(msg);

	/* Something that looks like an encoded-word is encoded, not sent raw. */
	msg = build("price =?UTF-8?B?Zm9v?= today", "b", &len, err, sizeof err);
	CHECK(msg && decode_subject(msg, got, sizeof got) >= 1);
	CHECK_STR(got, "price =?UTF-8?B?Zm9v?= today");
	free(msg);

	/* A word too long for any line: encoded-words, which may be cut anywhere. */
	char word[1500];
	memset(word, 'w', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	msg = build(word, "b", &len, err, sizeof err);
	CHECK(msg && decode_subject(msg, got, sizeof got) > 1);
	CHECK_STR(got, word);
	CHECK(msg && longest_header_line(msg) <= 78);
	free(msg);

	/* Control characters other than CR/LF (a tab) are encoded. */
	msg = build("a\tb", "b", &len, err, sizeof err);
	CHECK(msg && decode_subject(msg, got, sizeof got) == 1);
	CHECK_STR(got, "a\tb");
	free(msg);
}

static void test_date_and_id(void)
{
	char err[256] = "", v[512], id1[512] = "", id2[512] = "";
	size_t len;
	/* Names must not follow the locale. */
	setlocale(LC_ALL, "");

	char *msg = build("s", "b", &len, err, sizeof err);
	CHECK(msg && strncmp(msg, "Date: Sun, 29 Nov 2026 19:05:01 +0000\r\n", 39) == 0);
	CHECK(msg && header(msg, "Message-ID", id1, sizeof id1));
	CHECK(strlen(id1) == 45 && strncmp(id1, "<20261129190501.", 16) == 0 &&
	      strcmp(id1 + 32, "@example.org>") == 0);
	for (int i = 16; i < 32; i++)
		CHECK((id1[i] >= '0' && id1[i] <= '9') || (id1[i] >= 'a' && id1[i] <= 'f'));
	/* The rest of the header, in order. */
	const char *hdrs[] = {"\r\nMessage-ID: ",
			      "\r\nFrom: from@example.com\r\n",
			      "\r\nTo: to@example.net\r\n",
			      "\r\nSubject: s\r\n",
			      "\r\nMIME-Version: 1.0\r\n",
			      "\r\nContent-Type: text/plain; charset=UTF-8\r\n",
			      "\r\nContent-Transfer-Encoding: 7bit\r\n\r\nb\r\n"};
	const char *at = msg;
	for (size_t i = 0; at && i < sizeof hdrs / sizeof hdrs[0]; i++) {
		const char *next = strstr(at, hdrs[i]);
		if (!next)
			fprintf(stderr, "missing or out of order: %s", hdrs[i] + 2);
		CHECK(next != NULL);
		at = next;
	}
	CHECK(msg && len == strlen(msg));
	free(msg);

	/* A second message: another random part.  No domain: the sender's. */
	msg = smtp_message_build("from@example.com", one_rcpt, 1, "s", "b", 0, NULL, &len, err,
				 sizeof err);
	CHECK(msg && strncmp(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", 39) == 0);
	CHECK(msg && header(msg, "Message-ID", id2, sizeof id2));
	CHECK(strncmp(id2, "<19700101000000.", 16) == 0 && strcmp(id2 + 32, "@example.com>") == 0);
	CHECK(strcmp(id1 + 16, id2 + 16) != 0);
	free(msg);

	/* A domain that is not a host name: the sender's instead. */
	msg = smtp_message_build("from@example.com", one_rcpt, 1, "s", "b", 0, "FAZ_VM01", &len,
				 err, sizeof err);
	CHECK(msg && header(msg, "Message-ID", v, sizeof v));
	CHECK(strcmp(v + 32, "@example.com>") == 0);
	free(msg);

	/* Every month and weekday name, across a leap day. */
	msg = smtp_message_build("from@example.com", one_rcpt, 1, "s", "b", 1709208000, NULL, &len,
				 err, sizeof err);
	CHECK(msg && header(msg, "Date", v, sizeof v));
	CHECK_STR(v, "Thu, 29 Feb 2024 12:00:00 +0000");
	free(msg);
}

static void test_to_folding(void)
{
	const char *to[12];
	char addrs[12][40], want[1024] = "", got[1024], err[256] = "";
	size_t len;
	for (int i = 0; i < 12; i++) {
		snprintf(addrs[i], sizeof addrs[i], "recipient%02d@example.net", i);
		to[i] = addrs[i];
		strcat(want, i ? ", " : "");
		strcat(want, addrs[i]);
	}
	char *msg = smtp_message_build("from@example.com", to, 12, "s", "b", 0, NULL, &len, err,
				       sizeof err);
	CHECK(msg && header(msg, "To", got, sizeof got));
	/* unfolding removes the CRLF and keeps the space: ", " either way */
	CHECK_STR(got, want);
	CHECK(msg && longest_header_line(msg) <= 78);
	CHECK(msg && strstr(msg, ",\r\n recipient") != NULL);
	free(msg);
}

int main(void)
{
	test_address_table();
	test_has_line_break();
	test_header_injection();
	test_dot_stuffing();
	test_crlf();
	test_998();
	test_quoted_printable();
	test_encoded_words();
	test_plain_subject();
	test_date_and_id();
	test_to_folding();
	return check_summary();
}
