/* SPDX-License-Identifier: MIT */
/*
 * dns_wire.h - the DNS message format (RFC 1035 §4) as far as the stub
 * resolver needs it: one query out, one reply in.  Private to diag/dns.c;
 * kept apart from the sockets so that the unit test can feed it any bytes.
 *
 * Every reader is bounded by the length it is given: a reply is hostile
 * input and is never read past its end.
 */
#ifndef APPSH_NET_DNS_WIRE_H
#define APPSH_NET_DNS_WIRE_H

#include "net/dns.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DNS_WIRE_HEADER = 12,
	DNS_WIRE_EDNS_PAYLOAD = 1232, /* the UDP size of DNS flag day 2020 */
	DNS_WIRE_MAX_QUERY = 512,     /* header + a 253-character name + OPT fit easily */
	DNS_WIRE_NAME_TEXT = 1024,    /* a decoded name with \DDD escapes, NUL included */
	DNS_WIRE_MAX_CHAIN = 16,      /* CNAMEs followed inside one answer section */
	DNS_WIRE_MAX_RECORDS = 16,    /* as many as struct dns_answer holds */
};

enum { DNS_WIRE_CNAME = 5, DNS_WIRE_OPT = 41, DNS_WIRE_CLASS_IN = 1 };

/*
 * Checks a name given by the user: labels of 1..63 letters, digits,
 * hyphens or underscores, at most 253 characters, one optional trailing
 * dot.  Writes it without the trailing dot to out (cap >= 254).  0 or -1.
 */
int dns_wire_check_name(const char *name, char *out, size_t cap);

/*
 * Encodes a query for name (as checked above) and type with RD set, and
 * with an EDNS0 OPT record advertising DNS_WIRE_EDNS_PAYLOAD when edns.
 * Returns the length written to buf, or -1 when it does not fit.
 */
int dns_wire_encode_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, unsigned type,
			  bool edns);

/*
 * Reads the name at *off in msg[0..len), following compression pointers
 * (each must point before itself, so loops are impossible), into out as
 * dotted text without the trailing dot ("." for the root).  Bytes other
 * than letters, digits, '-' and '_' inside a label become \DDD.  On
 * success *off is just past the name as stored (a pointer ends it) and 0
 * is returned; -1 when the name runs past len, holds a bad label type or
 * pointer, is longer than 255 bytes on the wire, or does not fit out.
 */
int dns_wire_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t cap);

enum dns_wire_verdict {
	DNS_WIRE_OK,	    /* a reply to our query: see rcode, tc and the records */
	DNS_WIRE_FOREIGN,   /* not a reply to our query (ID, QR, opcode or question): ignore it */
	DNS_WIRE_MALFORMED, /* a reply to our query that cannot be parsed */
};

struct dns_wire_reply {
	unsigned rcode; /* the header's 4 bits */
	bool tc;	/* truncated: the answer section was not read */
	size_t n;	/* records of the asked type, at the end of any CNAME chain */
	struct dns_record rec[DNS_WIRE_MAX_RECORDS];
};

/*
 * Parses a reply to the query (id, name, type): the header must have QR
 * set, opcode 0, and exactly one question equal to ours (names compared
 * without regard to ASCII case).  With RCODE 0 and no TC, the answer
 * section is walked: from the asked name, CNAMEs are followed to the
 * records of the asked type (A, AAAA and MX are decoded; the first
 * DNS_WIRE_MAX_RECORDS are kept).  A chain longer than DNS_WIRE_MAX_CHAIN
 * (a loop, in practice) is MALFORMED.
 */
enum dns_wire_verdict dns_wire_parse_reply(const uint8_t *msg, size_t len, uint16_t id,
					   const char *name, unsigned type,
					   struct dns_wire_reply *r);

#endif
