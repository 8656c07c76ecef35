/* SPDX-License-Identifier: MIT */
/*
 * tftp.h - a TFTP client that reads one file (RFC 1350, octet mode), for
 * `execute certificate ... import <filename> <tftp_ip> <cert_name>`, the
 * appliance's way of bringing a certificate in.
 *
 * One explicit state machine (tftp.c): send the read request, lock onto
 * the server's transfer port with its first DATA, acknowledge each block,
 * end at the first block shorter than 512 bytes.  A lost packet is sent
 * again after a timeout; an ERROR packet, a wrong opcode or a block out
 * of sequence ends the transfer with the reason.  Nothing here prints.
 */
#ifndef APPSH_NET_TFTP_H
#define APPSH_NET_TFTP_H

#include <signal.h>
#include <stddef.h>

enum tftp_op { TFTP_RRQ = 1, TFTP_WRQ = 2, TFTP_DATA = 3, TFTP_ACK = 4, TFTP_ERROR = 5 };

#define TFTP_BLOCK 512 /* RFC 1350: the data of every block but the last */

/* One packet as received. */
struct tftp_packet {
	enum tftp_op op;
	unsigned block;		   /* DATA, ACK */
	const unsigned char *data; /* DATA: inside the buffer given */
	size_t len;
	unsigned code; /* ERROR */
	char msg[128]; /* ERROR: the server's text, control bytes as '?' */
};

/* Reads one packet; 0, or -1 when it is not a well-formed TFTP packet. */
int tftp_parse(const unsigned char *buf, size_t len, struct tftp_packet *p);

struct tftp_options {
	unsigned port;		     /* 69 */
	unsigned timeout_ms;	     /* before a packet is sent again: 1000 */
	unsigned tries;		     /* sends of one packet before giving up: 5 */
	size_t max;		     /* refuse larger files: 65536 */
	volatile sig_atomic_t *stop; /* set (Ctrl-C): give up at once */
};

/*
 * Reads file from the TFTP server at address server (IPv4 or IPv6
 * literal).  Returns 0 with *data (malloc'd, NUL-terminated) and *len, or
 * -1 with the reason in err: "TFTP server 192.0.2.1: File not found",
 * "no answer from ...", "... larger than 65536 bytes", ...
 */
int tftp_get(const char *server, const char *file, const struct tftp_options *o, char **data,
	     size_t *len, char *err, size_t errlen);

#endif
