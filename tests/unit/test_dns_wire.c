/* SPDX-License-Identifier: MIT */
/*
 * test_dns_wire.c - the DNS message encoder and decoder (diag/dns_wire.h)
 * and the parts of dns_query that need no network.
 *
 * With `--query SERVERS NAME TYPE TIMEOUT_MS` it is instead the driver of
 * tests/dns/run-dns.sh: it runs dns_query against real servers and prints
 * the answer in the fixed format that script reads (see query_main).
 */
#include "net/dns.h"
#include "net/dns_wire.h"
#include "tests/unit/check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A reply built byte by byte; the builders never overflow b. */
struct pkt {
	uint8_t b[8192];
	size_t n;
};

static void p8(struct pkt *p, unsigned v)
{
	if (p->n < sizeof p->b)
		p->b[p->n++] = (uint8_t)v;
}

static void p16(struct pkt *p, unsigned v)
{
	p8(p, v >> 8);
	p8(p, v);
}

static void p32(struct pkt *p, uint32_t v)
{
	p16(p, v >> 16);
	p16(p, v & 0xFFFF);
}

static void pbytes(struct pkt *p, const void *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p8(p, ((const uint8_t *)v)[i]);
}

/* Labels of a dotted name, ending in the root byte unless ptr >= 0, in
 * which case they end in a compression pointer to ptr. */
static void pname_ptr(struct pkt *p, const char *name, int ptr)
{
	while (*name) {
		size_t l = strcspn(name, ".");
		p8(p, (unsigned)l);
		pbytes(p, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	if (ptr >= 0)
		p16(p, 0xC000u | (unsigned)ptr);
	else
		p8(p, 0);
}

static void pname(struct pkt *p, const char *name)
{
	pname_ptr(p, name, -1);
}

enum { QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080 };

/* Header and the question; returns the offset of the question's name. */
static size_t reply_start(struct pkt *p, unsigned id, unsigned flags, unsigned an,
			  const char *qname, unsigned qtype)
{
	p->n = 0;
	p16(p, id);
	p16(p, flags);
	p16(p, 1);
	p16(p, an);
	p16(p, 0);
	p16(p, 0);
	pname(p, qname);
	p16(p, qtype);
	p16(p, 1);
	return DNS_WIRE_HEADER;
}

/* The fixed part of an RR after its owner name; rdlength is patched by
 * rr_end from the returned offset. */
static size_t rr_fixed(struct pkt *p, unsigned type, uint32_t ttl)
{
	p16(p, type);
	p16(p, 1);
	p32(p, ttl);
	p16(p, 0);
	return p->n;
}

static void rr_end(struct pkt *p, size_t rdata)
{
	size_t len = p->n - rdata;
	p->b[rdata - 2] = (uint8_t)(len >> 8);
	p->b[rdata - 1] = (uint8_t)len;
}

static void rr_a(struct pkt *p, const char *owner, int owner_ptr, const char *addr)
{
	uint8_t a[4];
	size_t rd;
	pname_ptr(p, owner, owner_ptr);
	rd = rr_fixed(p, DNS_A, 300);
	inet_pton(AF_INET, addr, a);
	pbytes(p, a, 4);
	rr_end(p, rd);
}

static void rr_cname(struct pkt *p, const char *owner, int owner_ptr, const char *target,
		     int target_ptr)
{
	size_t rd;
	pname_ptr(p, owner, owner_ptr);
	rd = rr_fixed(p, DNS_WIRE_CNAME, 60);
	pname_ptr(p, target, target_ptr);
	rr_end(p, rd);
}

static enum dns_wire_verdict parse(const struct pkt *p, unsigned id, const char *name,
				   unsigned type, struct dns_wire_reply *r)
{
	/* An exactly sized heap copy, so that ASan sees any read past the end. */
	uint8_t *copy = malloc(p->n ? p->n : 1);
	enum dns_wire_verdict v;
	memcpy(copy, p->b, p->n);
	v = dns_wire_parse_reply(copy, p->n, id, name, type, r);
	free(copy);
	return v;
}

static char name_buf[DNS_WIRE_NAME_TEXT];

/* Reads the name at off from an exact copy of b[0..n); NULL when refused. */
static const char *read_at(const uint8_t *b, size_t n, size_t off, size_t *after)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;
	memcpy(copy, b, n);
	rc = dns_wire_read_name(copy, n, &off, name_buf, sizeof name_buf);
	free(copy);
	if (after)
		*after = off;
	return rc == 0 ? name_buf : NULL;
}

static const char *checked(const char *name)
{
	static char out[256];
	return dns_wire_check_name(name, out, sizeof out) == 0 ? out : "(bad)";
}

static void test_check_name(void)
{
	char l63[64], l64[65], l61[62], long253[300], long254[300];

	CHECK_STR(checked("mail.example.com"), "mail.example.com");
	CHECK_STR(checked("mail.example.com."), "mail.example.com");
	CHECK_STR(checked("_dmarc.Example-1.COM"), "_dmarc.Example-1.COM");
	CHECK_STR(checked("localhost"), "localhost");
	CHECK_STR(checked(""), "(bad)");
	CHECK_STR(checked("."), "(bad)");
	CHECK_STR(checked("a..b"), "(bad)");
	CHECK_STR(checked(".a"), "(bad)");
	CHECK_STR(checked("a.."), "(bad)");
	CHECK_STR(checked("a b"), "(bad)");
	CHECK_STR(checked("*.example.com"), "(bad)");
	CHECK_STR(checked("caf\xc3\xa9.example"), "(bad)");
	CHECK_STR(checked("a\\.b"), "(bad)");
	CHECK(dns_wire_check_name(NULL, l63, sizeof l63) == -1);

	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	CHECK_STR(checked(l63), l63);
	CHECK_STR(checked(l64), "(bad)");
	memset(l61, 'b', 61);
	l61[61] = '\0';
	/* 253 characters: three labels of 63 and one of 61, with 3 dots. */
	snprintf(long253, sizeof long253, "%s.%s.%s.%s", l63, l63, l63, l61);
	CHECK(strlen(long253) == 253);
	CHECK_STR(checked(long253), long253);
	snprintf(long254, sizeof long254, "%s.", long253);
	CHECK_STR(checked(long254), long253); /* the trailing dot does not count */
	snprintf(long254, sizeof long254, "%s.%s.%s.%sb", l63, l63, l63, l61);
	CHECK(strlen(long254) == 254);
	CHECK_STR(checked(long254), "(bad)");
}

static void test_encode(void)
{
	static const uint8_t
		want
			[] =
				{
					0x12, 0x34, 0x01, 0x00, 0,    1,   0,
					0,    0,    0,	  0,	1, /* header, RD, AR=1 */
					3,    'w',  'w',  'w',	7,    'e', 'x',
					'a',  'm',  'p',  'l',	'e',  3,   'c',
					'o',  'm',  0,	  0,	28,   0,   1, /* AAAA IN */
					0,    0,    41,	  0x04, 0xD0, 0,   0,
					0,    0,    0,	  0, /* OPT, 1232 */
				};
	uint8_t buf[DNS_WIRE_MAX_QUERY];
	int n = dns_wire_encode_query(buf, sizeof buf, 0x1234, "www.example.com", DNS_AAAA, true);
	struct pkt p;
	size_t off;

	CHECK(n == (int)sizeof want);
	CHECK(n == (int)sizeof want && memcmp(buf, want, sizeof want) == 0);
	n = dns_wire_encode_query(buf, sizeof buf, 0xBEEF, "example.com", DNS_MX, false);
	CHECK(n == 12 + 13 + 4);
	CHECK(buf[0] == 0xBE && buf[1] == 0xEF && buf[11] == 0 && buf[n - 3] == DNS_MX);

	/* The encoded question reads back. */
	off = DNS_WIRE_HEADER;
	CHECK_STR(read_at(buf, (size_t)n, off, &off), "example.com");
	CHECK(off == DNS_WIRE_HEADER + 13);

	/* Too small a buffer, a bad name: refused, nothing overrun. */
	CHECK(dns_wire_encode_query(buf, 12 + 13 + 4 - 1, 1, "example.com", DNS_MX, false) == -1);
	CHECK(dns_wire_encode_query(buf, 12 + 13 + 4, 1, "example.com", DNS_MX, false) == 29);
	CHECK(dns_wire_encode_query(buf, sizeof buf, 1, "a..b", DNS_A, true) == -1);
	CHECK(dns_wire_encode_query(buf, sizeof buf, 1, "a.", DNS_A, true) == -1);
	CHECK(dns_wire_encode_query(buf, sizeof buf, 1, "", DNS_A, true) == -1);

	/* A 253-character name, the longest there is, fits the query buffer. */
	p.n = 0;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < (i < 3 ? 63 : 61); j++)
			p8(&p, 'a');
		p8(&p, i < 3 ? '.' : '\0');
	}
	CHECK(strlen((const char *)p.b) == 253);
	n = dns_wire_encode_query(buf, sizeof buf, 1, (const char *)p.b, DNS_A, true);
	CHECK(n == 12 + 255 + 4 + 11);
}

static void test_read_name(void)
{
	struct pkt p = {.n = 0};
	size_t off, www, mail, after;
	uint8_t b[16];

	/* 12 bytes of header padding, then names compressed against each other. */
	for (int i = 0; i < 12; i++)
		p8(&p, 0);
	pname(&p, "example.com"); /* at 12 */
	www = p.n;
	pname_ptr(&p, "www", 12);
	mail = p.n;
	pname_ptr(&p, "mail", (int)www); /* a pointer to a name that ends in a pointer */

	CHECK_STR(read_at(p.b, p.n, 12, &after), "example.com");
	CHECK(after == www);
	CHECK_STR(read_at(p.b, p.n, www, &after), "www.example.com");
	CHECK(after == mail);
	CHECK_STR(read_at(p.b, p.n, mail, &after), "mail.www.example.com");
	CHECK(after == p.n);
	CHECK_STR(read_at(p.b, p.n, 20, &after), "com"); /* a suffix */

	/* Cut anywhere: refused, never read past the end. */
	{
		int read_cut = 0;
		for (size_t n = 0; n < p.n; n++)
			read_cut += read_at(p.b, n, mail, NULL) != NULL;
		CHECK(read_cut == 0);
	}
	CHECK(read_at(p.b, p.n - 1, mail, NULL) == NULL);
	CHECK(read_at(p.b, 12 + 5, 12, NULL) == NULL); /* "example" cut */

	/* The root. */
	b[0] = 0;
	CHECK_STR(read_at(b, 1, 0, &after), ".");
	CHECK(after == 1);

	/* Loops: a pointer to itself, to the label just before it, and a
	 * forward pointer. */
	b[0] = 0xC0, b[1] = 0;
	CHECK(read_at(b, 2, 0, NULL) == NULL);
	b[0] = 1, b[1] = 'a', b[2] = 0xC0, b[3] = 0;
	CHECK(read_at(b, 4, 0, NULL) == NULL);
	b[0] = 0xC0, b[1] = 2, b[2] = 1, b[3] = 'a', b[4] = 0;
	CHECK(read_at(b, 5, 0, NULL) == NULL);
	/* Two pointers pointing at each other. */
	b[0] = 0xC0, b[1] = 2, b[2] = 0xC0, b[3] = 0;
	CHECK(read_at(b, 4, 2, NULL) == NULL);
	CHECK(read_at(b, 4, 0, NULL) == NULL);
	/* A pointer back into the same name: "b" then a pointer to "a"+ptr. */
	b[0] = 1, b[1] = 'a', b[2] = 0xC0, b[3] = 4, b[4] = 1, b[5] = 'b', b[6] = 0xC0, b[7] = 0;
	CHECK(read_at(b, 8, 4, NULL) == NULL);
	/* A pointer cut in half. */
	b[0] = 0, b[1] = 0xC0;
	CHECK(read_at(b, 2, 1, NULL) == NULL);
	/* The obsolete label types 0x40 and 0x80. */
	b[0] = 0x41, b[1] = 'a', b[2] = 0;
	CHECK(read_at(b, 3, 0, NULL) == NULL);
	b[0] = 0x81;
	CHECK(read_at(b, 3, 0, NULL) == NULL);

	/* Odd bytes inside a label come out escaped. */
	b[0] = 3, b[1] = 'a', b[2] = '.', b[3] = 0xFF, b[4] = 0;
	CHECK_STR(read_at(b, 5, 0, NULL), "a\\046\\255");

	/* Longer than 255 bytes on the wire, through pointers: each name adds
	 * a 63-byte label and points at the previous one. */
	p.n = 0;
	for (int i = 0; i < 12; i++)
		p8(&p, 0);
	{
		size_t prev = 0, start;
		for (int i = 0; i < 5; i++) {
			start = p.n;
			p8(&p, 63);
			for (int j = 0; j < 63; j++)
				p8(&p, 'a' + i);
			if (i == 0)
				p8(&p, 0);
			else
				p16(&p, 0xC000u | (unsigned)prev);
			prev = start;
		}
		CHECK(read_at(p.b, p.n, prev, NULL) == NULL); /* 5 * 64 + 1 bytes */
		/* Four labels (257 bytes)... also too long; three are fine. */
		off = 12 + 64 + 1 + 64 + 2 + 64 + 2; /* the fourth name */
		CHECK(read_at(p.b, p.n, off, NULL) == NULL);
		off = 12 + 64 + 1 + 64 + 2; /* the third */
		CHECK(read_at(p.b, p.n, off, NULL) != NULL && strlen(name_buf) == 63 * 3 + 2);
	}

	/* An output buffer too small is refused, not overrun. */
	{
		char small[8];
		uint8_t w[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
		off = 0;
		CHECK(dns_wire_read_name(w, sizeof w, &off, small, sizeof small) == 0);
		off = 0;
		CHECK(dns_wire_read_name(w, sizeof w, &off, small, 7) == -1);
	}
}

static void test_reply_basic(void)
{
	struct dns_wire_reply r;
	struct pkt p;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&r.rec[0].addr;
	char addr[INET6_ADDRSTRLEN];

	reply_start(&p, 0xABCD, QR | RD | RA, 1, "mail.example.com", DNS_A);
	rr_a(&p, "", 12, "192.0.2.25");
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_OK);
	CHECK(r.rcode == 0 && !r.tc && r.n == 1);
	CHECK_STR(r.rec[0].text, "192.0.2.25");
	CHECK(r.rec[0].type == DNS_A && r.rec[0].ttl == 300);
	CHECK(sin->sin_family == AF_INET && sin->sin_port == 0);
	CHECK_STR(inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof addr), "192.0.2.25");

	/* Case does not matter in the question (some servers randomise it). */
	CHECK(parse(&p, 0xABCD, "MAIL.Example.COM", DNS_A, &r) == DNS_WIRE_OK && r.n == 1);

	/* Not ours: another ID, no QR, another opcode, another question. */
	CHECK(parse(&p, 0xABCE, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	CHECK(parse(&p, 0xABCD, "mail.example.org", DNS_A, &r) == DNS_WIRE_FOREIGN);
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_AAAA, &r) == DNS_WIRE_FOREIGN);
	CHECK(parse(&p, 0xABCD, "example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[2] &= 0x7F; /* QR off: our own query echoed */
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[2] |= 0x80 | 0x10; /* opcode 2 */
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[2] &= (uint8_t)~0x78;
	p.b[5] = 0; /* QDCOUNT 0 */
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[5] = 2; /* QDCOUNT 2 */
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[5] = 1;
	p.b[12 + 1 + 4 + 1 + 7 + 1 + 3 + 1 + 3] = 3; /* QCLASS CH */
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.b[12 + 1 + 4 + 1 + 7 + 1 + 3 + 1 + 3] = 1;
	CHECK(parse(&p, 0xABCD, "mail.example.com", DNS_A, &r) == DNS_WIRE_OK);

	/* The rcodes come through; the answer section is not needed then. */
	for (unsigned rc = 1; rc < 16; rc++) {
		reply_start(&p, 7, QR | RD | RA | rc, 5, "x.example", DNS_MX);
		CHECK(parse(&p, 7, "x.example", DNS_MX, &r) == DNS_WIRE_OK && r.rcode == rc &&
		      r.n == 0);
	}

	/* NODATA: NOERROR and nothing of the type, maybe something else. */
	reply_start(&p, 7, QR | RA, 0, "x.example", DNS_AAAA);
	CHECK(parse(&p, 7, "x.example", DNS_AAAA, &r) == DNS_WIRE_OK && r.rcode == 0 && r.n == 0);
	reply_start(&p, 7, QR | RA, 1, "x.example", DNS_AAAA);
	rr_a(&p, "", 12, "192.0.2.1");
	CHECK(parse(&p, 7, "x.example", DNS_AAAA, &r) == DNS_WIRE_OK && r.n == 0);

	/* TC: the (cut) answer section is not read at all. */
	reply_start(&p, 9, QR | TC | RA, 40, "big.example", DNS_A);
	rr_a(&p, "", 12, "192.0.2.1");
	p8(&p, 0x3F); /* garbage where the next record was cut */
	CHECK(parse(&p, 9, "big.example", DNS_A, &r) == DNS_WIRE_OK && r.tc && r.n == 0);

	/* Too short for a header: nobody's. */
	p.n = 11;
	CHECK(parse(&p, 9, "big.example", DNS_A, &r) == DNS_WIRE_FOREIGN);
	p.n = 0;
	CHECK(parse(&p, 9, "big.example", DNS_A, &r) == DNS_WIRE_FOREIGN);
}

static void test_reply_types(void)
{
	struct dns_wire_reply r;
	struct pkt p;
	size_t rd, mx1;
	uint8_t a6[16];

	/* MX, the second exchange compressed against the first. */
	reply_start(&p, 1, QR | RA, 3, "example.com", DNS_MX);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_MX, 3600);
	p16(&p, 10);
	mx1 = p.n;
	pname_ptr(&p, "mx1", 12);
	rr_end(&p, rd);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_MX, 3600);
	p16(&p, 20);
	pname_ptr(&p, "mx2", 12);
	rr_end(&p, rd);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_MX, 3600);
	p16(&p, 30);
	pname_ptr(&p, "", (int)mx1); /* exactly a pointer: mx1.example.com */
	rr_end(&p, rd);
	CHECK(parse(&p, 1, "example.com", DNS_MX, &r) == DNS_WIRE_OK && r.n == 3);
	CHECK_STR(r.rec[0].text, "10 mx1.example.com");
	CHECK_STR(r.rec[1].text, "20 mx2.example.com");
	CHECK_STR(r.rec[2].text, "30 mx1.example.com");
	CHECK(r.rec[0].type == DNS_MX && r.rec[0].ttl == 3600 && r.rec[0].addr.ss_family == 0);

	/* Null MX (RFC 7505). */
	reply_start(&p, 1, QR | RA, 1, "example.com", DNS_MX);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_MX, 60);
	p16(&p, 0);
	p8(&p, 0);
	rr_end(&p, rd);
	CHECK(parse(&p, 1, "example.com", DNS_MX, &r) == DNS_WIRE_OK && r.n == 1);
	CHECK_STR(r.rec[0].text, "0 .");

	/* An MX whose name runs past its RDATA, or stops short of it. */
	reply_start(&p, 1, QR | RA, 1, "example.com", DNS_MX);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_MX, 60);
	p16(&p, 5);
	pname(&p, "mx");
	rr_end(&p, rd);
	p.b[rd - 1] -= 1; /* RDLENGTH one short: the root byte is outside */
	p8(&p, 0);	  /* keep a valid byte after it */
	CHECK(parse(&p, 1, "example.com", DNS_MX, &r) == DNS_WIRE_MALFORMED);
	p.b[rd - 1] += 2; /* one long: a stray byte inside */
	CHECK(parse(&p, 1, "example.com", DNS_MX, &r) == DNS_WIRE_MALFORMED);
	p.b[rd - 1] = 2; /* only the preference */
	p.n = rd + 2;
	CHECK(parse(&p, 1, "example.com", DNS_MX, &r) == DNS_WIRE_MALFORMED);

	/* AAAA. */
	reply_start(&p, 2, QR | RA, 1, "v6.example", DNS_AAAA);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_AAAA, 5);
	inet_pton(AF_INET6, "2001:db8::25", a6);
	pbytes(&p, a6, 16);
	rr_end(&p, rd);
	CHECK(parse(&p, 2, "v6.example", DNS_AAAA, &r) == DNS_WIRE_OK && r.n == 1);
	CHECK_STR(r.rec[0].text, "2001:db8::25");
	CHECK(r.rec[0].addr.ss_family == AF_INET6 &&
	      memcmp(&((struct sockaddr_in6 *)&r.rec[0].addr)->sin6_addr, a6, 16) == 0);

	/* Wrong RDATA sizes. */
	p.b[rd - 1] = 15;
	p.n--;
	CHECK(parse(&p, 2, "v6.example", DNS_AAAA, &r) == DNS_WIRE_MALFORMED);
	reply_start(&p, 2, QR | RA, 1, "v4.example", DNS_A);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_A, 5);
	pbytes(&p, "\1\2\3\4\5", 5);
	rr_end(&p, rd);
	CHECK(parse(&p, 2, "v4.example", DNS_A, &r) == DNS_WIRE_MALFORMED);

	/* Records of another class and of other names are passed over. */
	reply_start(&p, 3, QR | RA, 3, "v4.example", DNS_A);
	pname_ptr(&p, "", 12);
	rd = rr_fixed(&p, DNS_A, 5);
	p.b[rd - 7] = 3; /* class CH */
	pbytes(&p, "\1\2\3\4", 4);
	rr_end(&p, rd);
	rr_a(&p, "other.example", -1, "192.0.2.9");
	rr_a(&p, "", 12, "192.0.2.10");
	CHECK(parse(&p, 3, "v4.example", DNS_A, &r) == DNS_WIRE_OK && r.n == 1);
	CHECK_STR(r.rec[0].text, "192.0.2.10");

	/* More records than an answer holds: the first ones are kept. */
	reply_start(&p, 4, QR | RA, 40, "many.example", DNS_A);
	for (int i = 0; i < 40; i++) {
		char a[32];
		snprintf(a, sizeof a, "10.0.0.%d", i + 1);
		rr_a(&p, "", 12, a);
	}
	CHECK(parse(&p, 4, "many.example", DNS_A, &r) == DNS_WIRE_OK && r.n == 16);
	CHECK_STR(r.rec[15].text, "10.0.0.16");
	/* ANCOUNT larger than what is there. */
	p.b[7] = 41;
	CHECK(parse(&p, 4, "many.example", DNS_A, &r) == DNS_WIRE_MALFORMED);
}

static void test_reply_cname(void)
{
	struct dns_wire_reply r;
	struct pkt p;
	size_t a_owner, b_owner;

	/* www -> a -> b, the records out of order, the A records first. */
	reply_start(&p, 5, QR | RA, 5, "www.example.com", DNS_A);
	b_owner = p.n;
	rr_a(&p, "b.cdn", 16, "198.51.100.1"); /* 16: "example.com" inside the question */
	rr_a(&p, "", (int)b_owner, "198.51.100.2");
	a_owner = p.n;
	rr_cname(&p, "a.cdn", -1, "", (int)b_owner);
	rr_cname(&p, "", 12, "", (int)a_owner);
	rr_a(&p, "c.cdn", -1, "203.0.113.1"); /* not on the chain */
	CHECK(parse(&p, 5, "www.example.com", DNS_A, &r) == DNS_WIRE_OK && r.n == 2);
	CHECK_STR(r.rec[0].text, "198.51.100.1");
	CHECK_STR(r.rec[1].text, "198.51.100.2");

	/* A chain that ends without the type: NODATA. */
	reply_start(&p, 5, QR | RA, 1, "www.example.com", DNS_AAAA);
	rr_cname(&p, "", 12, "gone.example.net", -1);
	CHECK(parse(&p, 5, "www.example.com", DNS_AAAA, &r) == DNS_WIRE_OK && r.rcode == 0 &&
	      r.n == 0);

	/* A loop: www -> x -> www. */
	reply_start(&p, 5, QR | RA, 2, "www.example.com", DNS_A);
	rr_cname(&p, "", 12, "x.example.com", -1);
	rr_cname(&p, "x.example.com", -1, "", 12);
	CHECK(parse(&p, 5, "www.example.com", DNS_A, &r) == DNS_WIRE_MALFORMED);
	/* A name that is its own alias. */
	reply_start(&p, 5, QR | RA, 1, "www.example.com", DNS_A);
	rr_cname(&p, "", 12, "", 12);
	CHECK(parse(&p, 5, "www.example.com", DNS_A, &r) == DNS_WIRE_MALFORMED);

	/* The longest chain followed, and one more. */
	for (int links = DNS_WIRE_MAX_CHAIN; links <= DNS_WIRE_MAX_CHAIN + 1; links++) {
		reply_start(&p, 6, QR | RA, (unsigned)links + 1, "c0.example", DNS_A);
		for (int i = 0; i < links; i++) {
			char from[16], to[16];
			snprintf(from, sizeof from, "c%d.example", i);
			snprintf(to, sizeof to, "c%d.example", i + 1);
			rr_cname(&p, from, -1, to, -1);
		}
		{
			char last[16];
			snprintf(last, sizeof last, "c%d.example", links);
			rr_a(&p, last, -1, "192.0.2.77");
		}
		CHECK(parse(&p, 6, "c0.example", DNS_A, &r) ==
		      (links <= DNS_WIRE_MAX_CHAIN ? DNS_WIRE_OK : DNS_WIRE_MALFORMED));
	}

	/* A CNAME whose target runs past its RDATA. */
	reply_start(&p, 5, QR | RA, 2, "www.example.com", DNS_A);
	rr_cname(&p, "", 12, "t.example", -1);
	p.b[p.n - 12] = 3; /* RDLENGTH 11 -> 3 */
	rr_a(&p, "t.example", -1, "192.0.2.1");
	CHECK(parse(&p, 5, "www.example.com", DNS_A, &r) == DNS_WIRE_MALFORMED);
}

/* Every prefix of a full reply, and random damage to it: the parser stays
 * inside the bytes it is given (ASan checks the heap copies) and never
 * answers with more than it can hold. */
static void test_reply_damage(void)
{
	struct dns_wire_reply r;
	struct pkt p, q;
	size_t answers, rd;
	int bad_prefix = 0, odd = 0;
	unsigned seed = 12345;

	reply_start(&p, 0x4242, QR | RA, 4, "www.example.com", DNS_MX);
	answers = p.n;
	rr_cname(&p, "", 12, "mail.example.com", -1);
	pname_ptr(&p, "", (int)answers + 12);
	rd = rr_fixed(&p, DNS_MX, 10);
	p16(&p, 5);
	pname_ptr(&p, "mx", 16);
	rr_end(&p, rd);
	rr_a(&p, "mx", 16, "192.0.2.5");
	rr_a(&p, "mx", 16, "192.0.2.6");
	CHECK(parse(&p, 0x4242, "www.example.com", DNS_MX, &r) == DNS_WIRE_OK && r.n == 1);
	CHECK_STR(r.rec[0].text, "5 mx.example.com");

	for (size_t n = 0; n < p.n; n++) {
		enum dns_wire_verdict v;
		q = p;
		q.n = n;
		v = parse(&q, 0x4242, "www.example.com", DNS_MX, &r);
		if (v != (n < answers ? DNS_WIRE_FOREIGN : DNS_WIRE_MALFORMED))
			bad_prefix++;
	}
	CHECK(bad_prefix == 0);

	for (int i = 0; i < 20000; i++) {
		int flips = 1 + (int)((seed >> 8) % 4);
		q = p;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			q.b[(seed >> 8) % q.n] = (uint8_t)(seed >> 20);
		}
		parse(&q, 0x4242, "www.example.com", DNS_MX, &r);
		odd += r.n > DNS_WIRE_MAX_RECORDS;
	}
	CHECK(odd == 0);
}

static void test_query_offline(void)
{
	struct dns_answer ans;
	struct dns_server none[1];
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ans.rec[0].addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ans.rec[0].addr;

	CHECK_STR(dns_status_text(DNS_NXDOMAIN), "NXDOMAIN (no such name)");
	for (int s = DNS_OK; s <= DNS_BAD_NAME; s++)
		CHECK(strcmp(dns_status_text((enum dns_status)s), "unknown DNS status") != 0);

	/* IP literals answer for themselves, with no server needed. */
	CHECK(dns_query(NULL, 0, "192.0.2.7", DNS_A, 1000, &ans) == DNS_OK);
	CHECK(ans.status == DNS_OK && ans.n == 1 && ans.answered_by == -1 && ans.elapsed_ms == 0);
	CHECK_STR(ans.rec[0].text, "192.0.2.7");
	CHECK(ans.rec[0].type == DNS_A && sin->sin_family == AF_INET && sin->sin_port == 0 &&
	      ntohl(sin->sin_addr.s_addr) == 0xC0000207);
	CHECK(dns_query(NULL, 0, "192.0.2.7", DNS_AAAA, 1000, &ans) == DNS_NODATA && ans.n == 0);
	CHECK(dns_query(NULL, 0, "192.0.2.7", DNS_MX, 1000, &ans) == DNS_NODATA);
	CHECK(dns_query(NULL, 0, "2001:DB8:0:0::7", DNS_AAAA, 1000, &ans) == DNS_OK && ans.n == 1);
	CHECK_STR(ans.rec[0].text, "2001:db8::7");
	CHECK(sin6->sin6_family == AF_INET6 && sin6->sin6_port == 0 &&
	      sin6->sin6_addr.s6_addr[15] == 7);
	CHECK(dns_query(NULL, 0, "::1", DNS_A, 1000, &ans) == DNS_NODATA && ans.answered_by == -1);

	/* Bad names are refused before anything else, even with no server. */
	CHECK(dns_query(NULL, 0, "bad name", DNS_A, 1000, &ans) == DNS_BAD_NAME);
	CHECK(ans.status == DNS_BAD_NAME && ans.answered_by == -1);
	CHECK(dns_query(NULL, 0, NULL, DNS_A, 1000, &ans) == DNS_BAD_NAME);
	CHECK(dns_query(NULL, 0, "fe80::1%eth0", DNS_AAAA, 1000, &ans) == DNS_BAD_NAME);
	CHECK(dns_query(NULL, 0, "ok.example", (enum dns_type)16, 1000, &ans) == DNS_BAD_NAME);

	/* No servers. */
	CHECK(dns_query(NULL, 0, "mail.example.com", DNS_A, 1000, &ans) == DNS_NO_SERVER);
	CHECK(dns_query(none, 0, "mail.example.com.", DNS_MX, 1000, &ans) == DNS_NO_SERVER);
	CHECK(ans.answered_by == -1 && ans.n == 0);
}

/* "127.0.0.1:53" or "[::1]:53" */
static int parse_server(char *s, struct dns_server *srv)
{
	char *colon = strrchr(s, ':');
	struct sockaddr_in *sin = (struct sockaddr_in *)&srv->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&srv->addr;
	int port;

	memset(srv, 0, sizeof *srv);
	if (!colon)
		return -1;
	*colon = '\0';
	port = atoi(colon + 1);
	if (s[0] == '[' && colon > s && colon[-1] == ']') {
		colon[-1] = '\0';
		if (inet_pton(AF_INET6, s + 1, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		srv->len = sizeof *sin6;
		return 0;
	}
	if (inet_pton(AF_INET, s, &sin->sin_addr) != 1)
		return -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	srv->len = sizeof *sin;
	return 0;
}

static const char *status_name(enum dns_status s)
{
	static const char *const names[] = {
		"OK",	   "NXDOMAIN",	  "NODATA",    "SERVFAIL",  "REFUSED",
		"TIMEOUT", "UNREACHABLE", "NO_SERVER", "BAD_REPLY", "BAD_NAME",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/*
 * --query SERVERS NAME TYPE TIMEOUT_MS, SERVERS comma-separated ("-" for
 * none).  Prints:
 *   status: NAME
 *   answered_by: N
 *   elapsed_ms: N
 *   errno: N
 *   n: N
 *   record: TYPE TTL TEXT [ADDR]     (ADDR from the sockaddr, for A/AAAA)
 */
static int query_main(int argc, char **argv)
{
	struct dns_server servers[8];
	struct dns_answer ans;
	size_t n = 0;
	enum dns_type type;
	char *list, *tok, *save = NULL;

	if (argc != 6) {
		fprintf(stderr, "usage: %s --query SERVER:PORT[,...] NAME A|AAAA|MX TIMEOUT_MS\n",
			argv[0]);
		return 2;
	}
	list = argv[2];
	for (tok = strtok_r(list, ",", &save); tok && strcmp(tok, "-") != 0;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == sizeof servers / sizeof servers[0] ||
		    parse_server(tok, &servers[n]) != 0) {
			fprintf(stderr, "bad server: %s\n", tok);
			return 2;
		}
		n++;
	}
	type = strcmp(argv[4], "A") == 0 ? DNS_A : strcmp(argv[4], "AAAA") == 0 ? DNS_AAAA : DNS_MX;
	dns_query(servers, n, argv[3], type, atoi(argv[5]), &ans);
	printf("status: %s\nanswered_by: %d\nelapsed_ms: %u\nerrno: %d\nn: %zu\n",
	       status_name(ans.status), ans.answered_by, ans.elapsed_ms, ans.sys_errno, ans.n);
	for (size_t i = 0; i < ans.n; i++) {
		const struct dns_record *rec = &ans.rec[i];
		char addr[INET6_ADDRSTRLEN] = "";
		if (rec->addr.ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)&rec->addr)->sin_addr,
				  addr, sizeof addr);
		else if (rec->addr.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&rec->addr)->sin6_addr,
				  addr, sizeof addr);
		printf("record: %s %u %s%s%s\n",
		       rec->type == DNS_A      ? "A"
		       : rec->type == DNS_AAAA ? "AAAA"
					       : "MX",
		       rec->ttl, rec->text, *addr ? " " : "", addr);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--query") == 0)
		return query_main(argc, argv);
	test_check_name();
	test_encode();
	test_read_name();
	test_reply_basic();
	test_reply_types();
	test_reply_cname();
	test_reply_damage();
	test_query_offline();
	return check_summary();
}
