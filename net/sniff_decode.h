/* SPDX-License-Identifier: MIT */
/*
 * sniff_decode.h - the packet decoder of `diagnose sniffer packet`: bytes
 * in, the appliance's text out (spec §8.7).  Pure functions, no I/O and no
 * libpcap calls, so unit tests and the fuzzer feed it fixed byte arrays.
 *
 * Two steps: sniff_parse() reads the link, network and transport headers
 * into a struct (the mail test's evidence collector uses that alone), and
 * sniff_format() prints one packet: the header line and, at verbosity
 * 2/3/5/6, the hex and ASCII dump.
 */
#ifndef APPSH_NET_SNIFF_DECODE_H
#define APPSH_NET_SNIFF_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Link types, as libpcap numbers them (DLT_*). */
enum {
	SNIFF_LINK_EN10MB = 1,	 /* Ethernet (also lo and veth on Linux) */
	SNIFF_LINK_RAW = 12,	 /* bare IPv4/IPv6 (tun) */
	SNIFF_LINK_RAW_ALT = 14, /* DLT_RAW on some BSDs */
	SNIFF_LINK_RAW_PCAP = 101,
	SNIFF_LINK_SLL = 113, /* Linux cooked v1 ("any") */
	SNIFF_LINK_IPV4 = 228,
	SNIFF_LINK_IPV6 = 229,
	SNIFF_LINK_SLL2 = 276, /* Linux cooked v2 ("any", with the interface index) */
};

enum sniff_dir { SNIFF_DIR_UNKNOWN, SNIFF_DIR_IN, SNIFF_DIR_OUT };

enum sniff_l3 { SNIFF_L3_NONE, SNIFF_L3_ARP, SNIFF_L3_IPV4, SNIFF_L3_IPV6, SNIFF_L3_OTHER };

/* One packet, read.  Pointers point into the caller's bytes. */
struct sniff_parsed {
	enum sniff_dir dir;
	bool has_ifindex;
	unsigned ifindex; /* SLL2 */
	bool has_macs;	  /* Ethernet: both; SLL: the source only */
	uint8_t src_mac[6], dst_mac[6];
	uint16_t ethertype;
	size_t link_len; /* bytes of the link-layer header(s) */

	enum sniff_l3 l3;
	const uint8_t *net; /* the network header, caplen - link_len bytes */
	size_t net_cap;
	int family; /* AF_INET, AF_INET6 (IP only) */
	uint8_t src[16], dst[16];
	uint8_t proto;	/* transport protocol after extension headers */
	size_t l4_len;	/* transport bytes as the IP header says */
	bool fragment;	/* a fragment after the first: no transport header */
	bool l4_short;	/* the transport header is cut by the capture */
	bool has_ports; /* TCP or UDP */
	uint16_t sport, dport;
	uint16_t udp_len;  /* UDP payload bytes, from the UDP header */
	uint8_t tcp_flags; /* SNIFF_TCP_* bits */
	uint32_t seq, ack;
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_info; /* echo: id << 16 | seq; too-big: mtu */
	uint32_t esp_spi, esp_seq;

	/* An ICMP error quotes the packet it is about. */
	bool has_inner;
	int inner_family;
	uint8_t inner_src[16], inner_dst[16];
	uint8_t inner_proto;
	bool inner_ports;
	uint16_t inner_sport, inner_dport;

	/* ARP over Ethernet/IPv4 */
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_spa[4], arp_tpa[4];
};

#define SNIFF_TCP_FIN 0x01
#define SNIFF_TCP_SYN 0x02
#define SNIFF_TCP_RST 0x04
#define SNIFF_TCP_PSH 0x08
#define SNIFF_TCP_ACK 0x10
#define SNIFF_TCP_URG 0x20

/*
 * Reads a packet of caplen captured bytes of link type linktype.  own_mac
 * (6 bytes, or NULL) is the capturing interface's address: on Ethernet a
 * frame from it is outgoing, any other incoming (the cooked "any" header
 * says so itself).  Never fails: what cannot be read is left zero and l3
 * says how far it got.
 */
void sniff_parse(int linktype, const uint8_t *data, size_t caplen, const uint8_t *own_mac,
		 struct sniff_parsed *p);

enum sniff_ts { SNIFF_TS_RELATIVE, SNIFF_TS_UTC, SNIFF_TS_LOCAL };

struct sniff_fmt {
	int linktype;
	int verbose; /* 1-6 */
	enum sniff_ts ts;
	struct timeval start;	/* relative timestamps count from here */
	const char *ifname;	/* the interface captured on, NULL for "any" */
	const uint8_t *own_mac; /* see sniff_parse */
	/* "any": the name of interface ifindex (NULL: print the number). */
	const char *(*ifname_of)(void *ctx, unsigned ifindex);
	void *ctx;
};

/* Bytes sniff_format needs at most for a packet of caplen bytes. */
size_t sniff_text_max(size_t caplen);

/*
 * Formats one packet as the appliance prints it: the header line, then at
 * verbosity 2/3/5/6 the hex dump and a blank line.  Writes at most buflen
 * bytes (NUL-terminated; the text is cut, never overrun, when buflen is
 * below sniff_text_max) and returns the length of the text.
 */
size_t sniff_format(const struct sniff_fmt *f, const struct timeval *ts, const uint8_t *data,
		    size_t caplen, char *buf, size_t buflen);

/* The summary after "src -> dst: " (or the ARP text), alone. */
size_t sniff_summary(const struct sniff_parsed *p, char *buf, size_t buflen);

#endif
