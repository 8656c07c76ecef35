/* SPDX-License-Identifier: MIT */
/* pem.c - checks for PEM values: certificates and private keys. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <string.h>

#include "schema/schema.h"

const char *schema_check_pem_cert(const char *v)
{
	BIO *b = BIO_new_mem_buf(v, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	return x ? NULL : "is not a PEM certificate (-----BEGIN CERTIFICATE-----)";
}

/* Gives no passphrase: an encrypted key fails to decrypt, quietly. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

const char *schema_check_pem_key(const char *v)
{
	BIO *b = BIO_new_mem_buf(v, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
	/* A key encrypted with `password` (as the appliance shows it) is
	 * checked against that password when the entry is committed. */
	bool encrypted = !k && strstr(v, "-----BEGIN ENCRYPTED PRIVATE KEY-----") &&
			 strstr(v, "-----END ENCRYPTED PRIVATE KEY-----");
	EVP_PKEY_free(k);
	BIO_free(b);
	ERR_clear_error();
	return k || encrypted ? NULL : "is not a PEM private key";
}
