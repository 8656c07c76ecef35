/* SPDX-License-Identifier: MIT */
/*
 * verdict.h - the one classifier of mail failures, shared by the mail
 * server test and fazmaild.
 *
 * The caller gathers what it saw into a struct diag_evidence (settings,
 * DNS per resolver, the packets of the last connection attempt, the SMTP
 * error with what EHLO offered and what the TLS handshake showed, the
 * timeouts) and diag_verdict_classify() picks the first matching rule of
 * one table (verdict.c) and fills in its texts.  It is a pure function of
 * the evidence: no configuration, no store, no printing.
 */
#ifndef APPSH_DIAG_VERDICT_H
#define APPSH_DIAG_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "net/dns.h"
#include "diag/evidence.h"
#include "smtp/smtp.h"

/* A problem found in the entry before anything was sent. */
enum diag_setting_fault {
	DIAG_SET_OK,
	DIAG_SET_NO_SERVER,   /* server is empty */
	DIAG_SET_NO_USER,     /* auth enable, password auth, user empty */
	DIAG_SET_NO_CERT,     /* auth-type certificate without local-cert */
	DIAG_SET_CERT_LOAD,   /* the local certificate or a CA cannot be loaded */
	DIAG_SET_NO_ENTRY,    /* fazmaild: no `system mail` entry to use */
	DIAG_SET_INTERRUPTED, /* Ctrl-C */
};

struct diag_evidence {
	/* The settings the verdict may depend on. */
	const char *server; /* as configured */
	unsigned port;
	enum smtp_security sec;
	bool auth, auth_cert; /* auth enable; auth-type certificate */
	const char *user, *local_cert;
	const char *ssl_protocol; /* the TLS floor's setting, "tlsv1.2" */
	const char *helo_name;	  /* the name EHLO says (system global hostname) */
	int timeout_ms;		  /* per step */
	const char *timeout_from; /* where that came from: "the test's timeout argument" */
	time_t now;
	enum diag_setting_fault setting;
	const char *setting_detail; /* the reason, for DIAG_SET_CERT_LOAD */

	/* DNS through `system dns`: the resolvers, then the answer for A (and
	 * AAAA).  dns_failed: no address came of it. */
	size_t nresolvers;
	char resolver[8][64];
	bool dns_failed;
	const struct dns_answer *dns;

	/* The last connection attempt: its address and what the packets
	 * showed (wire.captured false without a capture). */
	char addr[64];
	struct evidence_wire wire;

	/* The SMTP failure (NULL when it never got that far). */
	const struct smtp_error *err;
	/* After a silent greeting: did a TLS handshake on the same port
	 * work?  1 yes (an implicit-TLS port), 0 no, -1 not tried. */
	int implicit_tls;
	/* After no common TLS version: the best the server speaks, learnt
	 * by a second handshake that allows TLS 1.0 and later (0 unknown). */
	int tls_best;
};

struct diag_verdict {
	const char *rule;  /* the rule's name, = its category */
	const char *layer; /* "DNS", "TCP", "greeting", ..., "RCPT TO" */
	int rc;		   /* the appliance's return code: 3 connect, 6 auth, 5 other */
	char verdict[768]; /* what went wrong, in words */
	char hint[768];	   /* the setting to change, or who must act */
};

/* Classifies a failure; never fails (the last rules catch everything). */
void diag_verdict_classify(const struct diag_evidence *ev, struct diag_verdict *out);

/* "net unreachable", "administratively prohibited", ... for an ICMP or
 * ICMPv6 error. */
const char *diag_icmp_name(int family, unsigned type, unsigned code);

/* "TLS 1.2" for TLS1_2_VERSION, "SSL 3.0", ... */
const char *diag_tls_version_name(int version);

/* The layer an SMTP stage is reported at: "TCP", "greeting", "EHLO",
 * "TLS", "AUTH", or the stage's own name. */
const char *diag_layer_of(enum smtp_stage stage);

#endif
