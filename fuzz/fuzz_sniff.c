/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sniff.c - libFuzzer target for the sniffer's decoder
 * (diag/sniff_decode.c), which reads whatever arrives on the wire.
 *
 * Input: byte 0 picks the link type, byte 1 the verbosity (1-6) and the
 * time format, the rest is the captured packet, copied to a buffer of
 * exactly its size so that ASan catches any read past it.  Checked:
 *   - the text fits sniff_text_max() (never cut at the advertised size),
 *     is NUL-terminated at the returned length, and ends with a newline;
 *   - the parsed view points inside the packet;
 *   - the same packet formatted into a short buffer is a prefix of the
 *     full text, cut and terminated within that buffer.
 * Any violation prints what failed and aborts.  No state is kept between
 * inputs:  build-fuzz/fuzz/fuzz_sniff crash-<sha1>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "net/sniff_decode.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_sniff: %s\n", what);
	abort();
}

static const char *name_of(void *ctx, unsigned index)
{
	(void)ctx;
	return index % 3 == 0 ? NULL : index % 3 == 1 ? "port1" : "a-long-name-15c";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = {SNIFF_LINK_EN10MB, SNIFF_LINK_SLL,	SNIFF_LINK_SLL2,
				    SNIFF_LINK_RAW,    SNIFF_LINK_IPV4, SNIFF_LINK_IPV6};
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 1};
	if (size < 2)
		return 0;
	struct sniff_fmt f = {
		.linktype = links[data[0] % (sizeof links / sizeof links[0])],
		.verbose = 1 + data[1] % 6,
		.ts = (enum sniff_ts)(data[1] / 6 % 3),
		.ifname = data[0] & 0x80 ? "port2" : NULL,
		.own_mac = data[0] & 0x40 ? mac : NULL,
		.ifname_of = name_of,
	};
	size_t len = size - 2;
	uint8_t *pkt = malloc(len ? len : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + 2, len);

	struct sniff_parsed p;
	sniff_parse(f.linktype, pkt, len, f.own_mac, &p);
	if (p.net && (p.net < pkt || p.net + p.net_cap != pkt + len))
		fail("the network header is outside the packet");
	if (p.link_len > len)
		fail("the link header is longer than the packet");

	size_t max = sniff_text_max(len);
	char *text = malloc(max);
	struct timeval ts = {(long)data[1] << 24, data[0] * 3907};
	if (!text) {
		free(pkt);
		return 0;
	}
	size_t n = sniff_format(&f, &ts, pkt, len, text, max);
	if (n + 1 >= max)
		fail("the text filled sniff_text_max(): it may have been cut");
	if (text[n] != '\0' || strlen(text) != n)
		fail("the length returned is not the text's");
	if (n == 0 || text[n - 1] != '\n')
		fail("the text does not end with a newline");

	char small[40];
	size_t cut = 1 + data[0] % sizeof small;
	memset(small, 0x55, sizeof small);
	size_t m = sniff_format(&f, &ts, pkt, len, small, cut);
	if (m >= cut || small[m] != '\0' || memcmp(small, text, m) != 0)
		fail("the text in a short buffer is not a cut of the full one");
	for (size_t i = cut; i < sizeof small; i++)
		if ((unsigned char)small[i] != 0x55)
			fail("a short buffer was written past its size");
	free(text);
	free(pkt);
	return 0;
}
