/* SPDX-License-Identifier: MIT */
/*
 * message.h - the text that goes after DATA: building a plain-text
 * message, and encoding any message for the wire.
 */
#ifndef APPSH_SMTP_MESSAGE_H
#define APPSH_SMTP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Builds an RFC 5322 message: Date (from date), Message-ID (random, at
 * domain), From, To (all recipients), Subject (RFC 2047 encoded-word when
 * it is not ASCII), MIME-Version, Content-Type text/plain; charset=UTF-8
 * and a Content-Transfer-Encoding that fits the body (8bit, or
 * quoted-printable when a line is over 998 bytes).  Lines end in CRLF.
 * Returns malloc'd text (length in *len), or NULL with a message in err when
 * a header value holds CR, LF or NUL or an address is not valid.
 */
char *smtp_message_build(const char *from, const char *const *to, size_t nto, const char *subject,
			 const char *body, time_t date, const char *domain, size_t *len, char *err,
			 size_t errlen);

/*
 * The wire form of a message for DATA: every line ending made CRLF, a '.'
 * doubled at the start of a line, and the terminating CRLF.CRLF.  Fails
 * (NULL, err) when a line is longer than 998 bytes or holds a NUL.
 */
char *smtp_data_encode(const char *msg, size_t len, size_t *outlen, char *err, size_t errlen);

/* Whether s holds CR, LF or NUL within its first n bytes (n = strlen when
 * s is a C string): such a string may not reach the wire. */
bool smtp_has_line_break(const char *s);

#endif
