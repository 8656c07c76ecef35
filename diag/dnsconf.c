/* SPDX-License-Identifier: MIT */
/* dnsconf.c - the servers of `config system dns` (see dnsconf.h). */
#include "diag/dnsconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cli/session.h"
#include "schema/schema.h"

size_t diag_dns_servers(struct cli *cli, struct dns_server out[4], const char *roles[4])
{
	const struct schema_node *dns = schema_lookup("system dns");
	static const char *const attrs[] = {"primary", "secondary", "ip6-primary", "ip6-secondary"};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		char *v = cli_object_value(cli, "system dns", dns, attrs[i]);
		struct sockaddr_in *a4 = (struct sockaddr_in *)&out[n].addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out[n].addr;
		memset(&out[n], 0, sizeof out[n]);
		if (roles)
			roles[n] = attrs[i];
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

void diag_dns_server_text(const struct dns_server *s, char *buf, size_t len)
{
	const void *ip = s->addr.ss_family == AF_INET6
				 ? (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr
				 : (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr;
	if (!inet_ntop(s->addr.ss_family, ip, buf, (socklen_t)len) && len)
		buf[0] = '\0';
}
