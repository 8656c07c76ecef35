/* SPDX-License-Identifier: MIT */
/* pem.c - checks for PEM values: certificates and private keys. */
#include <openssl/err.h>
#include <openssl/pem.h>

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

const char *schema_check_pem_key(const char *v)
{
	BIO *b = BIO_new_mem_buf(v, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY_free(k);
	BIO_free(b);
	ERR_clear_error();
	return k ? NULL : "is not an unencrypted PEM private key";
}
