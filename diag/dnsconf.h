/* SPDX-License-Identifier: MIT */
/*
 * dnsconf.h - the servers of `config system dns`, as the stub resolver
 * (diag/dns.h) wants them.  Shared by the mail test and nslookup.
 */
#ifndef APPSH_DIAG_DNSCONF_H
#define APPSH_DIAG_DNSCONF_H

#include <stddef.h>

#include "diag/dns.h"

struct cli;

/*
 * Fills out[] with the configured servers, port 53, in the order primary,
 * secondary, ip6-primary, ip6-secondary; unset ones (0.0.0.0, ::) are
 * skipped.  When roles is not NULL, roles[i] names the attribute out[i]
 * came from ("primary", ...).  Returns how many were filled (0 to 4).
 */
size_t diag_dns_servers(struct cli *cli, struct dns_server out[4], const char *roles[4]);

/* The server's address as text, without the port. */
void diag_dns_server_text(const struct dns_server *s, char *buf, size_t len);

#endif
