/* SPDX-License-Identifier: MIT */
/* config.c - opening the configuration, errors, grouped commits, secrets. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/certs.h"
#include "config/priv.h"
#include "store/secret.h"
#include "store/statedir.h"
#include "store/store.h"

int config_fail(struct config_error *err, int code, const char *parse, const char *token,
		const char *fmt, ...)
{
	err->code = code;
	err->parse = parse;
	snprintf(err->token, sizeof err->token, "%s", token ? token : "");
	err->detail[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof err->detail, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int config_open(const char *statedir, struct config **out, char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	char path[4200];

	*out = NULL;
	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(cfg->statedir, sizeof cfg->statedir, "%s", statedir);
	config_become_all(cfg);
	config_set_origin(cfg, "console", "script");
	cfg->record = -1;
	snprintf(path, sizeof path, "%s/config.db", statedir);
	/* In a group-shared directory the store must be group-writable, and
	 * SQLite gives its -wal and -shm files the database's mode: make the
	 * file first, 0660, rather than let SQLite make it 0644 & ~umask. */
	if (statedir_shared(statedir)) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660);
		if (fd >= 0)
			close(fd);
	}
	if (store_open(path, &cfg->st, err, errlen) != STORE_OK) {
		free(cfg);
		return -1;
	}
	if (secret_key_open(statedir, &cfg->key, err, errlen) != 0 ||
	    config_builtin_cert(cfg, err, errlen) != 0) {
		secret_key_free(cfg->key);
		store_close(cfg->st);
		free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

void config_close(struct config *cfg)
{
	if (!cfg)
		return;
	if (store_in_transaction(cfg->st))
		store_commit(cfg->st);
	config_audit_done(cfg, false);
	config_changes_free(&cfg->changes);
	store_close(cfg->st);
	if (!cfg->key_borrowed)
		secret_key_free(cfg->key);
	free(cfg);
}

int config_scratch_open(struct config *parent, struct config **out, char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	*out = NULL;
	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(cfg->statedir, sizeof cfg->statedir, "%s", parent->statedir);
	config_become_all(cfg);
	config_set_origin(cfg, "scratch", "scratch");
	cfg->key = parent->key;
	cfg->key_borrowed = true;
	if (store_open(":memory:", &cfg->st, err, errlen) != STORE_OK) {
		free(cfg);
		return -1;
	}
	if (store_clear(cfg->st) != STORE_OK) {
		snprintf(err, errlen, "%s", store_errmsg(cfg->st));
		config_close(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

const char *config_statedir(const struct config *cfg)
{
	return cfg->statedir;
}

const char *config_errmsg(const struct config *cfg)
{
	return store_errmsg(cfg->st);
}

int config_meta(struct config *cfg, const char *name, char *buf, size_t len)
{
	return store_meta_get(cfg->st, name, buf, len) == STORE_OK ? 0 : -1;
}

void config_batch(struct config *cfg, bool on)
{
	cfg->batch = on;
}

bool config_pending(const struct config *cfg)
{
	return store_in_transaction(cfg->st);
}

int config_flush(struct config *cfg, struct config_error *err)
{
	/* A group stays one transaction until config_group_end(). */
	if (cfg->grouped || !store_in_transaction(cfg->st) || store_commit(cfg->st) == STORE_OK)
		return 0;
	config_fail(err, -1, NULL, NULL,
		    "saving to the store failed: %s; the changes since the last save are lost",
		    store_errmsg(cfg->st));
	store_rollback(cfg->st);
	return -1;
}

char *config_secret_decrypt(struct config *cfg, const char *stored, char *err, size_t errlen)
{
	return secret_decrypt(cfg->key, stored, err, errlen);
}

void config_secret_free(char *plain)
{
	secret_free(plain);
}
