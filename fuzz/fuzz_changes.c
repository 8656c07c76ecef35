/* SPDX-License-Identifier: MIT */
/*
 * fuzz_changes.c - the decoder of what a revision changed
 * (config/changes.c): it reads what the store holds, which a damaged or
 * tampered database can make anything.  Whatever the bytes, decoding ends
 * with a record set or -1, never reads past the input, and what it hands
 * over re-encodes to a fixed point.
 */
#include "fuzz/fuzz.h"
#include "config/changes.h"

#include <stdlib.h>
#include <string.h>

static int reencode(void *arg, const struct config_change *ch)
{
	config_changes_add(arg, ch);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_changes c = {0};
	/* A private copy: the decoder must not need a terminator. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	int rc = config_changes_each(copy, size, false, reencode, &c);
	if (rc == 0 && !c.failed) {
		/* What a valid input decodes to re-encodes to a fixed point, in
		 * either order of records. */
		struct config_changes d = {0}, e = {0};
		if (config_changes_each(c.buf, c.len, false, reencode, &d) != 0 || d.len != c.len ||
		    (c.len && memcmp(d.buf, c.buf, c.len) != 0) ||
		    config_changes_each(copy, size, true, reencode, &e) != 0 || e.len != c.len)
			abort();
		config_changes_free(&d);
		config_changes_free(&e);
	}
	config_changes_free(&c);
	free(copy);
	return 0;
}
