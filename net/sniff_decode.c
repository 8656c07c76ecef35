/* SPDX-License-Identifier: MIT */
/*
 * sniff_decode.c - reads captured bytes and prints them as the appliance's
 * sniffer does (spec §8.7).
 *
 * Every read is checked against the captured length, so a short, cut or
 * hostile packet prints what could be read and never reads past its end
 * (the fuzzer in fuzz/fuzz_sniff.c holds it to that).  The printing is
 * hand-rolled rather than snprintf'd: at verbosity 1 the decoder is most
 * of the sniffer's CPU time, and it must keep up with tcpdump.
 */
#include "net/sniff_decode.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- reading ------------------------------------------------------------ */

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

enum {
	ET_IPV4 = 0x0800,
	ET_ARP = 0x0806,
	ET_VLAN = 0x8100,
	ET_QINQ = 0x88a8,
	ET_IPV6 = 0x86dd,
	SLL_OUTGOING = 4, /* PACKET_OUTGOING */
};

static bool icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool icmp6_is_error(uint8_t type)
{
	return type >= 1 && type <= 4;
}

/* The IP header an ICMP error quotes: addresses, protocol, ports. */
static void parse_inner(struct sniff_parsed *p, const uint8_t *b, size_t cap)
{
	size_t hl;
	uint8_t proto;

	if (cap >= 20 && b[0] >> 4 == 4 && (b[0] & 15) >= 5) {
		hl = (size_t)(b[0] & 15) * 4;
		proto = b[9];
		p->inner_family = AF_INET;
		memcpy(p->inner_src, b + 12, 4);
		memcpy(p->inner_dst, b + 16, 4);
	} else if (cap >= 40 && b[0] >> 4 == 6) {
		hl = 40;
		proto = b[6];
		p->inner_family = AF_INET6;
		memcpy(p->inner_src, b + 8, 16);
		memcpy(p->inner_dst, b + 24, 16);
	} else {
		return;
	}
	p->has_inner = true;
	p->inner_proto = proto;
	/* Only the ports: an ICMP error quotes at least 8 transport bytes. */
	if ((proto == 6 || proto == 17) && cap >= hl + 4) {
		p->inner_ports = true;
		p->inner_sport = rd16(b + hl);
		p->inner_dport = rd16(b + hl + 2);
	}
}

static void parse_l4(struct sniff_parsed *p, const uint8_t *b, size_t cap)
{
	if (p->fragment)
		return;
	switch (p->proto) {
	case 6: /* TCP */
		if (cap < 14) {
			p->l4_short = true;
			return;
		}
		p->has_ports = true;
		p->sport = rd16(b);
		p->dport = rd16(b + 2);
		p->seq = rd32(b + 4);
		p->ack = rd32(b + 8);
		p->tcp_flags = b[13] & 0x3f;
		return;
	case 17: /* UDP */
		if (cap < 8) {
			p->l4_short = true;
			return;
		}
		p->has_ports = true;
		p->sport = rd16(b);
		p->dport = rd16(b + 2);
		p->udp_len = rd16(b + 4) >= 8 ? (uint16_t)(rd16(b + 4) - 8) : 0;
		return;
	case 1:	 /* ICMP */
	case 58: /* ICMPv6 */
		if (cap < 4) {
			p->l4_short = true;
			return;
		}
		p->icmp_type = b[0];
		p->icmp_code = b[1];
		if (cap >= 8)
			p->icmp_info = rd32(b + 4);
		if (cap > 8 && (p->proto == 1 ? icmp4_is_error(b[0]) : icmp6_is_error(b[0])))
			parse_inner(p, b + 8, cap - 8);
		return;
	case 50: /* ESP */
		if (cap < 8) {
			p->l4_short = true;
			return;
		}
		p->esp_spi = rd32(b);
		p->esp_seq = rd32(b + 4);
		return;
	default:
		return;
	}
}

static void parse_ipv4(struct sniff_parsed *p, const uint8_t *b, size_t cap)
{
	if (cap < 20 || b[0] >> 4 != 4 || (b[0] & 15) < 5 || cap < (size_t)(b[0] & 15) * 4) {
		p->l3 = SNIFF_L3_OTHER;
		return;
	}
	size_t hl = (size_t)(b[0] & 15) * 4, total = rd16(b + 2);
	p->l3 = SNIFF_L3_IPV4;
	p->family = AF_INET;
	p->proto = b[9];
	memcpy(p->src, b + 12, 4);
	memcpy(p->dst, b + 16, 4);
	p->fragment = (rd16(b + 6) & 0x1fff) != 0;
	p->l4_len = total > hl ? total - hl : 0;
	/* Ethernet pads short frames: the padding is not transport data. */
	size_t avail = cap - hl;
	if (total >= hl && avail > total - hl)
		avail = total - hl;
	parse_l4(p, b + hl, avail);
}

static void parse_ipv6(struct sniff_parsed *p, const uint8_t *b, size_t cap)
{
	if (cap < 40 || b[0] >> 4 != 6) {
		p->l3 = SNIFF_L3_OTHER;
		return;
	}
	p->l3 = SNIFF_L3_IPV6;
	p->family = AF_INET6;
	memcpy(p->src, b + 8, 16);
	memcpy(p->dst, b + 24, 16);
	size_t plen = rd16(b + 4), off = 40;
	uint8_t nh = b[6];
	/* Extension headers, a bounded number of them. */
	for (int i = 0; i < 8; i++) {
		if (nh == 44) { /* fragment */
			if (cap < off + 8)
				break;
			p->fragment = (rd16(b + off + 2) & 0xfff8) != 0;
			nh = b[off];
			off += 8;
		} else if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
			if (cap < off + 2)
				break;
			size_t len = nh == 51 ? ((size_t)b[off + 1] + 2) * 4
					      : ((size_t)b[off + 1] + 1) * 8;
			nh = b[off];
			off += len;
		} else {
			break;
		}
	}
	p->proto = nh;
	p->l4_len = plen + 40 > off ? plen + 40 - off : 0;
	if (off > cap) {
		p->l4_short = true;
		return;
	}
	size_t avail = cap - off;
	if (avail > p->l4_len)
		avail = p->l4_len;
	parse_l4(p, b + off, avail);
}

static void parse_arp(struct sniff_parsed *p, const uint8_t *b, size_t cap)
{
	/* Ethernet/IPv4 ARP only: hardware type 1, protocol 0x0800, 6 and 4. */
	if (cap < 28 || rd16(b) != 1 || rd16(b + 2) != ET_IPV4 || b[4] != 6 || b[5] != 4) {
		p->l3 = SNIFF_L3_OTHER;
		return;
	}
	p->l3 = SNIFF_L3_ARP;
	p->arp_op = rd16(b + 6);
	memcpy(p->arp_sha, b + 8, 6);
	memcpy(p->arp_spa, b + 14, 4);
	memcpy(p->arp_tpa, b + 24, 4);
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void sniff_parse(int linktype, const uint8_t *d, size_t cap, const uint8_t *own_mac,
		 struct sniff_parsed *p)
{
	size_t off = 0;
	uint16_t et = 0;

	memset(p, 0, sizeof *p);
	switch (linktype) {
	case SNIFF_LINK_EN10MB:
		if (cap < 14)
			return;
		memcpy(p->dst_mac, d, 6);
		memcpy(p->src_mac, d + 6, 6);
		p->has_macs = true;
		et = rd16(d + 12);
		off = 14;
		while ((et == ET_VLAN || et == ET_QINQ) && cap >= off + 4) {
			et = rd16(d + off + 2);
			off += 4;
		}
		/* lo has no address (all zero): its direction is unknown. */
		if (own_mac && !all_zero(own_mac, 6))
			p->dir = memcmp(p->src_mac, own_mac, 6) == 0 ? SNIFF_DIR_OUT : SNIFF_DIR_IN;
		break;
	case SNIFF_LINK_SLL: /* pkttype, hatype, halen, addr[8], protocol */
		if (cap < 16)
			return;
		p->dir = rd16(d) == SLL_OUTGOING ? SNIFF_DIR_OUT : SNIFF_DIR_IN;
		if (rd16(d + 4) == 6) {
			memcpy(p->src_mac, d + 6, 6);
			p->has_macs = true;
		}
		et = rd16(d + 14);
		off = 16;
		break;
	case SNIFF_LINK_SLL2: /* protocol, reserved, ifindex, hatype, pkttype, halen, addr[8] */
		if (cap < 20)
			return;
		et = rd16(d);
		p->has_ifindex = true;
		p->ifindex = rd32(d + 4);
		p->dir = d[10] == SLL_OUTGOING ? SNIFF_DIR_OUT : SNIFF_DIR_IN;
		if (d[11] == 6) {
			memcpy(p->src_mac, d + 12, 6);
			p->has_macs = true;
		}
		off = 20;
		break;
	case SNIFF_LINK_RAW:
	case SNIFF_LINK_RAW_ALT:
	case SNIFF_LINK_RAW_PCAP:
	case SNIFF_LINK_IPV4:
	case SNIFF_LINK_IPV6:
		if (cap < 1)
			return;
		et = d[0] >> 4 == 6 ? ET_IPV6 : ET_IPV4;
		break;
	default:
		return;
	}
	/* Anything that reaches this point has its link header (a VLAN tag
	 * cut short is read as the ethertype it stands in for). */
	if (off > cap)
		off = cap;
	p->ethertype = et;
	p->link_len = off;
	p->net = d + off;
	p->net_cap = cap - off;
	switch (et) {
	case ET_IPV4:
		parse_ipv4(p, p->net, p->net_cap);
		break;
	case ET_IPV6:
		parse_ipv6(p, p->net, p->net_cap);
		break;
	case ET_ARP:
		parse_arp(p, p->net, p->net_cap);
		break;
	default:
		p->l3 = SNIFF_L3_OTHER;
		break;
	}
}

/* ---- writing ------------------------------------------------------------ */

/* A bounded text buffer: writes past the end are dropped, never made. */
struct out {
	char *p;
	size_t n, cap; /* cap excludes the NUL */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->n)
		n = o->cap - o->n;
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putc_(struct out *o, char c)
{
	if (o->n < o->cap)
		o->p[o->n++] = c;
}

static void put_u(struct out *o, unsigned long long v)
{
	char b[24];
	size_t i = sizeof b;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, b + i, sizeof b - i);
}

/* v in exactly width digits, zero-padded. */
static void put_u0(struct out *o, unsigned long v, int width)
{
	char b[24];
	for (int i = width - 1; i >= 0; i--) {
		b[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put(o, b, (size_t)width);
}

static const char hexdig[] = "0123456789abcdef";

static void put_hex(struct out *o, unsigned long v, int min)
{
	char b[16];
	int i = sizeof b;
	while ((v || min > 0) && i > 0) {
		b[--i] = hexdig[v & 15];
		v >>= 4;
		min--;
	}
	put(o, b + i, sizeof b - (size_t)i);
}

static void put_mac(struct out *o, const uint8_t *m)
{
	for (int i = 0; i < 6; i++) {
		if (i)
			putc_(o, ':');
		putc_(o, hexdig[m[i] >> 4]);
		putc_(o, hexdig[m[i] & 15]);
	}
}

static void put_ip(struct out *o, int family, const uint8_t *a)
{
	if (family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				putc_(o, '.');
			put_u(o, a[i]);
		}
		return;
	}
	char b[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, a, b, sizeof b))
		puts_(o, b);
}

static void put_tcp(struct out *o, const struct sniff_parsed *p)
{
	static const struct {
		uint8_t bit;
		const char *word;
	} words[] = {{SNIFF_TCP_SYN, "syn"},
		     {SNIFF_TCP_FIN, "fin"},
		     {SNIFF_TCP_RST, "rst"},
		     {SNIFF_TCP_PSH, "psh"},
		     {SNIFF_TCP_URG, "urg"}};
	bool any = false;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (p->tcp_flags & words[i].bit) {
			if (any)
				putc_(o, ' ');
			puts_(o, words[i].word);
			any = true;
		}
	if (any) {
		putc_(o, ' ');
		put_u(o, p->seq);
	}
	if (p->tcp_flags & SNIFF_TCP_ACK) {
		if (any)
			putc_(o, ' ');
		puts_(o, "ack ");
		put_u(o, p->ack);
	} else if (!any) {
		puts_(o, "tcp ");
		put_u(o, p->seq);
	}
}

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : NULL;
}

/* "10.0.1.10 udp port 60614" / "10.0.1.10 protocol 47": what an ICMP
 * unreachable is about. */
static void put_inner_target(struct out *o, const struct sniff_parsed *p, bool port)
{
	put_ip(o, p->inner_family, p->inner_dst);
	if (port && p->inner_ports && proto_name(p->inner_proto)) {
		putc_(o, ' ');
		puts_(o, proto_name(p->inner_proto));
		puts_(o, " port ");
		put_u(o, p->inner_dport);
	} else if (port) {
		puts_(o, " protocol ");
		put_u(o, p->inner_proto);
	}
}

static void put_icmp4(struct out *o, const struct sniff_parsed *p)
{
	puts_(o, "icmp: ");
	switch (p->icmp_type) {
	case 0:
		puts_(o, "echo reply");
		return;
	case 8:
		puts_(o, "echo request");
		return;
	case 3:
		if (!p->has_inner)
			break;
		switch (p->icmp_code) {
		case 0:
			puts_(o, "net ");
			put_inner_target(o, p, false);
			puts_(o, " unreachable");
			return;
		case 1:
			puts_(o, "host ");
			put_inner_target(o, p, false);
			puts_(o, " unreachable");
			return;
		case 2:
		case 3:
			put_inner_target(o, p, true);
			puts_(o, " unreachable");
			return;
		case 4:
			put_inner_target(o, p, false);
			puts_(o, " unreachable - need to frag (mtu ");
			put_u(o, p->icmp_info & 0xffff);
			putc_(o, ')');
			return;
		case 9:
		case 10:
		case 13:
			puts_(o, p->icmp_code == 9 ? "net " : "host ");
			put_inner_target(o, p, false);
			puts_(o, " unreachable - admin prohibited");
			if (p->icmp_code == 13)
				puts_(o, " filter");
			return;
		default:
			put_inner_target(o, p, false);
			puts_(o, " unreachable code ");
			put_u(o, p->icmp_code);
			return;
		}
	case 11:
		puts_(o, p->icmp_code ? "ip reassembly time exceeded" : "time exceeded in-transit");
		return;
	case 5:
		puts_(o, "redirect");
		return;
	case 4:
		puts_(o, "source quench");
		return;
	case 12:
		puts_(o, "parameter problem");
		return;
	case 13:
		puts_(o, "time stamp request");
		return;
	case 14:
		puts_(o, "time stamp reply");
		return;
	}
	puts_(o, "type ");
	put_u(o, p->icmp_type);
	puts_(o, " code ");
	put_u(o, p->icmp_code);
}

static void put_icmp6(struct out *o, const struct sniff_parsed *p)
{
	puts_(o, "icmp6: ");
	switch (p->icmp_type) {
	case 128:
		puts_(o, "echo request");
		return;
	case 129:
		puts_(o, "echo reply");
		return;
	case 133:
		puts_(o, "router solicitation");
		return;
	case 134:
		puts_(o, "router advertisement");
		return;
	case 135:
		puts_(o, "neighbor solicitation");
		return;
	case 136:
		puts_(o, "neighbor advertisement");
		return;
	case 1:
		if (!p->has_inner)
			break;
		put_inner_target(o, p, p->icmp_code == 4);
		puts_(o, p->icmp_code == 0   ? " unreachable route"
			 : p->icmp_code == 1 ? " unreachable prohibited"
			 : p->icmp_code == 3 ? " unreachable address"
					     : " unreachable");
		return;
	case 2:
		puts_(o, "packet too big, mtu ");
		put_u(o, p->icmp_info);
		return;
	case 3:
		puts_(o, "time exceeded in-transit");
		return;
	}
	puts_(o, "type ");
	put_u(o, p->icmp_type);
	puts_(o, " code ");
	put_u(o, p->icmp_code);
}

static void summary(struct out *o, const struct sniff_parsed *p)
{
	if (p->l3 == SNIFF_L3_ARP) {
		if (p->arp_op == 1) {
			puts_(o, "arp who-has ");
			put_ip(o, AF_INET, p->arp_tpa);
			puts_(o, " tell ");
			put_ip(o, AF_INET, p->arp_spa);
		} else if (p->arp_op == 2) {
			puts_(o, "arp reply ");
			put_ip(o, AF_INET, p->arp_spa);
			puts_(o, " is-at ");
			put_mac(o, p->arp_sha);
		} else {
			puts_(o, "arp op ");
			put_u(o, p->arp_op);
		}
		return;
	}
	if (p->l3 != SNIFF_L3_IPV4 && p->l3 != SNIFF_L3_IPV6) {
		if (p->ethertype == ET_IPV4 || p->ethertype == ET_IPV6)
			puts_(o, "truncated-ip ");
		else if (p->net) {
			puts_(o, "ethertype 0x");
			put_hex(o, p->ethertype, 4);
			putc_(o, ' ');
		} else
			puts_(o, "truncated frame ");
		put_u(o, p->net_cap);
		return;
	}
	if (p->fragment) {
		puts_(o, "frag ip-proto-");
		put_u(o, p->proto);
		putc_(o, ' ');
		put_u(o, p->l4_len);
		return;
	}
	if (p->l4_short) {
		puts_(o, proto_name(p->proto) ? proto_name(p->proto) : "ip-proto-");
		if (!proto_name(p->proto))
			put_u(o, p->proto);
		puts_(o, " [|truncated]");
		return;
	}
	switch (p->proto) {
	case 6:
		put_tcp(o, p);
		return;
	case 17:
		puts_(o, "udp ");
		put_u(o, p->udp_len);
		return;
	case 1:
		if (p->family == AF_INET) {
			put_icmp4(o, p);
			return;
		}
		break;
	case 58:
		if (p->family == AF_INET6) {
			put_icmp6(o, p);
			return;
		}
		break;
	case 50:
		puts_(o, "ESP(spi=0x");
		put_hex(o, p->esp_spi, 8);
		puts_(o, ",seq=0x");
		put_hex(o, p->esp_seq, 1);
		putc_(o, ')');
		return;
	}
	puts_(o, "ip-proto-");
	put_u(o, p->proto);
	putc_(o, ' ');
	put_u(o, p->l4_len);
}

size_t sniff_summary(const struct sniff_parsed *p, char *buf, size_t buflen)
{
	if (!buflen)
		return 0;
	struct out o = {buf, 0, buflen - 1};
	summary(&o, p);
	buf[o.n] = '\0';
	return o.n;
}

static void put_endpoint(struct out *o, const struct sniff_parsed *p, const uint8_t *ip,
			 uint16_t port)
{
	put_ip(o, p->family, ip);
	if (p->has_ports) {
		putc_(o, '.');
		put_u(o, port);
	}
}

static void put_ts(struct out *o, const struct sniff_fmt *f, const struct timeval *ts)
{
	if (f->ts == SNIFF_TS_RELATIVE) {
		long long us = ((long long)ts->tv_sec - f->start.tv_sec) * 1000000LL +
			       (ts->tv_usec - f->start.tv_usec);
		if (us < 0)
			us = 0;
		put_u(o, (unsigned long long)(us / 1000000));
		putc_(o, '.');
		put_u0(o, (unsigned long)(us % 1000000), 6);
		return;
	}
	struct tm tm;
	time_t t = ts->tv_sec;
	if (!(f->ts == SNIFF_TS_UTC ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
		memset(&tm, 0, sizeof tm);
	put_u0(o, (unsigned long)(tm.tm_year + 1900) % 10000, 4);
	putc_(o, '-');
	put_u0(o, (unsigned long)tm.tm_mon + 1, 2);
	putc_(o, '-');
	put_u0(o, (unsigned long)tm.tm_mday, 2);
	putc_(o, ' ');
	put_u0(o, (unsigned long)tm.tm_hour, 2);
	putc_(o, ':');
	put_u0(o, (unsigned long)tm.tm_min, 2);
	putc_(o, ':');
	put_u0(o, (unsigned long)tm.tm_sec, 2);
	putc_(o, '.');
	put_u0(o, (unsigned long)ts->tv_usec % 1000000, 6);
}

/* Offset, TAB, space, eight 2-byte groups in a 39-column field, TAB, the
 * bytes as ASCII; a line per 16 bytes of pre (n1 bytes) then b (n2). */
static void hexdump(struct out *o, const uint8_t *pre, size_t n1, const uint8_t *b, size_t n2)
{
	size_t n = n1 + n2;
	for (size_t off = 0; off < n; off += 16) {
		char hex[39], asc[16];
		size_t m = n - off < 16 ? n - off : 16;
		memset(hex, ' ', sizeof hex);
		for (size_t i = 0; i < m; i++) {
			size_t at = off + i;
			uint8_t c = at < n1 ? pre[at] : b[at - n1];
			size_t col = (i / 2) * 5 + (i % 2) * 2;
			hex[col] = hexdig[c >> 4];
			hex[col + 1] = hexdig[c & 15];
			asc[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		puts_(o, "0x");
		put_hex(o, off, 4);
		put(o, "\t ", 2);
		put(o, hex, sizeof hex);
		putc_(o, '\t');
		put(o, asc, m);
		putc_(o, '\n');
	}
}

size_t sniff_text_max(size_t caplen)
{
	/* header line: two IPv6 endpoints, an interface, the longest summary;
	 * dump: 6 + 2 + 39 + 1 + 16 + 1 per 16 bytes, plus a pseudo header */
	return 768 + (caplen / 16 + 2) * 72;
}

size_t sniff_format(const struct sniff_fmt *f, const struct timeval *ts, const uint8_t *data,
		    size_t caplen, char *buf, size_t buflen)
{
	struct sniff_parsed p;
	if (!buflen)
		return 0;
	struct out o = {buf, 0, buflen - 1};

	sniff_parse(f->linktype, data, caplen, f->own_mac, &p);
	put_ts(&o, f, ts);
	putc_(&o, ' ');
	if (f->verbose >= 4) {
		const char *name = f->ifname;
		if (!name && p.has_ifindex && f->ifname_of)
			name = f->ifname_of(f->ctx, p.ifindex);
		if (name) {
			puts_(&o, name);
		} else if (p.has_ifindex) {
			puts_(&o, "if");
			put_u(&o, p.ifindex);
		} else {
			puts_(&o, "any");
		}
		puts_(&o, p.dir == SNIFF_DIR_IN	   ? " in "
			  : p.dir == SNIFF_DIR_OUT ? " out "
						   : " -- ");
	}
	if (p.l3 == SNIFF_L3_IPV4 || p.l3 == SNIFF_L3_IPV6) {
		put_endpoint(&o, &p, p.src, p.sport);
		puts_(&o, " -> ");
		put_endpoint(&o, &p, p.dst, p.dport);
		puts_(&o, ": ");
	} else if (p.l3 != SNIFF_L3_ARP && p.has_macs) {
		put_mac(&o, p.src_mac);
		puts_(&o, " -> ");
		put_mac(&o, p.dst_mac);
		puts_(&o, ": ");
	}
	summary(&o, &p);
	putc_(&o, '\n');

	int v = f->verbose;
	if (v == 2 || v == 5) {
		/* From the network header (the whole frame when there is none). */
		if (p.net)
			hexdump(&o, NULL, 0, p.net, p.net_cap);
		else
			hexdump(&o, NULL, 0, data, caplen);
		putc_(&o, '\n');
	} else if (v == 3 || v == 6) {
		if (p.net && (f->linktype == SNIFF_LINK_SLL || f->linktype == SNIFF_LINK_SLL2)) {
			/* A cooked header is not Ethernet: show the Ethernet header the
			 * frame had as far as it is known (the destination is not). */
			uint8_t eth[14] = {0};
			memcpy(eth + 6, p.src_mac, 6);
			eth[12] = (uint8_t)(p.ethertype >> 8);
			eth[13] = (uint8_t)p.ethertype;
			hexdump(&o, eth, sizeof eth, p.net, p.net_cap);
		} else {
			hexdump(&o, NULL, 0, data, caplen);
		}
		putc_(&o, '\n');
	}
	buf[o.n] = '\0';
	return o.n;
}
