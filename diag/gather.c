/* SPDX-License-Identifier: MIT */
/* gather.c - see gather.h. */
#include "diag/gather.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>

void diag_gather_settings(struct diag_evidence *ev, const struct config_mail *c,
			  const char *helo_name, char *ssl, size_t ssllen)
{
	static const enum smtp_security sec[] = {
		[CONFIG_MAIL_DEFAULT] = SMTP_SEC_DEFAULT,
		[CONFIG_MAIL_NONE] = SMTP_SEC_NONE,
		[CONFIG_MAIL_STARTTLS] = SMTP_SEC_STARTTLS,
		[CONFIG_MAIL_SMTPS] = SMTP_SEC_SMTPS,
	};
	ev->server = c->server;
	ev->port = c->port;
	ev->sec = sec[c->sec];
	ev->auth = c->auth;
	ev->auth_cert = c->cert;
	ev->user = c->user;
	ev->local_cert = c->local_cert;
	snprintf(ssl, ssllen, "%s%s", c->ssl_protocol ? c->ssl_protocol : "tlsv1.2",
		 c->ssl_from && strcmp(c->ssl_from, "ssl-protocol") ? " (global-ssl-protocol)"
								    : "");
	ev->ssl_protocol = ssl;
	ev->helo_name = helo_name;
	ev->implicit_tls = -1;
}

void diag_gather_resolvers(struct diag_evidence *ev, const struct dns_server *servers, size_t n)
{
	ev->nresolvers = 0;
	for (size_t i = 0; i < n && i < sizeof ev->resolver / sizeof ev->resolver[0]; i++) {
		const struct sockaddr_storage *a = &servers[i].addr;
		const void *ip =
			a->ss_family == AF_INET6
				? (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr
				: (const void *)&((const struct sockaddr_in *)a)->sin_addr;
		if (!inet_ntop(a->ss_family, ip, ev->resolver[i], sizeof ev->resolver[i]))
			snprintf(ev->resolver[i], sizeof ev->resolver[i], "?");
		ev->nresolvers++;
	}
}

int diag_gather_implicit_tls(const struct smtp_config *cfg, const struct smtp_error *err,
			     int timeout_ms)
{
	if (err->stage != SMTP_GREETING || err->cls != SMTP_E_TIMEOUT || err->got_bytes ||
	    cfg->security == SMTP_SEC_SMTPS)
		return -1;
	/* Only what makes a handshake: no hooks, no AUTH, no verification (a
	 * certificate problem would still be an answer in TLS). */
	struct smtp_config probe = {
		.host = cfg->host,
		.port = cfg->port,
		.addrs = cfg->addrs,
		.naddrs = cfg->naddrs,
		.security = SMTP_SEC_SMTPS,
		.tls_min_version = cfg->tls_min_version,
		.no_verify = true,
		.helo_name = cfg->helo_name,
		.cancelled = cfg->cancelled,
		.hook_arg = cfg->hook_arg,
	};
	int t = timeout_ms < 5000 ? timeout_ms : 5000;
	for (int i = 0; i < SMTP_STAGES; i++)
		probe.timeout_ms[i] = t;
	probe.timeout_ms[SMTP_GREETING] = 1; /* the handshake is the answer */
	struct smtp_session *s;
	struct smtp_error e;
	if (smtp_open(&probe, &s, &e) == 0) {
		smtp_close(s);
		return 1;
	}
	return e.stage > SMTP_TLS || (e.seen.tls.tried && e.seen.tls.server_version) ? 1 : 0;
}

int diag_gather_tls_best(const struct smtp_config *cfg, const struct smtp_error *err,
			 int timeout_ms)
{
	const struct smtp_tls_seen *t = &err->seen.tls;
	if (err->stage != SMTP_TLS || !t->tried || t->server_version ||
	    t->min_version <= TLS1_VERSION || !(t->alert_received == 70 || t->alert_sent == 70))
		return 0;
	struct smtp_config probe = {
		.host = cfg->host,
		.port = cfg->port,
		.addrs = cfg->addrs,
		.naddrs = cfg->naddrs,
		.security = cfg->security,
		.tls_min_version = TLS1_VERSION,
		.no_verify = true,
		.helo_name = cfg->helo_name,
		.cancelled = cfg->cancelled,
		.hook_arg = cfg->hook_arg,
	};
	int tmo = timeout_ms < 5000 ? timeout_ms : 5000;
	for (int i = 0; i < SMTP_STAGES; i++)
		probe.timeout_ms[i] = tmo;
	struct smtp_session *s;
	struct smtp_error e;
	if (smtp_open(&probe, &s, &e) != 0)
		return e.seen.tls.server_version;
	static const struct {
		const char *name;
		int v;
	} names[] = {{"TLSv1", TLS1_VERSION},
		     {"TLSv1.1", TLS1_1_VERSION},
		     {"TLSv1.2", TLS1_2_VERSION},
		     {"TLSv1.3", TLS1_3_VERSION}};
	int v = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(smtp_session_info(s)->tls_version, names[i].name))
			v = names[i].v;
	smtp_close(s);
	return v;
}
