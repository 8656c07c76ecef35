/* SPDX-License-Identifier: MIT */
/*
 * changes.h - what one revision changed, as stored with it: a record per
 * entry the commit wrote, enough to undo the commit -- the value before of
 * each attribute it changed (all of an entry it deleted; none of one it
 * created).  The encoding is a sequence of
 * length-prefixed strings ("5:hello", "-" for no value), so any byte may
 * appear in a value (PEM text); the decoder trusts nothing of it.
 */
#ifndef APPSH_CONFIG_CHANGES_H
#define APPSH_CONFIG_CHANGES_H

#include <stdbool.h>
#include <stddef.h>

struct config_change_attr {
	const char *attr;
	const char *old; /* its value before; NULL: unset (the default) */
};

struct config_change {
	const char *path; /* "system mail" */
	const char *key;  /* the entry's name after the commit ("" for an object) */
	const char *from; /* its name before (differs after a rename; NULL when
			     adding: the same as key) */
	bool existed, exists;
	long long row; /* the entry's row in the store: its place in the table */
	size_t n;
	const struct config_change_attr *attrs;
};

/* A growing encoded record set. */
struct config_changes {
	char *buf;
	size_t len, cap;
	bool failed; /* out of memory: the record is incomplete */
};

/* Appends one entry's record. */
void config_changes_add(struct config_changes *c, const struct config_change *ch);
void config_changes_free(struct config_changes *c);

/*
 * Calls cb for each record of buf[0..len), in order (first_last) or in
 * reverse (to undo).  Strings point into a private copy valid during the
 * call.  0, 1 when cb stopped, -1 when the encoding is malformed.
 */
int config_changes_each(const void *buf, size_t len, bool reverse,
			int (*cb)(void *arg, const struct config_change *ch), void *arg);

#endif
