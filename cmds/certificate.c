/* SPDX-License-Identifier: MIT */
/*
 * certificate.c - `execute certificate {local|ca} import`: certificates
 * from files.  An import is one commit through the configuration layer,
 * as `config ... end` is, so it is checked for conflicts and refused
 * whole when anything is wrong.
 */
#include "cmds/certificate.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/walk.h"

const struct schema_attr cmds_cert_name_arg = {
	.name = "name", .help = "Name for the certificate.", .type = SCHEMA_T_STRING, .max = 35};
const struct schema_attr cmds_cert_file_arg = {.name = "cert-file",
					       .help = "PEM file with the certificate.",
					       .type = SCHEMA_T_STRING,
					       .max = 4096};
const struct schema_attr cmds_key_file_arg = {.name = "key-file",
					      .help = "PEM file with its private key.",
					      .type = SCHEMA_T_STRING,
					      .max = 4096};

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
	/* CRLF files from other systems: the stored text uses LF. */
	for (char *r = buf; (r = strchr(r, '\r'));)
		memmove(r, r + 1, strlen(r));
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

static int import(struct cli *cli, const struct cli_args *a, bool local)
{
	char *cert = slurp(cli, a->argv[1]), *key = NULL, info[400];
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
		BIO *kb;
		if (!(key = slurp(cli, a->argv[2])))
			goto out;
		kb = BIO_new_mem_buf(key, -1);
		k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
		BIO_free(kb);
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
		static const char *const attrs[] = {"certificate", "private-key"};
		const char *const vals[] = {cert, key};
		rc = store_entry(cli, "system certificate local", a->argv[0], attrs, vals, 2);
	} else {
		static const char *const attrs[] = {"certificate"};
		const char *const vals[] = {cert};
		rc = store_entry(cli, "system certificate ca", a->argv[0], attrs, vals, 1);
	}
	if (rc == 0)
		cli_out_printf(cli->out, "%s certificate \"%s\" imported: %s\n",
			       local ? "Local" : "CA", a->argv[0], info);
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(b);
	free(cert);
	config_secret_free(key);
	return rc;
}

int cmds_cert_import_local(struct cli *cli, const struct cli_args *a)
{
	return import(cli, a, true);
}

int cmds_cert_import_ca(struct cli *cli, const struct cli_args *a)
{
	return import(cli, a, false);
}
