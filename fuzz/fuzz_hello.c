/* SPDX-License-Identifier: MIT */
/*
 * fuzz_hello.c - libFuzzer target for the ServerHello reader of the TLS
 * diagnosis (smtp_conn_server_hello_version, smtp/conn.c): the bytes come
 * from the server, as OpenSSL's message callback passes them on.
 *
 * Each input is one handshake message.  The reader must stay within it
 * (ASan watches an exact-size copy) and answer 0 for anything shorter than
 * the legacy version field, a 16-bit value otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "smtp/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *m = malloc(size ? size : 1);
	if (!m)
		return 0;
	memcpy(m, data, size);
	int v = smtp_conn_server_hello_version(m, size);
	if ((size < 6 && v != 0) || v < 0 || v > 0xffff)
		abort();
	free(m);
	return 0;
}
