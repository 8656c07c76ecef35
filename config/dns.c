/* SPDX-License-Identifier: MIT */
/* dns.c - the resolvers of `config system dns` (dns.h). */
#include "config/dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

size_t config_dns_servers(struct config *cfg, struct config_dns_server out[4])
{
	static const char *const attrs[] = {"primary", "secondary", "ip6-primary", "ip6-secondary"};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		char *v = config_read_attr(cfg, "system dns", attrs[i]);
		struct sockaddr_in *a4 = (struct sockaddr_in *)&out[n].addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out[n].addr;
		memset(&out[n], 0, sizeof out[n]);
		out[n].role = attrs[i];
		if (v && i < 2 && inet_pton(AF_INET, v, &a4->sin_addr) == 1 &&
		    a4->sin_addr.s_addr) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons(53);
			out[n++].len = sizeof *a4;
		} else if (v && i >= 2 && inet_pton(AF_INET6, v, &a6->sin6_addr) == 1 &&
			   !IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr)) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons(53);
			out[n++].len = sizeof *a6;
		}
		free(v);
	}
	return n;
}
