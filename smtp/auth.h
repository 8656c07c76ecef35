/* SPDX-License-Identifier: MIT */
/* auth.h - SASL responses for SMTP AUTH (RFC 4954, 4616, 2195); private. */
#ifndef APPSH_SMTP_AUTH_H
#define APPSH_SMTP_AUTH_H

#include <stddef.h>

/* base64 of s[0..n), malloc'd. */
char *smtp_b64(const char *s, size_t n);
/* PLAIN: base64("\0user\0password"). */
char *smtp_sasl_plain(const char *user, const char *password);
/* CRAM-MD5: base64("user " hex(HMAC-MD5(password, challenge))), the
 * challenge given base64 as the server sent it; NULL when it is not base64. */
char *smtp_sasl_cram_md5(const char *user, const char *password, const char *challenge_b64);
/* Wipes and frees a response that holds a secret. */
void smtp_sasl_free(char *s);

#endif
