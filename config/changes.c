/* SPDX-License-Identifier: MIT */
/* changes.c - the encoding of what a revision changed (changes.h). */
#include "config/changes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTRS 256 /* more than any node has */

static void put(struct config_changes *c, const char *s, size_t n)
{
	if (c->failed)
		return;
	if (c->cap - c->len < n) {
		size_t cap = c->cap ? c->cap : 512;
		while (cap - c->len < n)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->failed = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/* "<decimal length>:" then the bytes; snprintf() was most of a bulk
 * import's cost of recording revisions. */
static void put_len(struct config_changes *c, size_t n, char end)
{
	char num[24];
	size_t i = sizeof num;
	num[--i] = end;
	do
		num[--i] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	put(c, num + i, sizeof num - i);
}

static void put_str(struct config_changes *c, const char *s)
{
	if (!s) {
		put(c, "-", 1);
		return;
	}
	size_t n = strlen(s);
	put_len(c, n, ':');
	put(c, s, n);
}

/* A number as a string: its digits' count, ':', the digits. */
static void put_num(struct config_changes *c, size_t v)
{
	size_t digits = 1;
	for (size_t x = v; x >= 10; x /= 10)
		digits++;
	put_len(c, digits, ':');
	char num[24];
	size_t i = sizeof num;
	do
		num[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	put(c, num + i, sizeof num - i);
}

void config_changes_add(struct config_changes *c, const struct config_change *ch)
{
	put(c, "E", 1);
	put_str(c, ch->path);
	put_str(c, ch->key);
	put_str(c, ch->from);
	put_num(c, (size_t)ch->existed | (size_t)ch->exists << 1);
	put_num(c, (size_t)ch->row);
	put_num(c, ch->n);
	for (size_t i = 0; i < ch->n; i++) {
		put_str(c, ch->attrs[i].attr);
		put_str(c, ch->attrs[i].old);
	}
}

void config_changes_free(struct config_changes *c)
{
	free(c->buf);
	memset(c, 0, sizeof *c);
}

/* ---- decoding ------------------------------------------------------------ */

struct reader {
	const char *p, *end;
};

/* One string: 1 with *s and *n (*s NULL for "-"), or 0 when malformed. */
static int get_str(struct reader *r, const char **s, size_t *n)
{
	if (r->p < r->end && *r->p == '-') {
		r->p++;
		*s = NULL;
		*n = 0;
		return 1;
	}
	size_t len = 0, digits = 0;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && digits < 10) {
		len = len * 10 + (size_t)(*r->p++ - '0');
		digits++;
	}
	if (!digits || r->p >= r->end || *r->p != ':' || (size_t)(r->end - r->p - 1) < len)
		return 0;
	*s = r->p + 1;
	*n = len;
	r->p = *s + len;
	return 1;
}

static int get_num(struct reader *r, size_t *v, size_t max)
{
	const char *s;
	size_t n, x = 0;
	if (!get_str(r, &s, &n) || !s || n == 0 || n > 15)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		x = x * 10 + (size_t)(s[i] - '0');
	}
	*v = x;
	return x <= max;
}

/* A copy of the next string (NULL for "-"), into owned[]; false when out
 * of memory or malformed. */
static bool take(struct reader *r, char **out, char **owned, size_t *nowned)
{
	const char *s;
	size_t n;
	if (!get_str(r, &s, &n))
		return false;
	*out = s ? strndup(s, n) : NULL;
	owned[(*nowned)++] = *out;
	return !s || *out;
}

/* Skips one record (after its 'E'); false when malformed. */
static bool skip(struct reader *r)
{
	const char *s;
	size_t n, flags, row, count;
	if (!get_str(r, &s, &n) || !get_str(r, &s, &n) || !get_str(r, &s, &n) ||
	    !get_num(r, &flags, 3) || !get_num(r, &row, SIZE_MAX) || !get_num(r, &count, MAX_ATTRS))
		return false;
	for (size_t i = 0; i < 2 * count; i++)
		if (!get_str(r, &s, &n))
			return false;
	return true;
}

/* Decodes the record at r (after its 'E') and hands it to cb. */
static int deliver(struct reader *r, int (*cb)(void *arg, const struct config_change *ch),
		   void *arg)
{
	char *owned[3 + 2 * MAX_ATTRS];
	struct config_change_attr attrs[MAX_ATTRS];
	struct config_change ch = {0};
	char *f[3] = {NULL, NULL, NULL};
	size_t nowned = 0, flags = 0, row = 0, n = 0;
	bool ok = true;

	for (int i = 0; i < 3 && ok; i++)
		ok = take(r, &f[i], owned, &nowned);
	ok = ok && get_num(r, &flags, 3) && get_num(r, &row, SIZE_MAX) && get_num(r, &n, MAX_ATTRS);
	for (size_t i = 0; i < n && ok; i++) {
		char *v[2] = {NULL, NULL};
		for (int j = 0; j < 2 && ok; j++)
			ok = take(r, &v[j], owned, &nowned);
		attrs[i] = (struct config_change_attr){v[0], v[1]};
		ok = ok && v[0];
	}
	int rc = -1;
	if (ok) {
		ch.path = f[0] ? f[0] : "";
		ch.key = f[1] ? f[1] : "";
		ch.from = f[2] ? f[2] : ch.key;
		ch.existed = flags & 1;
		ch.exists = flags & 2;
		ch.row = (long long)row;
		ch.n = n;
		ch.attrs = attrs;
		rc = cb(arg, &ch) ? 1 : 0;
	}
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	return rc;
}

int config_changes_each(const void *buf, size_t len, bool reverse,
			int (*cb)(void *arg, const struct config_change *ch), void *arg)
{
	const char *b = buf;
	size_t *starts = NULL, nrec = 0, cap = 0;
	int rc = -1;

	if (len == 0)
		return 0; /* nothing changed (buf may be NULL) */
	/* First where each record starts (to go in reverse), checking all. */
	struct reader r = {b, b + len};
	while (r.p < r.end) {
		if (*r.p != 'E')
			goto out;
		if (nrec == cap) {
			size_t *s = realloc(starts, (cap = cap ? 2 * cap : 16) * sizeof *s);
			if (!s)
				goto out;
			starts = s;
		}
		starts[nrec++] = (size_t)(r.p - b) + 1;
		r.p++;
		if (!skip(&r))
			goto out;
	}
	rc = 0;
	for (size_t k = 0; k < nrec && rc == 0; k++) {
		struct reader q = {b + starts[reverse ? nrec - 1 - k : k], b + len};
		rc = deliver(&q, cb, arg);
	}
out:
	free(starts);
	return rc;
}
