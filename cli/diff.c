/* SPDX-License-Identifier: MIT */
/* diff.c - a unified diff by patience matching (diff.h). */
#include "cli/diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gaps up to this many cells (lines of a times lines of b) get the exact
 * longest common subsequence: 16 MB of table at most. */
#define LCS_MAX 4000000

/* The edit script: for each line of a, whether it is kept (matched to a
 * line of b); likewise for b.  The unified output is made from these. */
struct diff {
	char *const *a, *const *b;
	unsigned char *keep_a, *keep_b;
	bool failed;
};

static uint64_t hash_line(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* A line's counts on each side within the current ranges. */
struct slot {
	const char *line; /* NULL: empty slot */
	uint64_t hash;
	size_t na, nb;
	size_t ia, ib; /* where it is, when it occurs once */
};

/* Exact LCS for a small gap (n * m bounded by the caller). */
static void lcs(struct diff *d, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	size_t n = ahi - alo, m = bhi - blo;
	unsigned *t = calloc((n + 1) * (m + 1), sizeof *t);
	if (!t) {
		d->failed = true;
		return;
	}
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = strcmp(d->a[alo + i], d->b[blo + j]) == 0
					  ? T(i + 1, j + 1) + 1
					  : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (size_t i = 0, j = 0; i < n && j < m;) {
		if (strcmp(d->a[alo + i], d->b[blo + j]) == 0) {
			d->keep_a[alo + i++] = d->keep_b[blo + j++] = 1;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
}

static void patience(struct diff *d, size_t alo, size_t ahi, size_t blo, size_t bhi);

/* Lines unique on both sides, in a's order, and the longest run of them
 * that is increasing in b too: those are kept, the gaps diffed again. */
static void anchor(struct diff *d, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	size_t n = ahi - alo + bhi - blo, cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	struct slot *tab = calloc(cap, sizeof *tab);
	size_t *ma = malloc((ahi - alo) * sizeof *ma), nm = 0;
	if (!tab || !ma) {
		free(tab);
		free(ma);
		d->failed = true;
		return;
	}
	for (int side = 0; side < 2; side++) {
		size_t lo = side ? blo : alo, hi = side ? bhi : ahi;
		char *const *v = side ? d->b : d->a;
		for (size_t i = lo; i < hi; i++) {
			uint64_t h = hash_line(v[i]);
			size_t k = h & (cap - 1);
			while (tab[k].line && (tab[k].hash != h || strcmp(tab[k].line, v[i]) != 0))
				k = (k + 1) & (cap - 1);
			if (!tab[k].line) {
				if (side)
					continue; /* only in b: not an anchor */
				tab[k].line = v[i];
				tab[k].hash = h;
			}
			if (side) {
				tab[k].nb++;
				tab[k].ib = i;
			} else {
				tab[k].na++;
				tab[k].ia = i;
			}
		}
	}
	/* Candidates in a's order. */
	for (size_t i = alo; i < ahi; i++) {
		uint64_t h = hash_line(d->a[i]);
		size_t k = h & (cap - 1);
		while (tab[k].line && (tab[k].hash != h || strcmp(tab[k].line, d->a[i]) != 0))
			k = (k + 1) & (cap - 1);
		if (tab[k].na == 1 && tab[k].nb == 1)
			ma[nm++] = k;
	}
	/* Longest increasing subsequence on ib (patience sorting). */
	size_t *top = malloc((nm + 1) * sizeof *top), *prev = malloc((nm + 1) * sizeof *prev);
	size_t piles = 0;
	if (!top || !prev) {
		d->failed = true;
		nm = 0;
	}
	for (size_t i = 0; i < nm; i++) {
		size_t lo = 0, hi = piles, ib = tab[ma[i]].ib;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (tab[ma[top[mid]]].ib < ib)
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[i] = lo ? top[lo - 1] : SIZE_MAX;
		top[lo] = i;
		if (lo == piles)
			piles++;
	}
	size_t nseq = piles, *seq = malloc((nseq + 1) * sizeof *seq);
	if (!seq)
		d->failed = true;
	else
		for (size_t i = piles ? top[piles - 1] : SIZE_MAX, k = nseq; i != SIZE_MAX;
		     i = prev[i])
			seq[--k] = ma[i];
	if (!seq || nseq == 0) {
		/* No anchor: all changed (a gap this large has no exact answer
		 * at a bearable cost). */
	} else {
		size_t pa = alo, pb = blo;
		for (size_t i = 0; i < nseq; i++) {
			size_t ia = tab[seq[i]].ia, ib = tab[seq[i]].ib;
			d->keep_a[ia] = d->keep_b[ib] = 1;
			patience(d, pa, ia, pb, ib);
			pa = ia + 1;
			pb = ib + 1;
		}
		patience(d, pa, ahi, pb, bhi);
	}
	free(seq);
	free(top);
	free(prev);
	free(ma);
	free(tab);
}

static void patience(struct diff *d, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	while (alo < ahi && blo < bhi && strcmp(d->a[alo], d->b[blo]) == 0)
		d->keep_a[alo++] = d->keep_b[blo++] = 1;
	while (alo < ahi && blo < bhi && strcmp(d->a[ahi - 1], d->b[bhi - 1]) == 0)
		d->keep_a[--ahi] = d->keep_b[--bhi] = 1;
	if (alo < ahi && blo < bhi && !d->failed) {
		/* Small enough for the exact answer; anchors only for the big. */
		if ((ahi - alo) * (bhi - blo) <= LCS_MAX)
			lcs(d, alo, ahi, blo, bhi);
		else
			anchor(d, alo, ahi, blo, bhi);
	}
}

/* Slides each run of changed lines of one side as far down as its text
 * allows (a run of inserted lines followed by a kept copy of its first
 * line can move one down), as GNU diff does: an inserted block then ends
 * on the same line it would in `diff -u`, and the output reads the same. */
static void slide(char *const *v, unsigned char *keep, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (keep[i]) {
			i++;
			continue;
		}
		size_t start = i, end = i;
		while (end < n && !keep[end])
			end++;
		while (end < n && strcmp(v[start], v[end]) == 0) {
			keep[start++] = 1;
			keep[end++] = 0;
			while (end < n && !keep[end]) /* joined the next run */
				end++;
		}
		i = end;
	}
}

/* Prints one hunk: a[ia..ea) and b[ib..eb), which start and end on kept
 * lines or the texts' ends. */
static void hunk(struct cli_out *out, const struct diff *d, size_t ia, size_t ea, size_t ib,
		 size_t eb)
{
	cli_out_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ea > ia ? ia + 1 : ia, ea - ia,
		       eb > ib ? ib + 1 : ib, eb - ib);
	while (ia < ea || ib < eb) {
		if (ia < ea && !d->keep_a[ia]) {
			cli_out_printf(out, "-%s\n", d->a[ia++]);
		} else if (ib < eb && !d->keep_b[ib]) {
			cli_out_printf(out, "+%s\n", d->b[ib++]);
		} else {
			cli_out_printf(out, " %s\n", d->a[ia]);
			ia++;
			ib++;
		}
	}
}

long cli_diff(struct cli_out *out, const char *label_a, char *const *a, size_t na,
	      const char *label_b, char *const *b, size_t nb, int context)
{
	struct diff d = {a, b, calloc(na + 1, 1), calloc(nb + 1, 1), false};
	long changed = 0;
	if (!d.keep_a || !d.keep_b)
		d.failed = true;
	else
		patience(&d, 0, na, 0, nb);
	if (!d.failed) {
		slide(a, d.keep_a, na);
		slide(b, d.keep_b, nb);
	}
	if (d.failed) {
		free(d.keep_a);
		free(d.keep_b);
		return -1;
	}
	/* Walk both sides in step; a change starts a hunk that runs until
	 * more than 2 * context kept lines follow it. */
	size_t i = 0, j = 0;
	bool header = false;
	while (i < na || j < nb) {
		if (i < na && j < nb && d.keep_a[i] && d.keep_b[j]) {
			i++;
			j++;
			continue;
		}
		size_t back = 0;
		while (back < (size_t)context && i - back > 0 && j - back > 0)
			back++;
		size_t hi = i - back, hj = j - back, run = 0;
		while ((i < na || j < nb) && run <= 2 * (size_t)context) {
			if (i < na && !d.keep_a[i]) {
				i++, changed++, run = 0;
			} else if (j < nb && !d.keep_b[j]) {
				j++, changed++, run = 0;
			} else {
				i++, j++, run++;
			}
		}
		/* Keep `context` lines after the last change. */
		size_t extra = run > (size_t)context ? run - (size_t)context : 0;
		i -= extra;
		j -= extra;
		if (!header) {
			cli_out_printf(out, "--- %s\n+++ %s\n", label_a, label_b);
			header = true;
		}
		hunk(out, &d, hi, i, hj, j);
	}
	free(d.keep_a);
	free(d.keep_b);
	return changed;
}
