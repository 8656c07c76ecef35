/* SPDX-License-Identifier: MIT */
/* utf8.h - decoding UTF-8 strictly (RFC 3629), for addresses and headers. */
#ifndef APPSH_SMTP_UTF8_H
#define APPSH_SMTP_UTF8_H

#include <stddef.h>

/* The character at s[0..n): its length in bytes (1 for ASCII) and, when cp
 * is not NULL, its code point; 0 when the bytes are not valid UTF-8
 * (overlong, a surrogate, over U+10FFFF, or cut short). */
size_t smtp_utf8_decode(const unsigned char *s, size_t n, unsigned long *cp);

#endif
