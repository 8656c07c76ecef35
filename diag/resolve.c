/* SPDX-License-Identifier: MIT */
/* resolve.c - host names through `config system dns` (resolve.h). */
#include "diag/resolve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/dns.h"

size_t diag_dns_servers(struct config *cfg, struct dns_server out[4], const char *roles[4])
{
	struct config_dns_server s[4];
	size_t n = config_dns_servers(cfg, s);
	for (size_t i = 0; i < n; i++) {
		out[i].addr = s[i].addr;
		out[i].len = s[i].len;
		if (roles)
			roles[i] = s[i].role;
	}
	return n;
}

void diag_dns_server_text(const struct dns_server *s, char *buf, size_t len)
{
	const void *ip = s->addr.ss_family == AF_INET6
				 ? (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr
				 : (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr;
	if (!inet_ntop(s->addr.ss_family, ip, buf, (socklen_t)len) && len)
		buf[0] = '\0';
}

/* An address literal of family (AF_UNSPEC: either) into *out: 1, 0 when
 * host is not one, -1 when it is one of the other family. */
static int literal(const char *host, int family, struct sockaddr_storage *out)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		return family == AF_INET6 ? -1 : 1;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		return family == AF_INET ? -1 : 1;
	}
	return 0;
}

size_t diag_resolve(struct config *cfg, const char *host, int family, int timeout_ms,
		    struct sockaddr_storage *out, size_t max, char *why, size_t whylen)
{
	return diag_resolve_dns(cfg, host, family, timeout_ms, out, max, why, whylen, NULL);
}

size_t diag_resolve_dns(struct config *cfg, const char *host, int family, int timeout_ms,
			struct sockaddr_storage *out, size_t max, char *why, size_t whylen,
			struct dns_answer *failed)
{
	struct dns_server servers[4];
	size_t n = 0;

	int lit = max ? literal(host, family, out) : 0;
	if (lit == 1)
		return 1;
	if (lit < 0) {
		snprintf(why, whylen, "it is an %s address", family == AF_INET ? "IPv6" : "IPv4");
		return 0;
	}
	size_t ns = diag_dns_servers(cfg, servers, NULL);
	if (failed) {
		memset(failed, 0, sizeof *failed);
		failed->status = DNS_NO_SERVER;
	}
	if (ns == 0) {
		snprintf(why, whylen, "no DNS server is configured (config system dns)");
		return 0;
	}
	struct dns_answer *ans = malloc(sizeof *ans);
	if (!ans) {
		snprintf(why, whylen, "out of memory");
		return 0;
	}
	enum dns_type types[2] = {family == AF_INET6 ? DNS_AAAA : DNS_A, DNS_AAAA};
	int ask = family == AF_UNSPEC ? 2 : 1;
	for (int k = 0; k < ask && n == 0; k++) {
		dns_query(servers, ns, host, types[k], timeout_ms, ans);
		for (size_t i = 0; ans->status == DNS_OK && i < ans->n && n < max; i++)
			if (ans->rec[i].type == types[k])
				out[n++] = ans->rec[i].addr;
		if (n == 0)
			snprintf(why, whylen, "%s",
				 ans->status == DNS_OK ? "no address in the answer"
						       : dns_status_text(ans->status));
		if (n == 0 && k == 0 && failed)
			*failed = *ans; /* the first failure is the one reported */
		/* Another question would only repeat the same failure. */
		if (ans->status == DNS_NXDOMAIN || ans->status == DNS_TIMEOUT ||
		    ans->status == DNS_UNREACHABLE)
			break;
	}
	free(ans);
	return n;
}
