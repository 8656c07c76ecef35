/* SPDX-License-Identifier: MIT */
/*
 * gather.h - evidence for the classifier (verdict.h) that the mail server
 * test and fazmaild collect the same way: the settings of a `system mail`
 * entry, the resolvers asked, and, after a server that stayed silent
 * where its greeting belongs, a TLS handshake on the same port.
 */
#ifndef APPSH_DIAG_GATHER_H
#define APPSH_DIAG_GATHER_H

#include "net/dns.h"
#include "config/mail.h"
#include "diag/verdict.h"

/* The settings part of ev (pointers into c, which must outlive ev, and
 * into ssl, a buffer for the TLS floor's text). */
void diag_gather_settings(struct diag_evidence *ev, const struct config_mail *c,
			  const char *helo_name, char *ssl, size_t ssllen);

/* The resolvers' addresses as text into ev->resolver. */
void diag_gather_resolvers(struct diag_evidence *ev, const struct dns_server *servers, size_t n);

/*
 * A real implicit-TLS server waits silently for a ClientHello, so a plain
 * client only sees a greeting that never comes.  When err is such a
 * silence (and cfg did not use TLS from the first byte), tries one TLS
 * handshake on the same address and port, without verification, within
 * timeout_ms: 1 when the server answered it, 0 when not; -1 when err is
 * not a silent greeting.
 */
int diag_gather_implicit_tls(const struct smtp_config *cfg, const struct smtp_error *err,
			     int timeout_ms);

/*
 * After a handshake that found no version in common and where the server
 * never said which it would take: one more handshake (no verification,
 * no mail) that allows TLS 1.0 and later, to learn the best version the
 * server speaks.  TLS1_VERSION..TLS1_3_VERSION, or 0 when unknown.
 */
int diag_gather_tls_best(const struct smtp_config *cfg, const struct smtp_error *err,
			 int timeout_ms);

#endif
