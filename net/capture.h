/* SPDX-License-Identifier: MIT */
/*
 * capture.h - opening a libpcap capture the way the sniffer and the mail
 * test's evidence collector both need it: immediate mode (packets are
 * handed over as they come, not in blocks after a timeout; testenv.md §4),
 * a BPF filter, non-blocking reads, and errors sorted into the kinds an
 * operator can act on.
 */
#ifndef APPSH_NET_CAPTURE_H
#define APPSH_NET_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum capture_error {
	CAPTURE_OK,
	CAPTURE_E_NODEV,  /* no such interface (the message lists the ones there are) */
	CAPTURE_E_PERM,	  /* not root / no CAP_NET_RAW */
	CAPTURE_E_FILTER, /* the filter does not compile: libpcap's own words */
	CAPTURE_E_OTHER,
};

struct capture_opts {
	const char *ifname; /* an interface or "any" */
	const char *filter; /* BPF, or NULL for everything */
	int snaplen;	    /* bytes kept per packet */
	int buffer_bytes;   /* the kernel ring; 0: libpcap's default */
	bool promisc;
};

/*
 * Opens and activates a capture, non-blocking.  "any" is asked for the
 * cooked v2 header (it names the interface of each packet).  Returns NULL
 * with *kind and a one-line message in err on failure.
 */
pcap_t *capture_open(const struct capture_opts *o, enum capture_error *kind, char *err,
		     size_t errlen);

/* The interface's hardware address (6 bytes) for telling in from out on
 * Ethernet; false when it has none (lo, tun, "any"). */
bool capture_own_mac(const char *ifname, uint8_t mac[6]);

#endif
