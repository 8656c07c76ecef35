/* SPDX-License-Identifier: MIT */
/* dns_wire.c - DNS queries and replies on the wire (RFC 1035 §4, RFC 6891). */
#include "net/dns_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The RR header that follows an owner name: type, class, TTL, RDLENGTH. */
enum { RR_FIXED = 10, QUESTION_FIXED = 4, OPT_LEN = 11 };

enum {
	FLAG_QR = 0x8000,
	FLAG_TC = 0x0200,
	FLAG_RD = 0x0100,
	OPCODE_SHIFT = 11,
	OPCODE_MASK = 0xF,
	RCODE_MASK = 0xF,
};

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static bool name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int dns_wire_check_name(const char *name, char *out, size_t cap)
{
	size_t len, label = 0;

	if (!name)
		return -1;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len >= cap)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (!name_char((unsigned char)name[i]) || ++label > 63) {
			return -1;
		}
	}
	if (label == 0)
		return -1;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

int dns_wire_encode_query(uint8_t *buf, size_t cap, uint16_t id, const char *name, unsigned type,
			  bool edns)
{
	size_t nlen = strlen(name);
	uint8_t *p = buf;

	/* Header, the name as labels (one length byte more than its dots), its
	 * root byte, QTYPE and QCLASS, then the OPT record. */
	if (nlen == 0 || nlen > 253 ||
	    cap < DNS_WIRE_HEADER + nlen + 2 + QUESTION_FIXED + (edns ? OPT_LEN : 0))
		return -1;
	p = put16(p, id);
	p = put16(p, FLAG_RD);
	p = put16(p, 1); /* QDCOUNT */
	p = put16(p, 0);
	p = put16(p, 0);
	p = put16(p, edns ? 1 : 0); /* ARCOUNT */
	for (const char *s = name; *s;) {
		size_t l = strcspn(s, ".");
		if (l == 0 || l > 63)
			return -1;
		*p++ = (uint8_t)l;
		memcpy(p, s, l);
		p += l;
		s += l;
		if (*s == '.' && *++s == '\0')
			return -1; /* an empty last label: the caller did not check the name */
	}
	*p++ = 0;
	p = put16(p, type);
	p = put16(p, DNS_WIRE_CLASS_IN);
	if (edns) {
		*p++ = 0; /* the root name */
		p = put16(p, DNS_WIRE_OPT);
		p = put16(p, DNS_WIRE_EDNS_PAYLOAD); /* the class holds the UDP size */
		p = put16(p, 0);		     /* extended RCODE, version 0 */
		p = put16(p, 0);		     /* flags: no DO */
		p = put16(p, 0);		     /* RDLENGTH */
	}
	return (int)(p - buf);
}

int dns_wire_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t cap)
{
	size_t pos = *off, floor = *off, end = 0, o = 0, wire = 0;

	if (cap < 2)
		return -1;
	for (;;) {
		unsigned c;
		if (pos >= len)
			return -1;
		c = msg[pos];
		if ((c & 0xC0) == 0xC0) {
			size_t to;
			if (pos + 1 >= len)
				return -1;
			to = (size_t)(c & 0x3F) << 8 | msg[pos + 1];
			/* Each jump lands before every byte of the name read so
			 * far, so the walk always moves down and cannot loop. */
			if (to >= floor)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = floor = to;
			continue;
		}
		if (c & 0xC0)
			return -1; /* 0x40 and 0x80: extended and binary labels, obsolete */
		wire += c + 1;
		if (wire > 255)
			return -1;
		if (c == 0)
			break;
		if (c > len - pos - 1)
			return -1;
		if (o > 0) {
			if (o + 1 >= cap)
				return -1;
			out[o++] = '.';
		}
		for (size_t i = 1; i <= c; i++) {
			unsigned char b = msg[pos + i];
			if (name_char(b)) {
				if (o + 1 >= cap)
					return -1;
				out[o++] = (char)b;
			} else {
				if (o + 4 >= cap)
					return -1;
				o += (size_t)snprintf(out + o, cap - o, "\\%03u", b);
			}
		}
		pos += 1 + c;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	*off = end ? end : pos + 1;
	return 0;
}

struct rr {
	char owner[DNS_WIRE_NAME_TEXT];
	unsigned type, cls;
	uint32_t ttl;
	size_t rdata, rdlen;
};

/* Reads one resource record at *off and moves past it. */
static int read_rr(const uint8_t *msg, size_t len, size_t *off, struct rr *rr)
{
	if (dns_wire_read_name(msg, len, off, rr->owner, sizeof rr->owner) != 0)
		return -1;
	if (len - *off < RR_FIXED)
		return -1;
	rr->type = get16(msg + *off);
	rr->cls = get16(msg + *off + 2);
	rr->ttl = get32(msg + *off + 4);
	rr->rdlen = get16(msg + *off + 8);
	rr->rdata = *off + RR_FIXED;
	if (rr->rdlen > len - rr->rdata)
		return -1;
	*off = rr->rdata + rr->rdlen;
	return 0;
}

/* A name inside RDATA must end exactly where the RDATA ends. */
static int read_rdata_name(const uint8_t *msg, size_t len, const struct rr *rr, size_t at,
			   char *out, size_t cap)
{
	size_t off = at;
	if (at > rr->rdata + rr->rdlen || dns_wire_read_name(msg, len, &off, out, cap) != 0)
		return -1;
	return off == rr->rdata + rr->rdlen ? 0 : -1;
}

/* Decodes an A, AAAA or MX record into rec. */
static int decode_record(const uint8_t *msg, size_t len, const struct rr *rr,
			 struct dns_record *rec)
{
	char host[DNS_WIRE_NAME_TEXT];
	int w;

	memset(rec, 0, sizeof *rec);
	rec->type = (enum dns_type)rr->type;
	rec->ttl = rr->ttl;
	switch (rr->type) {
	case DNS_A: {
		struct sockaddr_in *sin = (struct sockaddr_in *)&rec->addr;
		if (rr->rdlen != 4)
			return -1;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, msg + rr->rdata, 4);
		return inet_ntop(AF_INET, &sin->sin_addr, rec->text, sizeof rec->text) ? 0 : -1;
	}
	case DNS_AAAA: {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&rec->addr;
		if (rr->rdlen != 16)
			return -1;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, msg + rr->rdata, 16);
		return inet_ntop(AF_INET6, &sin6->sin6_addr, rec->text, sizeof rec->text) ? 0 : -1;
	}
	case DNS_MX:
		if (rr->rdlen < 3 ||
		    read_rdata_name(msg, len, rr, rr->rdata + 2, host, sizeof host))
			return -1;
		w = snprintf(rec->text, sizeof rec->text, "%u %s", get16(msg + rr->rdata), host);
		return w > 0 && (size_t)w < sizeof rec->text ? 0 : -1;
	default:
		return -1;
	}
}

enum dns_wire_verdict dns_wire_parse_reply(const uint8_t *msg, size_t len, uint16_t id,
					   const char *name, unsigned type,
					   struct dns_wire_reply *r)
{
	char target[DNS_WIRE_NAME_TEXT], next[DNS_WIRE_NAME_TEXT];
	struct rr rr;
	size_t off = DNS_WIRE_HEADER, answers;
	unsigned flags, ancount;

	memset(r, 0, sizeof *r);
	/* Until the question is seen to be ours, anything odd is somebody
	 * else's packet (late, spoofed, or for another socket): ignored. */
	if (len < DNS_WIRE_HEADER || get16(msg) != id)
		return DNS_WIRE_FOREIGN;
	flags = get16(msg + 2);
	if (!(flags & FLAG_QR) || (flags >> OPCODE_SHIFT & OPCODE_MASK) != 0 || get16(msg + 4) != 1)
		return DNS_WIRE_FOREIGN;
	if (dns_wire_read_name(msg, len, &off, target, sizeof target) != 0 ||
	    len - off < QUESTION_FIXED || get16(msg + off) != type ||
	    get16(msg + off + 2) != DNS_WIRE_CLASS_IN || strcasecmp(target, name) != 0)
		return DNS_WIRE_FOREIGN;
	answers = off + QUESTION_FIXED;
	r->rcode = flags & RCODE_MASK;
	r->tc = (flags & FLAG_TC) != 0;
	if (r->tc || r->rcode != 0)
		return DNS_WIRE_OK; /* a truncated answer section is not worth reading */
	ancount = get16(msg + 6);

	/* One pass over the answer section per link of the CNAME chain: the
	 * records of the asked type owned by the current name end it, else
	 * that name's CNAME gives the next name. */
	snprintf(target, sizeof target, "%s", name);
	for (int link = 0; link <= DNS_WIRE_MAX_CHAIN; link++) {
		bool have_cname = false;
		off = answers;
		for (unsigned i = 0; i < ancount; i++) {
			if (read_rr(msg, len, &off, &rr) != 0)
				return DNS_WIRE_MALFORMED;
			if (rr.cls != DNS_WIRE_CLASS_IN || strcasecmp(rr.owner, target) != 0)
				continue;
			if (rr.type == type) {
				struct dns_record rec;
				if (decode_record(msg, len, &rr, &rec) != 0)
					return DNS_WIRE_MALFORMED;
				if (r->n < DNS_WIRE_MAX_RECORDS)
					r->rec[r->n++] = rec;
			} else if (rr.type == DNS_WIRE_CNAME && !have_cname) {
				if (read_rdata_name(msg, len, &rr, rr.rdata, next, sizeof next))
					return DNS_WIRE_MALFORMED;
				have_cname = true;
			}
		}
		if (r->n > 0 || !have_cname)
			return DNS_WIRE_OK;
		memcpy(target, next, sizeof target);
	}
	return DNS_WIRE_MALFORMED; /* a CNAME loop, or a chain no server should send */
}
