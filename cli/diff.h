/* SPDX-License-Identifier: MIT */
/*
 * diff.h - a unified diff of two texts, as lines (diff -u's format), for
 * `execute revision diff`.  Patience diff (lines that occur once on each
 * side anchor the match, then each gap is diffed again), so configuration
 * blocks line up by their unique `edit "key"` lines and the cost stays
 * near-linear on large texts; gaps small enough get the exact longest
 * common subsequence.
 */
#ifndef APPSH_CLI_DIFF_H
#define APPSH_CLI_DIFF_H

#include <stddef.h>

#include "cli/output.h"

/* Prints the diff from a[0..na) to b[0..nb) with `context` lines around
 * each change, under "--- label_a" and "+++ label_b".  Nothing when the
 * texts are equal.  Returns the number of changed lines, or -1 when out
 * of memory. */
long cli_diff(struct cli_out *out, const char *label_a, char *const *a, size_t na,
	      const char *label_b, char *const *b, size_t nb, int context);

#endif
