/* SPDX-License-Identifier: MIT */
/*
 * certificate.c - importing certificates from files, and handing the
 * stored ones to the SMTP client.  An import is one commit through the
 * same session code as `config ... end`, so it is checked for conflicts
 * and refused whole when anything is wrong.
 */
#include "diag/certificate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/walk.h"
#include "diag/tftp.h"
#include "store/secret.h"
#include "store/store.h"

const struct schema_attr diag_cert_first_arg = {
	.name = "filename|name",
	.help = "File name on the TFTP server (then <tftp_ip> <cert_name>), or the "
		"certificate's name (then local PEM files).",
	.type = SCHEMA_T_STRING,
	.max = 4096};
const struct schema_attr diag_cert_second_arg = {
	.name = "tftp_ip|cert-file",
	.help = "IP address of the TFTP server, or a local PEM file with the certificate.",
	.type = SCHEMA_T_STRING,
	.max = 4096};
const struct schema_attr diag_cert_ca_name_arg = {
	.name = "cert_name",
	.help = "Name of the certificate (after a TFTP server).",
	.type = SCHEMA_T_STRING,
	.max = 35};
const struct schema_attr diag_cert_local_third_arg = {
	.name = "cert_name|key-file",
	.help = "Name of the certificate (after a TFTP server), or a local PEM file with its "
		"private key.",
	.type = SCHEMA_T_STRING,
	.max = 4096};

extern volatile sig_atomic_t cli_sigint; /* cli/script.c: Ctrl-C */

/* The TFTP transfer's limits: a certificate file is small. */
static const struct tftp_options tftp_opts = {
	.port = 69, .timeout_ms = 1000, .tries = 5, .max = 65536, .stop = &cli_sigint};

static bool is_ip(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* CRLF files from other systems: the stored text uses LF. */
static void strip_cr(char *buf)
{
	for (char *r = buf; (r = strchr(r, '\r'));)
		memmove(r, r + 1, strlen(r));
}

/* Fetches file from the TFTP server; NULL (the failure recorded) when it
 * cannot, or when it is not text. */
static char *fetch(struct cli *cli, const char *server, const char *file)
{
	char err[400], *data;
	size_t len;
	cli_sigint = 0;
	if (tftp_get(server, file, &tftp_opts, &data, &len, err, sizeof err) != 0) {
		cli_fail(cli, 3, NULL, NULL, err); /* 3: failed to connect host (spec §8.9) */
		return NULL;
	}
	if (memchr(data, '\0', len)) {
		snprintf(err, sizeof err, "%.200s from TFTP server %s is not a text (PEM) file",
			 file, server);
		cli_fail(cli, 7, NULL, NULL, err); /* 7: generic file transfer failure */
		free(data);
		return NULL;
	}
	strip_cr(data);
	return data;
}

/* Reads a whole PEM file of at most 64 KiB. */
static char *slurp(struct cli *cli, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(65537) : NULL, msg[300];
	size_t n = buf ? fread(buf, 1, 65537, f) : 0;
	int e = errno;
	if (f)
		fclose(f);
	if (!buf || n > 65536 || memchr(buf, '\0', n)) {
		snprintf(msg, sizeof msg, "cannot read %.200s: %s", path,
			 !f	     ? strerror(e)
			 : n > 65536 ? "larger than 64 KiB"
				     : "not a text file");
		cli_fail(cli, -1, NULL, NULL, msg);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	strip_cr(buf);
	return buf;
}

static void describe(X509 *x, char *buf, size_t len)
{
	char subject[256] = "", expiry[32] = "";
	struct tm tm;
	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		strftime(expiry, sizeof expiry, "%Y-%m-%d", &tm);
	snprintf(buf, len, "subject %s, expires %s", subject, expiry);
}

/* The private key in PEM, decrypted with pw when it is encrypted (pw NULL:
 * an encrypted key fails rather than prompt). */
static int given_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	if (!u)
		return -1;
	size_t n = strlen(u);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

static EVP_PKEY *read_key(const char *pem, const char *pw)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, given_passphrase, (void *)pw) : NULL;
	BIO_free(b);
	return k;
}

/* The end of the last certificate block in pem (after its line), or NULL. */
static char *last_cert_end(char *pem)
{
	static const char mark[] = "-----END CERTIFICATE-----";
	char *last = NULL;
	for (char *p = pem; (p = strstr(p, mark)); p += sizeof mark - 1)
		last = p + sizeof mark - 1;
	if (last && *last == '\n')
		last++;
	return last;
}

/* Stores the values as a new entry of table; refuses an existing name. */
static int store_entry(struct cli *cli, const char *table, const char *name,
		       const char *const *attrs, char **vals, size_t n)
{
	const struct schema_node *t = schema_lookup(table);
	char msg[200];
	int rc = -1;

	cli_session_enter(cli, t, table);
	int exists = cli_entry_exists(cli, name);
	struct cli_entry *e = exists == 0 ? cli_entry_get(cli, name, true) : NULL;
	if (exists == 1) {
		snprintf(msg, sizeof msg, "%s \"%.35s\" already exists; delete it first", t->name,
			 name);
		cli_fail(cli, -5, "value", name, msg);
	} else if (!e) {
		cli_fail(cli, -1, NULL, NULL, store_errmsg(cli->st));
	} else {
		for (size_t i = 0; i < n; i++) {
			int k = schema_attr_index(t, attrs[i]);
			e->val[k] = vals[i];
			vals[i] = NULL;
		}
		rc = cli_session_commit(cli);
	}
	cli_session_leave(cli);
	return rc;
}

/* Imports the PEM text cert (and key, for a local certificate; NULL: the
 * key is in cert too, as a file fetched by TFTP holds both) as entry name.
 * Takes both strings. */
static int import(struct cli *cli, bool local, const char *name, char *cert, char *key)
{
	char *enc = NULL, info[400], err[256];
	BIO *b = cert ? BIO_new_mem_buf(cert, -1) : NULL;
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = NULL;
	int rc = -1;

	if (!cert)
		goto out;
	if (!x) {
		cli_fail(cli, -651, NULL, NULL, "the certificate file holds no PEM certificate");
		goto out;
	}
	describe(x, info, sizeof info);
	if (local) {
		if (!key && !(key = strdup(cert)))
			goto out;
		k = read_key(key, NULL); /* never a passphrase prompt */
		if (!k) {
			cli_fail(cli, -651, NULL, NULL,
				 "the key file holds no unencrypted PEM private key");
			goto out;
		}
		if (X509_check_private_key(x, k) != 1) {
			cli_fail(cli, -651, NULL, NULL,
				 "the private key does not match the certificate");
			goto out;
		}
		/* Only the key's own PEM block is kept as the key. */
		BIO *kb = BIO_new(BIO_s_mem());
		char *pem = NULL;
		long n = kb && PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) == 1
				 ? BIO_get_mem_data(kb, &pem)
				 : 0;
		char *plain = n > 0 ? strndup(pem, (size_t)n) : NULL;
		BIO_free(kb);
		enc = plain ? secret_encrypt(cli->key, plain, err, sizeof err) : NULL;
		secret_free(plain);
		if (!enc) {
			cli_fail(cli, -1, NULL, NULL, plain ? err : "out of memory");
			goto out;
		}
		/* And only the certificates as the certificate. */
		char *c = strstr(cert, "-----BEGIN CERTIFICATE-----");
		char *end = c ? last_cert_end(c) : NULL;
		if (c && end) {
			memmove(cert, c, (size_t)(end - c));
			cert[end - c] = '\0';
		}
		static const char *const attrs[] = {"certificate", "private-key"};
		char *vals[] = {cert, enc};
		rc = store_entry(cli, "system certificate local", name, attrs, vals, 2);
		cert = vals[0];
		enc = vals[1];
	} else {
		static const char *const attrs[] = {"ca"};
		char *vals[] = {cert};
		rc = store_entry(cli, "system certificate ca", name, attrs, vals, 1);
		cert = vals[0];
	}
	if (rc == 0)
		cli_out_printf(cli->out, "%s certificate \"%s\" imported: %s\n",
			       local ? "Local" : "CA", name, info);
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(b);
	free(cert);
	free(enc);
	secret_free(key);
	return rc;
}

int diag_cert_import_local(struct cli *cli, const struct cli_args *a)
{
	if (is_ip(a->argv[1])) /* <filename> <tftp_ip> <cert_name> */
		return import(cli, true, a->argv[2], fetch(cli, a->argv[1], a->argv[0]), NULL);
	char *cert = slurp(cli, a->argv[1]);
	char *key = cert ? slurp(cli, a->argv[2]) : NULL;
	if (!key) {
		free(cert);
		return -1;
	}
	return import(cli, true, a->argv[0], cert, key);
}

int diag_cert_import_ca(struct cli *cli, const struct cli_args *a)
{
	if (a->argc == 3) { /* <filename> <tftp_ip> <cert_name> */
		if (!is_ip(a->argv[1])) {
			char msg[160];
			snprintf(msg, sizeof msg, "'%.64s' is not the IP address of a TFTP server",
				 a->argv[1]);
			return cli_fail(cli, -8, "value", a->argv[1], msg);
		}
		return import(cli, false, a->argv[2], fetch(cli, a->argv[1], a->argv[0]), NULL);
	}
	return import(cli, false, a->argv[0], slurp(cli, a->argv[1]), NULL);
}

int diag_cert_local_pem(struct cli *cli, const char *name, char **cert, char **key, char *err,
			size_t errlen)
{
	const struct schema_node *t = schema_lookup("system certificate local");
	char **vals = calloc(schema_attr_count(t) + 1, sizeof *vals);
	int rc = vals ? cli_load_values(cli, "system certificate local", t, name, vals) : -1;
	const char *c = rc == 1 ? cli_attr_value(t, vals, schema_attr_index(t, "certificate")) : "";
	const char *k = rc == 1 ? cli_attr_value(t, vals, schema_attr_index(t, "private-key")) : "";

	*cert = *key = NULL;
	if (rc != 1)
		snprintf(err, errlen, "local certificate \"%.35s\" does not exist", name);
	else if (!*c || !*k)
		snprintf(err, errlen, "local certificate \"%.35s\" lacks its certificate or key",
			 name);
	else if ((*key = secret_decrypt(cli->key, k, err, errlen)))
		*cert = strdup(c);
	/* An encrypted key goes to the SMTP client decrypted, as PEM. */
	const char *p = rc == 1 ? cli_attr_value(t, vals, schema_attr_index(t, "password")) : "";
	if (*cert && *p) {
		char *pw = secret_decrypt(cli->key, p, err, errlen);
		EVP_PKEY *pk = pw ? read_key(*key, pw) : NULL;
		BIO *out = pk ? BIO_new(BIO_s_mem()) : NULL;
		char *data = NULL;
		long n = out && PEM_write_bio_PrivateKey(out, pk, NULL, NULL, 0, NULL, NULL) == 1
				 ? BIO_get_mem_data(out, &data)
				 : 0;
		secret_free(*key);
		*key = n > 0 ? strndup(data, (size_t)n) : NULL;
		if (!*key) {
			free(*cert);
			*cert = NULL;
			if (pw)
				snprintf(err, errlen,
					 "local certificate \"%.35s\": the key does not decrypt "
					 "with "
					 "its password",
					 name);
		}
		ERR_clear_error();
		BIO_free(out);
		EVP_PKEY_free(pk);
		secret_free(pw);
	}
	cli_free_values(t, vals);
	if (*cert)
		return 0;
	secret_free(*key);
	*key = NULL;
	return -1;
}

struct ca_ctx {
	struct cli *cli;
	const struct schema_node *t;
	char *pem;
	size_t len;
};

static int add_ca(void *arg, const char *name)
{
	struct ca_ctx *c = arg;
	char **vals = calloc(schema_attr_count(c->t) + 1, sizeof *vals);
	if (vals && cli_load_values(c->cli, "system certificate ca", c->t, name, vals) == 1) {
		const char *pem = cli_attr_value(c->t, vals, schema_attr_index(c->t, "ca"));
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
	cli_free_values(c->t, vals);
	return 0;
}

char *diag_cert_ca_pem(struct cli *cli)
{
	struct ca_ctx c = {cli, schema_lookup("system certificate ca"), NULL, 0};
	cli_entry_keys(cli, c.t, "system certificate ca", add_ca, &c);
	return c.pem;
}

/* At commit: a local certificate's key must belong to its certificate,
 * however the two were entered (pasted in `config` or imported). */
const char *diag_cert_local_verify(struct cli *cli, char *const *vals, char *msg, size_t len)
{
	const struct schema_node *t = schema_lookup("system certificate local");
	const char *c = cli_attr_value(t, vals, schema_attr_index(t, "certificate"));
	const char *enc = cli_attr_value(t, vals, schema_attr_index(t, "private-key"));
	const char *encpw = cli_attr_value(t, vals, schema_attr_index(t, "password"));
	char err[256];
	const char *why = NULL;

	if (!*c || !*enc)
		return NULL; /* incomplete is allowed; the mail test says what is missing */
	char *key = secret_decrypt(cli->key, enc, err, sizeof err);
	char *pw = *encpw ? secret_decrypt(cli->key, encpw, err, sizeof err) : NULL;
	BIO *cb = BIO_new_mem_buf(c, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = key ? read_key(key, pw) : NULL;
	if (!k) {
		snprintf(msg, len, "the private key does not decrypt%s",
			 pw ? " with this password" : ": set password first");
		why = msg;
	} else if (!x || X509_check_private_key(x, k) != 1) {
		snprintf(msg, len, "the private key does not match the certificate");
		why = msg;
	}
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	secret_free(key);
	secret_free(pw);
	return why;
}
