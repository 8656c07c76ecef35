/* SPDX-License-Identifier: MIT */
/* certs.c - the stored certificates (certs.h). */
#include "config/certs.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int given_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	size_t n = u ? strlen(u) : 0;
	if (!u || n > (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

EVP_PKEY *config_pem_key(const char *pem, const char *pw)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, given_passphrase, (void *)pw) : NULL;
	BIO_free(b);
	ERR_clear_error();
	return k;
}

/* key, decrypted with the password stored as encpw, as unencrypted PEM
 * (the SMTP client's TLS code reads no passphrase). */
static char *plain_key(struct config *cfg, const char *key, const char *encpw, char *err,
		       size_t errlen)
{
	char *pw = config_secret_decrypt(cfg, encpw, err, errlen);
	EVP_PKEY *k = pw ? config_pem_key(key, pw) : NULL;
	BIO *out = k ? BIO_new(BIO_s_mem()) : NULL;
	char *data = NULL, *plain = NULL;
	long n = out && PEM_write_bio_PrivateKey(out, k, NULL, NULL, 0, NULL, NULL) == 1
			 ? BIO_get_mem_data(out, &data)
			 : 0;
	if (n > 0)
		plain = strndup(data, (size_t)n);
	else if (pw)
		snprintf(err, errlen, "the private key does not decrypt with its password");
	ERR_clear_error();
	BIO_free(out);
	EVP_PKEY_free(k);
	config_secret_free(pw);
	return plain;
}

int config_cert_local_pem(struct config *cfg, const char *name, char **cert, char **key, char *err,
			  size_t errlen)
{
	const struct schema_node *t = schema_lookup("system certificate local");
	char **vals = config_values_new(t);
	int rc = vals ? config_read(cfg, "system certificate local", t, name, vals) : -1;
	const char *c =
		rc == 1 ? schema_attr_value(t, vals, schema_attr_index(t, "certificate")) : "";
	const char *k =
		rc == 1 ? schema_attr_value(t, vals, schema_attr_index(t, "private-key")) : "";

	*cert = *key = NULL;
	if (rc != 1)
		snprintf(err, errlen, "local certificate \"%.35s\" does not exist", name);
	else if (!*c || !*k)
		snprintf(err, errlen, "local certificate \"%.35s\" lacks its certificate or key",
			 name);
	else if ((*key = config_secret_decrypt(cfg, k, err, errlen)))
		*cert = strdup(c);
	const char *pw =
		rc == 1 ? schema_attr_value(t, vals, schema_attr_index(t, "password")) : "";
	if (*cert && *pw) {
		char *plain = plain_key(cfg, *key, pw, err, errlen);
		config_secret_free(*key);
		*key = plain;
		if (!plain) {
			free(*cert);
			*cert = NULL;
		}
	}
	config_values_free(t, vals);
	if (*cert)
		return 0;
	config_secret_free(*key);
	*key = NULL;
	return -1;
}

struct ca_ctx {
	struct config *cfg;
	const struct schema_node *t;
	char *pem;
	size_t len;
};

static int add_ca(void *arg, const char *name)
{
	struct ca_ctx *c = arg;
	char **vals = config_values_new(c->t);
	if (vals && config_read(c->cfg, "system certificate ca", c->t, name, vals) == 1) {
		const char *pem = schema_attr_value(c->t, vals, schema_attr_index(c->t, "ca"));
		size_t n = strlen(pem);
		char *p = realloc(c->pem, c->len + n + 2);
		if (p) {
			memcpy(p + c->len, pem, n);
			c->len += n;
			p[c->len++] = '\n';
			p[c->len] = '\0';
			c->pem = p;
		}
	}
	config_values_free(c->t, vals);
	return 0;
}

char *config_cert_ca_pem(struct config *cfg)
{
	struct ca_ctx c = {cfg, schema_lookup("system certificate ca"), NULL, 0};
	config_keys(cfg, "system certificate ca", add_ca, &c);
	return c.pem;
}
