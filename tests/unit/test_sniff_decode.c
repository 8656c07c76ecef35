/* SPDX-License-Identifier: MIT */
/*
 * test_sniff_decode.c - the sniffer's decoder (diag/sniff_decode.h) on
 * fixed byte arrays: the spec §8.7 example byte for byte, each summary
 * form, the interface and direction at verbosity 4-6, the dumps at 2/3,
 * cooked "any" headers, and every cut-short prefix of every packet.
 */
#include "net/sniff_decode.h"
#include "tests/unit/check.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A packet built byte by byte. */
struct pkt {
	uint8_t b[512];
	size_t n;
};

static void put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void put_bytes(struct pkt *p, const char *hex)
{
	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		unsigned v;
		sscanf(hex, "%2x", &v);
		put8(p, v);
		hex += 2;
	}
}

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a}, MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};

static void eth(struct pkt *p, const uint8_t *dst, const uint8_t *src, unsigned type)
{
	memcpy(p->b + p->n, dst, 6);
	memcpy(p->b + p->n + 6, src, 6);
	p->n += 12;
	put16(p, type);
}

/* An IPv4 header for a payload of plen bytes (checksum left 0). */
static void ip4(struct pkt *p, unsigned proto, const char *src, const char *dst, size_t plen)
{
	struct in_addr a;
	put8(p, 0x45);
	put8(p, 0);
	put16(p, (unsigned)(20 + plen));
	put32(p, 0x00014000); /* id 1, DF */
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	inet_pton(AF_INET, src, &a);
	memcpy(p->b + p->n, &a, 4);
	p->n += 4;
	inet_pton(AF_INET, dst, &a);
	memcpy(p->b + p->n, &a, 4);
	p->n += 4;
}

static void tcp(struct pkt *p, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
		unsigned flags)
{
	put16(p, sport);
	put16(p, dport);
	put32(p, seq);
	put32(p, ack);
	put8(p, 0x50);
	put8(p, flags);
	put16(p, 65535);
	put32(p, 0);
}

static const struct timeval T0 = {1505220013, 0}; /* 2017-09-12 12:40:13 UTC */

static char text[8192];

static const char *fmt(const struct sniff_fmt *f, const struct pkt *p, long usec)
{
	struct timeval ts = {T0.tv_sec + usec / 1000000, usec % 1000000};
	size_t n = sniff_format(f, &ts, p->b, p->n, text, sizeof text);
	CHECK(n == strlen(text));
	CHECK(n < sniff_text_max(p->n));
	return text;
}

static struct sniff_fmt eth_fmt(int verbose)
{
	struct sniff_fmt f = {.linktype = SNIFF_LINK_EN10MB, .verbose = verbose, .start = T0};
	return f;
}

/* The spec §8.7 example: its bytes, its timestamp, its dump. */
static void test_spec_example(void)
{
	struct pkt p = {0};
	put_bytes(&p, "000000000001 0023e93e7a38 0800 4500 0028 0000 4000 ff01 eaa7 0a86 be02 "
		      "0a86 be1e 0800 d6c6 b371 c23d 4001 7308 0a14 41c2 50a0 5c09");
	CHECK(p.n == 54);
	struct sniff_fmt f = eth_fmt(3);
	f.ts = SNIFF_TS_UTC;
	CHECK_STR(fmt(&f, &p, 675529),
		  "2017-09-12 12:40:13.675529 10.134.190.2 -> 10.134.190.30: icmp: echo request\n"
		  "0x0000\t 0000 0000 0001 0023 e93e 7a38 0800 4500\t.......#.>z8..E.\n"
		  "0x0010\t 0028 0000 4000 ff01 eaa7 0a86 be02 0a86\t.(..@...........\n"
		  "0x0020\t be1e 0800 d6c6 b371 c23d 4001 7308 0a14\t.......q.=@.s...\n"
		  "0x0030\t 41c2 50a0 5c09                         \tA.P.\\.\n"
		  "\n");
	/* Level 2 starts at the IP header. */
	f.verbose = 2;
	f.ts = SNIFF_TS_RELATIVE;
	CHECK_STR(fmt(&f, &p, 14061164),
		  "14.061164 10.134.190.2 -> 10.134.190.30: icmp: echo request\n"
		  "0x0000\t 4500 0028 0000 4000 ff01 eaa7 0a86 be02\tE..(..@.........\n"
		  "0x0010\t 0a86 be1e 0800 d6c6 b371 c23d 4001 7308\t.........q.=@.s.\n"
		  "0x0020\t 0a14 41c2 50a0 5c09                    \t..A.P.\\.\n"
		  "\n");
	/* Level 1: the header line alone. */
	f.verbose = 1;
	CHECK_STR(fmt(&f, &p, 5), "0.000005 10.134.190.2 -> 10.134.190.30: icmp: echo request\n");
}

static void test_tcp(void)
{
	static const struct {
		unsigned flags;
		const char *want;
	} cases[] = {
		{0x02, "syn 2866290484"},
		{0x12, "syn 2866290484 ack 1000"},
		{0x10, "ack 1000"},
		{0x18, "psh 2866290484 ack 1000"},
		{0x11, "fin 2866290484 ack 1000"},
		{0x04, "rst 2866290484"},
		{0x14, "rst 2866290484 ack 1000"},
		{0x00, "tcp 2866290484"},
	};
	struct sniff_fmt f = eth_fmt(1);
	char want[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pkt p = {0};
		eth(&p, MAC_B, MAC_A, 0x0800);
		ip4(&p, 6, "10.99.1.2", "10.99.2.2", 20);
		tcp(&p, 40000, 25, 2866290484u, 1000, cases[i].flags);
		snprintf(want, sizeof want, "0.000001 10.99.1.2.40000 -> 10.99.2.2.25: %s\n",
			 cases[i].want);
		CHECK_STR(fmt(&f, &p, 1), want);
	}
}

static void test_udp_esp_other(void)
{
	struct sniff_fmt f = eth_fmt(1);
	struct pkt p = {0};
	eth(&p, MAC_B, MAC_A, 0x0800);
	ip4(&p, 17, "192.168.91.21", "192.168.91.105", 608);
	put16(&p, 19604);
	put16(&p, 514);
	put16(&p, 608);
	put16(&p, 0);
	CHECK_STR(fmt(&f, &p, 1159125),
		  "1.159125 192.168.91.21.19604 -> 192.168.91.105.514: udp 600\n");

	struct pkt e = {0};
	eth(&e, MAC_B, MAC_A, 0x0800);
	ip4(&e, 50, "10.0.0.1", "10.0.0.2", 16);
	put32(&e, 0x2e03e37b);
	put32(&e, 2);
	CHECK_STR(fmt(&f, &e, 0), "0.000000 10.0.0.1 -> 10.0.0.2: ESP(spi=0x2e03e37b,seq=0x2)\n");

	struct pkt o = {0};
	eth(&o, MAC_B, MAC_A, 0x0800);
	ip4(&o, 89, "10.0.0.1", "224.0.0.5", 56);
	for (int i = 0; i < 56; i++)
		put8(&o, 0);
	CHECK_STR(fmt(&f, &o, 0), "0.000000 10.0.0.1 -> 224.0.0.5: ip-proto-89 56\n");
}

static void test_icmp_errors(void)
{
	struct sniff_fmt f = eth_fmt(1);
	/* Port unreachable about a UDP datagram. */
	struct pkt p = {0};
	eth(&p, MAC_B, MAC_A, 0x0800);
	ip4(&p, 1, "10.0.1.1", "10.0.1.10", 36);
	put8(&p, 3);
	put8(&p, 3);
	put16(&p, 0);
	put32(&p, 0);
	ip4(&p, 17, "10.0.1.10", "10.0.1.1", 8);
	put16(&p, 33000);
	put16(&p, 60614);
	CHECK_STR(fmt(&f, &p, 0),
		  "0.000000 10.0.1.1 -> 10.0.1.10: icmp: 10.0.1.1 udp port 60614 unreachable\n");

	/* Net unreachable from the router about our SYN: what evidence reads. */
	struct pkt n = {0};
	eth(&n, MAC_B, MAC_A, 0x0800);
	ip4(&n, 1, "10.99.1.1", "10.99.1.2", 36);
	put8(&n, 3);
	put8(&n, 0);
	put16(&n, 0);
	put32(&n, 0);
	ip4(&n, 6, "10.99.1.2", "10.99.3.2", 20);
	put16(&n, 40000);
	put16(&n, 25);
	put32(&n, 7);
	CHECK_STR(fmt(&f, &n, 0),
		  "0.000000 10.99.1.1 -> 10.99.1.2: icmp: net 10.99.3.2 unreachable\n");
	struct sniff_parsed sp;
	sniff_parse(SNIFF_LINK_EN10MB, n.b, n.n, NULL, &sp);
	CHECK(sp.has_inner && sp.inner_proto == 6 && sp.inner_ports && sp.inner_dport == 25);
	CHECK(sp.inner_family == AF_INET && sp.inner_dst[2] == 3);

	/* Echo reply; time exceeded. */
	struct pkt r = {0};
	eth(&r, MAC_B, MAC_A, 0x0800);
	ip4(&r, 1, "10.99.2.2", "10.99.1.2", 8);
	put8(&r, 0);
	put8(&r, 0);
	put16(&r, 0);
	put32(&r, 0x12340001);
	CHECK_STR(fmt(&f, &r, 0), "0.000000 10.99.2.2 -> 10.99.1.2: icmp: echo reply\n");
	r.b[34] = 11;
	CHECK_STR(fmt(&f, &r, 0),
		  "0.000000 10.99.2.2 -> 10.99.1.2: icmp: time exceeded in-transit\n");
}

static void test_arp(void)
{
	struct sniff_fmt f = eth_fmt(4);
	f.ifname = "port2";
	f.own_mac = MAC_A;
	struct pkt p = {0};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	eth(&p, bcast, MAC_B, 0x0806);
	put_bytes(&p, "0001 0800 06 04 0001 02000000000b 0a0180fc 000000000000 0a0180fd");
	CHECK_STR(fmt(&f, &p, 918957),
		  "0.918957 port2 in arp who-has 10.1.128.253 tell 10.1.128.252\n");
	struct pkt r = {0};
	eth(&r, MAC_B, MAC_A, 0x0806);
	put_bytes(&r, "0001 0800 06 04 0002 ba5a00000001 0a0180fd 02000000000b 0a0180fc");
	CHECK_STR(fmt(&f, &r, 0),
		  "0.000000 port2 out arp reply 10.1.128.253 is-at ba:5a:00:00:00:01\n");
}

static const char *name_of(void *ctx, unsigned index)
{
	(void)ctx;
	return index == 7 ? "port6" : NULL;
}

/* "any": the cooked v2 header names interface and direction. */
static void test_sll2(void)
{
	struct pkt p = {0};
	put16(&p, 0x0800); /* protocol */
	put16(&p, 0);
	put32(&p, 7); /* ifindex */
	put16(&p, 1); /* ARPHRD_ETHER */
	put8(&p, 4);  /* outgoing */
	put8(&p, 6);
	put_bytes(&p, "02000000000a0000");
	ip4(&p, 17, "192.168.91.21", "192.168.91.105", 608);
	put16(&p, 19604);
	put16(&p, 514);
	put16(&p, 608);
	put16(&p, 0);
	struct sniff_fmt f = {
		.linktype = SNIFF_LINK_SLL2, .verbose = 4, .start = T0, .ifname_of = name_of};
	CHECK_STR(fmt(&f, &p, 1159125),
		  "1.159125 port6 out 192.168.91.21.19604 -> 192.168.91.105.514: udp 600\n");
	/* An index without a name; incoming. */
	p.b[7] = 9;
	p.b[10] = 0;
	CHECK_STR(fmt(&f, &p, 0),
		  "0.000000 if9 in 192.168.91.21.19604 -> 192.168.91.105.514: udp 600\n");
	/* Level 6: the Ethernet header as far as known (destination unknown). */
	f.verbose = 6;
	const char *t = fmt(&f, &p, 0);
	CHECK(strstr(t, "\n0x0000\t 0000 0000 0000 0200 0000 000a 0800 4500\t") != NULL);
	/* Level 5: from the IP header. */
	f.verbose = 5;
	t = fmt(&f, &p, 0);
	CHECK(strstr(t, "\n0x0000\t 4500 0274 0001 4000 4011 0000 c0a8 5b15\t") != NULL);
}

static void test_ipv6(void)
{
	struct pkt p = {0};
	eth(&p, MAC_B, MAC_A, 0x86dd);
	put_bytes(&p, "60000000 0008 3a 40");
	put_bytes(&p, "fd990001000000000000000000000002 fd990002000000000000000000000002");
	put_bytes(&p, "80 00 0000 1234 0001");
	struct sniff_fmt f = eth_fmt(4);
	f.ifname = "c0";
	f.own_mac = MAC_A;
	CHECK_STR(fmt(&f, &p, 0), "0.000000 c0 out fd99:1::2 -> fd99:2::2: icmp6: echo request\n");
	/* UDP behind a hop-by-hop header. */
	struct pkt u = {0};
	eth(&u, MAC_A, MAC_B, 0x86dd);
	put_bytes(&u, "60000000 0018 00 01");
	put_bytes(&u, "fe800000000000000000000000000001 ff020000000000000000000000010002");
	put_bytes(&u, "11 00 0000 00000000");
	put_bytes(&u, "0222 0223 0010 0000 0000000000000000");
	CHECK_STR(fmt(&f, &u, 0), "0.000000 c0 in fe80::1.546 -> ff02::1:2.547: udp 8\n");
}

/* Every prefix of every packet: no read past the end (ASan), a line out. */
static void test_cut_short(void)
{
	struct pkt all[6] = {0};
	eth(&all[0], MAC_B, MAC_A, 0x0800);
	ip4(&all[0], 6, "10.0.0.1", "10.0.0.2", 20);
	tcp(&all[0], 1, 2, 3, 4, 0x12);
	eth(&all[1], MAC_B, MAC_A, 0x0800);
	ip4(&all[1], 1, "10.0.0.1", "10.0.0.2", 48);
	put_bytes(&all[1], "0300 0000 00000000");
	ip4(&all[1], 6, "10.0.0.2", "10.0.0.3", 20);
	tcp(&all[1], 5, 25, 1, 0, 2);
	eth(&all[2], MAC_B, MAC_A, 0x86dd);
	put_bytes(&all[2], "60000000 0010 2c 40");
	put_bytes(&all[2], "fd990001000000000000000000000002 fd990002000000000000000000000002");
	put_bytes(&all[2], "11000000 00000001 0001 0002 0008 0000");
	eth(&all[3], MAC_B, MAC_A, 0x8100);
	put_bytes(&all[3],
		  "0064 0806 0001 0800 0604 0001 02000000000b 0a0180fc 000000000000 0a0180fd");
	put_bytes(&all[4], "0000000000000000000000000000 0800 4500");
	put_bytes(&all[5], "45000014 00000000 40110000 0a000001 0a000002");
	for (size_t k = 0; k < 6; k++) {
		for (int v = 1; v <= 6; v++) {
			for (size_t len = 0; len <= all[k].n; len++) {
				struct pkt cut = all[k];
				cut.n = len;
				/* A copy of exactly len bytes, so ASan sees any over-read. */
				uint8_t *b = malloc(len ? len : 1);
				memcpy(b, cut.b, len);
				struct sniff_fmt f = eth_fmt(v);
				f.linktype = k == 5 ? SNIFF_LINK_RAW : SNIFF_LINK_EN10MB;
				struct timeval ts = T0;
				size_t n = sniff_format(&f, &ts, b, len, text, sizeof text);
				CHECK(n > 0 && text[n - 1] == '\n');
				free(b);
			}
		}
	}
	/* A VLAN tag is skipped. */
	struct sniff_fmt f = eth_fmt(1);
	CHECK_STR(fmt(&f, &all[3], 0), "0.000000 arp who-has 10.1.128.253 tell 10.1.128.252\n");
	/* Raw IP (tun): no link header. */
	f.linktype = SNIFF_LINK_RAW;
	CHECK_STR(fmt(&f, &all[5], 0), "0.000000 10.0.0.1 -> 10.0.0.2: udp [|truncated]\n");
	/* A short buffer cuts the text, never overruns it. */
	char small[16];
	memset(small, 'x', sizeof small);
	f.linktype = SNIFF_LINK_EN10MB;
	struct timeval ts = T0;
	size_t n = sniff_format(&f, &ts, all[0].b, all[0].n, small, 10);
	CHECK(n == 9 && small[9] == '\0' && small[10] == 'x');
}

int main(void)
{
	test_spec_example();
	test_tcp();
	test_udp_esp_other();
	test_icmp_errors();
	test_arp();
	test_sll2();
	test_ipv6();
	test_cut_short();
	return check_summary();
}
