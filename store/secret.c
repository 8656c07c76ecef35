/* SPDX-License-Identifier: MIT */
/* secret.c - AES-256-GCM for secrets at rest, with OpenSSL 3. */
#include "store/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KEY_LEN = 32, NONCE_LEN = 12, TAG_LEN = 16 };

/* Binds ciphertexts to their purpose: a blob from another program that
 * happens to use the same key file format does not decrypt here. */
static const unsigned char aad[] = "appsh secret v1";

struct secret_key {
	unsigned char k[KEY_LEN];
};

/* Reads the key: exactly KEY_LEN bytes, in a file others cannot read.
 * -1 (errno) when it cannot be opened, -2 when it is not a key, -3 when
 * its permissions give it away. */
static int read_key(const char *path, unsigned char *k)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	unsigned char extra;
	if (fd < 0)
		return -1;
	int rc = fstat(fd, &sb) != 0 || (sb.st_mode & S_IRWXO)		       ? -3
		 : read(fd, k, KEY_LEN) != KEY_LEN || read(fd, &extra, 1) != 0 ? -2
									       : 0;
	close(fd);
	return rc;
}

/* Writes a fresh key to a temporary file and links it into place, so two
 * shells starting at once agree on one key and nobody reads half a key. */
static int create_key(const char *dir, const char *path, char *err, size_t errlen)
{
	unsigned char k[KEY_LEN];
	char tmp[4096];
	int fd, rc = -1;

	if (RAND_bytes(k, sizeof k) != 1) {
		snprintf(err, errlen, "cannot generate a secret key");
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s/.secret.key.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a key file in %s: %s", dir, strerror(errno));
		return -1;
	}
	/* In a directory shared by the appsh group (statedir_shared), every
	 * administrator's appsh must read the key: group-readable, still
	 * nothing for others (read_key refuses that). */
	struct stat dsb;
	bool shared = stat(dir, &dsb) == 0 && (dsb.st_mode & S_ISGID) &&
		      (dsb.st_mode & S_IRWXG) == S_IRWXG && !(dsb.st_mode & S_IRWXO);
	if (fchmod(fd, shared ? 0640 : 0600) == 0 && write(fd, k, sizeof k) == (ssize_t)sizeof k &&
	    fsync(fd) == 0 && (link(tmp, path) == 0 || errno == EEXIST))
		rc = 0;
	else
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	unlink(tmp);
	OPENSSL_cleanse(k, sizeof k);
	return rc;
}

int secret_key_open(const char *dir, struct secret_key **out, char *err, size_t errlen)
{
	char path[4096];
	struct secret_key *key = malloc(sizeof *key);

	*out = NULL;
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof path, "%s/secret.key", dir);
	int rc = read_key(path, key->k);
	if (rc == -1 && errno == ENOENT && create_key(dir, path, err, errlen) == 0)
		rc = read_key(path, key->k);
	if (rc != 0) {
		if (rc == -2)
			snprintf(err, errlen, "%s: not a %d-byte key", path, KEY_LEN);
		else if (rc == -3)
			snprintf(err, errlen,
				 "%s: readable by other users; chmod 600 it (640 in a "
				 "group-shared state directory)",
				 path);
		else if (!*err)
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		secret_key_free(key);
		return -1;
	}
	*out = key;
	return 0;
}

void secret_key_free(struct secret_key *key)
{
	if (key) {
		OPENSSL_cleanse(key, sizeof *key);
		free(key);
	}
}

void secret_free(char *plain)
{
	if (plain) {
		OPENSSL_cleanse(plain, strlen(plain));
		free(plain);
	}
}

/* One GCM pass: encrypts (enc=1) or decrypts and verifies the tag (enc=0). */
static int gcm(const struct secret_key *key, int enc, const unsigned char *nonce,
	       const unsigned char *in, int inlen, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, fin,
		ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key->k, nonce, enc) &&
		     EVP_CipherUpdate(c, NULL, &n, aad, sizeof aad - 1) &&
		     EVP_CipherUpdate(c, out, &n, in, inlen);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag);
	ok = ok && EVP_CipherFinal_ex(c, out + n, &fin);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

char *secret_encrypt(const struct secret_key *key, const char *plain, char *err, size_t errlen)
{
	size_t n = strlen(plain), raw_len = NONCE_LEN + n + TAG_LEN;
	unsigned char *raw = malloc(raw_len);
	char *b64 = malloc(4 * ((raw_len + 2) / 3) + 1);

	if (!raw || !b64 || n > 65536 || RAND_bytes(raw, NONCE_LEN) != 1 ||
	    gcm(key, 1, raw, (const unsigned char *)plain, (int)n, raw + NONCE_LEN,
		raw + NONCE_LEN + n) != 0) {
		snprintf(err, errlen, "cannot encrypt the secret");
		free(raw);
		free(b64);
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)b64, raw, (int)raw_len);
	OPENSSL_cleanse(raw, raw_len);
	free(raw);
	return b64;
}

char *secret_decrypt(const struct secret_key *key, const char *b64, char *err, size_t errlen)
{
	size_t len = strlen(b64);
	unsigned char *raw = NULL;
	char *plain = NULL;
	int raw_len = -1;

	if (len % 4 == 0 && len >= 4 * ((NONCE_LEN + TAG_LEN + 2) / 3) && len <= 100000 &&
	    (raw = malloc(len / 4 * 3 + 1)))
		raw_len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
	for (size_t i = len; raw_len > 0 && i > 0 && b64[i - 1] == '='; i--)
		raw_len--;
	if (raw_len < NONCE_LEN + TAG_LEN) {
		snprintf(err, errlen, "not an encrypted value (bad base64)");
		free(raw);
		return NULL;
	}
	int n = raw_len - NONCE_LEN - TAG_LEN;
	plain = malloc(n + 1);
	if (!plain || gcm(key, 0, raw, raw + NONCE_LEN, n, (unsigned char *)plain,
			  raw + NONCE_LEN + n) != 0) {
		snprintf(err, errlen,
			 "the encrypted value does not decrypt with this installation's key");
		free(plain);
		free(raw);
		return NULL;
	}
	plain[n] = '\0';
	free(raw);
	if (strlen(plain) != (size_t)n) { /* a NUL inside: not something we encrypted */
		secret_free(plain);
		snprintf(err, errlen, "the encrypted value holds a NUL byte");
		return NULL;
	}
	return plain;
}
