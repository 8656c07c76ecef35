/* SPDX-License-Identifier: MIT */
/*
 * reply.h - SMTP replies (RFC 5321 §4.2) and EHLO keywords.
 *
 * The parser reads one complete reply from the front of a byte buffer; the
 * client keeps the bytes that follow (after STARTTLS any such byte is an
 * attack and aborts the session).  Lines and line counts are bounded so a
 * hostile server cannot make us buffer without end.
 */
#ifndef APPSH_SMTP_REPLY_H
#define APPSH_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SMTP_REPLY_MAX_LINE = 2048, /* bytes per line, CRLF included */
	SMTP_REPLY_MAX_LINES = 100,
};

struct smtp_reply {
	int code;	   /* 200..599 */
	char enhanced[16]; /* "2.0.0" when the first line starts with one, else "" */
	char text[4096];   /* the lines without "250-"/"250 ", joined by '\n' (cut if longer) */
	size_t lines;
};

enum smtp_reply_status {
	SMTP_REPLY_MORE,     /* no complete reply yet: read more bytes */
	SMTP_REPLY_DONE,     /* *r holds the reply; *used bytes were consumed */
	SMTP_REPLY_BAD,	     /* not an SMTP reply (why in r->text) */
	SMTP_REPLY_TOO_LONG, /* a line or the line count is over the limit */
};

/*
 * Parses the reply at the front of buf[0..len).  Lines end in CRLF (a bare
 * LF is accepted).  Every line must be three digits, then '-' (more lines
 * follow) or ' ' or the end of the line; all lines must carry the same code.
 */
enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *r,
					size_t *used);

/* What an EHLO reply offered. */
enum {
	SMTP_MECH_PLAIN = 1,
	SMTP_MECH_LOGIN = 2,
	SMTP_MECH_CRAM_MD5 = 4,
	SMTP_MECH_EXTERNAL = 8,
};

struct smtp_ehlo {
	bool starttls, pipelining, eightbitmime, smtputf8, enhancedstatuscodes;
	size_t size;	      /* SIZE limit, 0 when none or not given */
	unsigned mechs;	      /* SMTP_MECH_* offered by AUTH (also "AUTH=" lines) */
	char mech_names[256]; /* every AUTH mechanism named, space separated, as offered */
	char keywords[512];   /* every keyword (first word of each line but the first) */
};

/* Reads the keywords of a 250 EHLO reply (case-insensitive). */
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e);

#endif
