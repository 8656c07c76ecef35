/* SPDX-License-Identifier: MIT */
/* certs.c - the stored certificates (certs.h). */
#include "config/certs.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/priv.h"
#include "store/secret.h"
#include "store/store.h"

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

/* ---- the built-in local certificate ----------------------------------- */

/* A self-signed certificate for a new P-256 key, CN "Fortinet_Local",
 * valid ten years; its certificate and key as PEM text (malloc'd). */
static int make_self_signed(char **cert, char **key)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = k ? X509_new() : NULL;
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	unsigned char serial[8];
	char *data;
	int ok = 0;
	*cert = *key = NULL;
	if (x && cb && kb && RAND_bytes(serial, sizeof serial) == 1) {
		BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
		X509_NAME *n = X509_get_subject_name(x);
		ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
		     X509_set_version(x, 2) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
		     X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600) &&
		     X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
						(const unsigned char *)"appsh", -1, -1, 0) &&
		     X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						(const unsigned char *)"Fortinet_Local", -1, -1,
						0) &&
		     X509_set_issuer_name(x, n) && X509_set_pubkey(x, k) &&
		     X509_sign(x, k, EVP_sha256()) > 0 && PEM_write_bio_X509(cb, x) == 1 &&
		     PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) == 1;
		BN_free(bn);
	}
	long n;
	if (ok && (n = BIO_get_mem_data(cb, &data)) > 0)
		*cert = strndup(data, (size_t)n);
	if (ok && (n = BIO_get_mem_data(kb, &data)) > 0)
		*key = strndup(data, (size_t)n);
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	if (*cert && *key)
		return 0;
	free(*cert);
	config_secret_free(*key);
	*cert = *key = NULL;
	return -1;
}

int config_builtin_cert(struct config *cfg, char *err, size_t errlen)
{
	static const char path[] = "system certificate local", flag[] = "builtin-local-cert";
	char have[8];
	if (store_meta_get(cfg->st, flag, have, sizeof have) == 1)
		return 0; /* made once; an administrator may delete or replace it */
	if (store_begin(cfg->st) != STORE_OK)
		goto store_error;
	/* Another first start may have made it while this one waited. */
	int64_t id;
	int made = store_meta_get(cfg->st, flag, have, sizeof have);
	int exists = made == 0 ? store_entry_find(cfg->st, path, CONFIG_BUILTIN_CERT, &id) : 0;
	if (made < 0 || exists < 0)
		goto rollback;
	if (made == 0 && exists == 0) {
		char *cert, *key, *enc = NULL;
		if (make_self_signed(&cert, &key) != 0) {
			store_rollback(cfg->st);
			snprintf(err, errlen, "cannot make the built-in certificate %s",
				 CONFIG_BUILTIN_CERT);
			return -1;
		}
		enc = secret_encrypt(cfg->key, key, err, errlen);
		config_secret_free(key);
		int rc = enc &&
					 store_entry_create(cfg->st, path, CONFIG_BUILTIN_CERT,
							    &id) == STORE_OK &&
					 store_value_set(cfg->st, id, "certificate", cert) ==
						 STORE_OK &&
					 store_value_set(cfg->st, id, "private-key", enc) ==
						 STORE_OK &&
					 store_value_set(
						 cfg->st, id, "comment",
						 "Default local certificate (self-signed).") ==
						 STORE_OK
				 ? 0
				 : -1;
		free(cert);
		free(enc);
		if (rc != 0)
			goto rollback;
	}
	if (store_meta_set(cfg->st, flag, "1") != STORE_OK || store_commit(cfg->st) != STORE_OK)
		goto rollback;
	return 0;
rollback:
	store_rollback(cfg->st);
store_error:
	snprintf(err, errlen, "%s", store_errmsg(cfg->st));
	return -1;
}
