/* SPDX-License-Identifier: MIT */
/*
 * resolve.h - host names through the servers of `config system dns`, the
 * way the appliance resolves them: one resolver for the mail daemon and
 * the probing commands (the mail test reports each answer itself).
 */
#ifndef APPSH_DIAG_RESOLVE_H
#define APPSH_DIAG_RESOLVE_H

#include <stddef.h>

#include "config/config.h"
#include "net/dns.h"

/*
 * Fills out[] with the configured servers, port 53, in the order primary,
 * secondary, ip6-primary, ip6-secondary; unset ones are skipped.  When
 * roles is not NULL, roles[i] names the attribute out[i] came from
 * ("primary", ...).  Returns how many were filled (0 to 4).
 */
size_t diag_dns_servers(struct config *cfg, struct dns_server out[4], const char *roles[4]);

/* The server's address as text, without the port. */
void diag_dns_server_text(const struct dns_server *s, char *buf, size_t len);

/*
 * host -> up to max addresses (port 0): an address literal as is, else
 * the A records (AF_INET), the AAAA records (AF_INET6), or the A then the
 * AAAA records (AF_UNSPEC) from the configured servers, each asked with
 * timeout_ms.  Returns how many (at least 1), or 0 with why the name has
 * no address, to follow "<host>: " ("no DNS server is configured (config
 * system dns)", "NXDOMAIN (no such name)", "it is an IPv6 address").
 */
size_t diag_resolve(struct config *cfg, const char *host, int family, int timeout_ms,
		    struct sockaddr_storage *out, size_t max, char *why, size_t whylen);

/* The same, and when no address came of it, the failed answer (with what
 * each server said: dns_answer.tried) in *failed, for the diagnosis. */
size_t diag_resolve_dns(struct config *cfg, const char *host, int family, int timeout_ms,
			struct sockaddr_storage *out, size_t max, char *why, size_t whylen,
			struct dns_answer *failed);

#endif
