/* SPDX-License-Identifier: MIT */
/*
 * certificate.c - `execute certificate {local|ca} import`.  Two forms each
 * (docs/mail.md), told apart by the second word, an IP address or a file:
 *   the appliance's:  ca|local import <filename> <tftp_ip> <cert_name>
 *                     (fetched from a TFTP server, net/tftp.c)
 *   appsh's:          ca import <name> <cert-file>
 *                     local import <name> <cert-file> <key-file>
 * An import is one commit through the configuration layer, as `config ...
 * end` is, so it is checked for conflicts and refused whole when anything
 * is wrong.
 */
#include "cmds/certificate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/walk.h"
#include "config/certs.h"
#include "net/tftp.h"

const struct schema_attr cmds_cert_first_arg = {
	.name = "filename|name",
	.help = "File name on the TFTP server (then <tftp_ip> <cert_name>), or the "
		"certificate's name (then local PEM files).",
	.type = SCHEMA_T_STRING,
	.max = 4096};
const struct schema_attr cmds_cert_second_arg = {
	.name = "tftp_ip|cert-file",
	.help = "IP address of the TFTP server, or a local PEM file with the certificate.",
	.type = SCHEMA_T_STRING,
	.max = 4096};
const struct schema_attr cmds_cert_ca_name_arg = {
	.name = "cert_name",
	.help = "Name of the certificate (after a TFTP server).",
	.type = SCHEMA_T_STRING,
	.max = 35};
const struct schema_attr cmds_cert_local_third_arg = {
	.name = "cert_name|key-file",
	.help = "Name of the certificate (after a TFTP server), or a local PEM file with its "
		"private key.",
	.type = SCHEMA_T_STRING,
	.max = 4096};

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

/* Fetches file from the TFTP server (port 69, 1 s per try, 5 tries, 64
 * KiB at most, Ctrl-C stops it); NULL, the failure recorded, when it
 * cannot or when it is not text. */
static char *fetch(struct cli *cli, const char *server, const char *file)
{
	struct tftp_options o = {
		.port = 69, .timeout_ms = 1000, .tries = 5, .max = 65536, .stop = &cli->cancel};
	char err[400], *data;
	size_t len;
	if (tftp_get(server, file, &o, &data, &len, err, sizeof err) != 0) {
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

/* Stores the values as a new entry of table in a commit of its own;
 * refuses an existing name.  A secret (the key) is encrypted on the way. */
static int store_entry(struct cli *cli, const char *table, const char *name,
		       const char *const *attrs, const char *const *vals, size_t n)
{
	const struct schema_node *t = schema_lookup(table);
	struct config_txn *txn = config_txn_new(cli->cfg, t, table);
	struct config_error err;
	int rc = -1;

	int exists = txn ? config_txn_exists(txn, name) : -1;
	struct config_entry *e = exists == 0 ? config_txn_entry(txn, name, true) : NULL;
	if (!txn) {
		rc = cli_fail(cli, -4, NULL, NULL, "out of memory");
	} else if (exists == 1) {
		config_fail(&err, -5, "value", name, "%s \"%.35s\" already exists; delete it first",
			    t->name, name);
		rc = cli_fail_config(cli, &err);
	} else if (!e) {
		rc = cli_fail_store(cli);
	} else {
		rc = 0;
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = config_entry_set(txn, e, schema_attr_index(t, attrs[i]), vals[i],
					      false, &err);
		if (rc == 0)
			rc = config_txn_commit(txn, NULL, &err);
		if (rc != 0)
			cli_fail_config(cli, &err);
	}
	config_txn_free(txn);
	return rc;
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

/* The key k as unencrypted PEM (config_secret_free it), or NULL. */
static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long n = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1
			 ? BIO_get_mem_data(b, &pem)
			 : 0;
	char *copy = n > 0 ? strndup(pem, (size_t)n) : NULL;
	BIO_free(b);
	return copy;
}

/* Imports the PEM text cert (and key, for a local certificate; NULL: the
 * key is in cert too, as a file fetched by TFTP holds both) as entry
 * name.  Takes both strings. */
static int import(struct cli *cli, bool local, const char *name, char *cert, char *key)
{
	char info[400], *plain = NULL;
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
		k = config_pem_key(key ? key : cert, NULL); /* never a passphrase prompt */
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
		/* Only the key's block is the key, only certificates the
		 * certificate (a TFTP file holds both). */
		if (!(plain = key_pem(k))) {
			cli_fail(cli, -4, NULL, NULL, "out of memory");
			goto out;
		}
		char *c = strstr(cert, "-----BEGIN CERTIFICATE-----"),
		     *end = c ? last_cert_end(c) : NULL;
		if (c && end) {
			memmove(cert, c, (size_t)(end - c));
			cert[end - c] = '\0';
		}
		static const char *const attrs[] = {"certificate", "private-key"};
		const char *const vals[] = {cert, plain};
		rc = store_entry(cli, "system certificate local", name, attrs, vals, 2);
	} else {
		static const char *const attrs[] = {"ca"};
		const char *const vals[] = {cert};
		rc = store_entry(cli, "system certificate ca", name, attrs, vals, 1);
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
	config_secret_free(key);
	config_secret_free(plain);
	return rc;
}

int cmds_cert_import_local(struct cli *cli, const struct cli_args *a)
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

int cmds_cert_import_ca(struct cli *cli, const struct cli_args *a)
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
