/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tftp.c - libFuzzer target for the TFTP packet parser (diag/tftp.c):
 * each input is one datagram as a server might send it.  A packet that
 * parses must say what RFC 1350 allows: DATA with at most 512 bytes
 * inside the input, ACK of exactly 4 bytes, ERROR with a printable
 * NUL-terminated message; anything else is refused.  No state: a crash
 * reproduces alone (build-fuzz/fuzz/fuzz_tftp crash-<sha1>).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "net/tftp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_packet p;
	if (tftp_parse(data, size, &p) != 0)
		return 0;
	switch (p.op) {
	case TFTP_DATA:
		if (p.len > TFTP_BLOCK || p.data != data + 4 || p.len != size - 4)
			abort();
		break;
	case TFTP_ACK:
		if (size != 4)
			abort();
		break;
	case TFTP_ERROR:
		if (!memchr(p.msg, '\0', sizeof p.msg))
			abort();
		for (const char *c = p.msg; *c; c++)
			if (*c < 0x20 || *c >= 0x7f)
				abort();
		break;
	default:
		abort(); /* RRQ, WRQ or unknown opcodes must not parse */
	}
	return 0;
}
