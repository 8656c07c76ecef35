/* SPDX-License-Identifier: MIT */
/* dns.h - the resolvers of `config system dns`. */
#ifndef APPSH_CONFIG_DNS_H
#define APPSH_CONFIG_DNS_H

#include <stddef.h>
#include <sys/socket.h>

#include "config/config.h"

struct config_dns_server {
	struct sockaddr_storage addr; /* port 53 */
	socklen_t len;
	const char *role; /* the attribute it came from: "primary", "ip6-secondary" */
};

/* Fills out[] with the configured servers in the order primary,
 * secondary, ip6-primary, ip6-secondary; unset ones (0.0.0.0, ::) are
 * skipped.  Returns how many were filled (0 to 4). */
size_t config_dns_servers(struct config *cfg, struct config_dns_server out[4]);

#endif
