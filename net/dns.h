/* SPDX-License-Identifier: MIT */
/*
 * dns.h - a small stub resolver that asks the servers of `system dns`
 * (not /etc/resolv.conf), so the diagnostics see what the appliance would
 * see, and can tell the operator which server answered and how.
 */
#ifndef APPSH_NET_DNS_H
#define APPSH_NET_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum dns_type { DNS_A = 1, DNS_MX = 15, DNS_AAAA = 28 };

enum dns_status {
	DNS_OK,		 /* at least one answer */
	DNS_NXDOMAIN,	 /* the name does not exist (RCODE 3) */
	DNS_NODATA,	 /* the name exists but has no record of that type */
	DNS_SERVFAIL,	 /* the server failed (RCODE 2) */
	DNS_REFUSED,	 /* the server refused (RCODE 5) */
	DNS_TIMEOUT,	 /* no server answered in time */
	DNS_UNREACHABLE, /* sending failed: no route, network unreachable, ICMP refusal */
	DNS_NO_SERVER,	 /* no server configured */
	DNS_BAD_REPLY,	 /* an answer we could not parse, or the wrong ID/question */
	DNS_BAD_NAME,	 /* the name is not a valid DNS name */
};

const char *dns_status_text(enum dns_status s); /* "NXDOMAIN (no such name)", ... */

struct dns_server {
	struct sockaddr_storage addr; /* IPv4 or IPv6, port included (53 normally) */
	socklen_t len;
};

struct dns_answer {
	enum dns_status status;
	int answered_by;     /* index into the server list, or -1 */
	unsigned elapsed_ms; /* from the first query to the answer (or the give-up) */
	int sys_errno;	     /* for DNS_UNREACHABLE */
	/* What each server asked said, in order (servers past an answer
	 * were not asked): the diagnosis names the resolver at fault. */
	size_t ntried;
	struct dns_try {
		enum dns_status status; /* DNS_UNREACHABLE with ECONNREFUSED: port 53 closed */
		int sys_errno;
		unsigned ms;
	} tried[8];
	size_t n; /* records */
	struct dns_record {
		enum dns_type type;
		uint32_t ttl;
		char text[256]; /* the address as text, or "10 mx.example.com" for MX */
		struct sockaddr_storage addr; /* A/AAAA: the address (port 0) */
	} rec[16];
};

/*
 * Asks servers[0..n) in order for name/type, each with timeout_ms, over UDP
 * (and TCP when the reply is truncated).  An IP literal as name answers
 * itself without a query.  Returns the status also stored in ans->status.
 */
enum dns_status dns_query(const struct dns_server *servers, size_t n, const char *name,
			  enum dns_type type, int timeout_ms, struct dns_answer *ans);

#endif
