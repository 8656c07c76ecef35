/* SPDX-License-Identifier: MIT */
/* auth.c - SASL PLAIN, LOGIN and CRAM-MD5 responses. */
#include "smtp/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *smtp_b64(const char *s, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

char *smtp_sasl_plain(const char *user, const char *password)
{
	size_t u = strlen(user), p = strlen(password), n = u + p + 2;
	char *raw = malloc(n), *out;
	if (!raw)
		return NULL;
	raw[0] = '\0';
	memcpy(raw + 1, user, u);
	raw[u + 1] = '\0';
	memcpy(raw + u + 2, password, p);
	out = smtp_b64(raw, n);
	OPENSSL_cleanse(raw, n);
	free(raw);
	return out;
}

char *smtp_sasl_cram_md5(const char *user, const char *password, const char *challenge_b64)
{
	size_t len = strlen(challenge_b64);
	unsigned char *challenge = malloc(len / 4 * 3 + 3), mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	int n = challenge && len % 4 == 0 && len
			? EVP_DecodeBlock(challenge, (const unsigned char *)challenge_b64, (int)len)
			: -1;
	for (size_t i = len; n > 0 && i > 0 && challenge_b64[i - 1] == '='; i--)
		n--; /* EVP_DecodeBlock counts the padding */
	if (n <= 0 || !EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, password, strlen(password),
				 challenge, (size_t)n, mac, sizeof mac, &maclen)) {
		free(challenge);
		return NULL;
	}
	free(challenge);
	size_t u = strlen(user);
	char *resp = malloc(u + 1 + 2 * maclen + 1), *out;
	if (!resp)
		return NULL;
	memcpy(resp, user, u);
	resp[u] = ' ';
	for (size_t i = 0; i < maclen; i++)
		snprintf(resp + u + 1 + 2 * i, 3, "%02x", mac[i]);
	out = smtp_b64(resp, strlen(resp));
	smtp_sasl_free(resp);
	return out;
}

void smtp_sasl_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}
