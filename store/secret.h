/* SPDX-License-Identifier: MIT */
/*
 * secret.h - secrets at rest: AES-256-GCM under a key file in the state
 * directory.  A secret's stored and shown form is base64(nonce | ciphertext
 * | tag); `show` prints it as `ENC <base64>` and `set x ENC <base64>` takes
 * it back unchanged, so a configuration re-imports exactly under one key.
 */
#ifndef APPSH_STORE_SECRET_H
#define APPSH_STORE_SECRET_H

#include <stddef.h>

struct secret_key;

/* Loads <dir>/secret.key, creating it (0600, 32 random bytes) when absent. */
int secret_key_open(const char *dir, struct secret_key **out, char *err, size_t errlen);
void secret_key_free(struct secret_key *key);

/* Returns a malloc'd base64 ciphertext, or NULL with a message. */
char *secret_encrypt(const struct secret_key *key, const char *plain, char *err, size_t errlen);

/* Returns the malloc'd plaintext, or NULL when the text is not base64, was
 * made under another key, or was altered.  Free it with secret_free(). */
char *secret_decrypt(const struct secret_key *key, const char *b64, char *err, size_t errlen);

/* Wipes and frees a plaintext. */
void secret_free(char *plain);

#endif
