/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - see verdict.h.
 *
 * Two steps.  facts_of() turns the evidence into a set of yes/no facts
 * (F_*: "the server sent RST", "STARTTLS was offered in clear", "the TLS
 * server asked for a client certificate"...).  Then the first rule of the
 * table whose conditions hold names the failure: a rule may ask for SMTP
 * stages, error classes, a reply-code range, an enhanced-status prefix,
 * words of the reply, and facts that must or must not hold.  Its texts
 * are templates: {name} is replaced by a piece of the evidence (expand()).
 *
 * The order of the table is the judgement: specific before general, the
 * evidence of the packets before the errno, what the server offered
 * before our own policy, and a catch-all per layer at the end.  A rule's
 * name is its category, shown to the operator in brackets and checked by
 * the tests.
 */
#include "diag/verdict.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- facts ---------------------------------------------------------------- */

enum fact {
	/* settings, DNS */
	F_SET_NO_SERVER,
	F_SET_NO_USER,
	F_SET_NO_CERT,
	F_SET_CERT_LOAD,
	F_SET_NO_ENTRY,
	F_INTERRUPTED,
	F_DNS_FAILED,
	F_DNS_NONE, /* no resolver configured */
	F_DNS_NXDOMAIN,
	F_DNS_NODATA,
	F_DNS_SERVFAIL, /* SERVFAIL, REFUSED or an unreadable reply from one */
	F_DNS_CLOSED,	/* a resolver's port 53 is closed (ICMP port unreachable) */
	F_DNS_SILENT,	/* every resolver asked stayed silent */
	F_DNS_NET,	/* a resolver cannot be reached (no route, prohibited) */
	/* TCP: the packets, then errno */
	F_CAPTURED,
	F_RST,
	F_ICMP,
	F_ICMP_NET,
	F_ICMP_HOST,
	F_ICMP_PORT,
	F_ICMP_ADMIN,
	F_ICMP_TTL,
	F_ICMP_SELF,  /* the ICMP error came from this appliance itself */
	F_NEIGH_DEAD, /* on our own subnet, and ARP/ND went unanswered */
	F_SYN_SILENT, /* SYNs sent, nothing back */
	F_PING_OK,
	F_NO_SYN,
	F_E_REFUSED,
	F_E_NETUNREACH,
	F_E_HOSTUNREACH,
	/* the settings */
	F_AUTH,
	F_AUTH_CERT,
	F_SEC_NONE,
	F_SEC_SMTPS,
	F_PORT_465,
	/* SMTP */
	F_SMTP,
	F_GOT_BYTES,
	F_IMPLICIT_TLS,	    /* the probe: this port speaks TLS from the first byte */
	F_STARTTLS_OFFERED, /* in clear */
	F_MECHS_PLAIN,	    /* AUTH offered in clear */
	F_MECHS_TLS,	    /* AUTH offered after TLS */
	F_MECHS_USABLE,	    /* PLAIN, LOGIN or CRAM-MD5 among those offered */
	F_TLS_UP,	    /* the connection had TLS when it failed */
	F_TLS_TRIED,
	F_SERVER_HELLO,	    /* the server chose a version */
	F_TLS_VERSION,	    /* no version in common */
	F_TLS_ALERT,	    /* the server sent an alert */
	F_TLS_HS_FAILURE,   /* ... handshake_failure */
	F_TLS_CERT_ALERT,   /* ... about our certificate */
	F_TLS_SERVER_ERR,   /* ... internal_error */
	F_TLS_CERT_REQ,	    /* the server asked for a client certificate */
	F_TLS_PLAIN_ANSWER, /* our ClientHello was answered in plain text */
	F_VERIFY,	    /* the server's certificate failed verification */
	F_VERIFY_NAME,
	F_VERIFY_DATES,
	F_VERIFY_CA,
	F_VERIFY_SELF,
	F_LAST
};
typedef uint64_t factset;
#define B(f) ((factset)1 << (f))
_Static_assert(F_LAST <= 64, "facts fit a 64-bit set");

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && (p = strcasestr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static bool usable_mechs(const char *mechs)
{
	return has_word(mechs, "PLAIN") || has_word(mechs, "LOGIN") || has_word(mechs, "CRAM-MD5");
}

static factset dns_facts(const struct diag_evidence *ev)
{
	const struct dns_answer *a = ev->dns;
	factset f = 0;
	bool all_silent = a && a->ntried > 0;

	if (!ev->dns_failed)
		return 0;
	f |= B(F_DNS_FAILED);
	if (ev->nresolvers == 0 || !a || a->status == DNS_NO_SERVER)
		return f | B(F_DNS_NONE);
	if (a->status == DNS_NXDOMAIN)
		return f | B(F_DNS_NXDOMAIN);
	if (a->status == DNS_NODATA || a->status == DNS_OK)
		return f | B(F_DNS_NODATA);
	for (size_t i = 0; i < a->ntried; i++) {
		enum dns_status st = a->tried[i].status;
		all_silent = all_silent && st == DNS_TIMEOUT;
		if (st == DNS_SERVFAIL || st == DNS_REFUSED || st == DNS_BAD_REPLY)
			f |= B(F_DNS_SERVFAIL);
		else if (st == DNS_UNREACHABLE && a->tried[i].sys_errno == ECONNREFUSED)
			f |= B(F_DNS_CLOSED);
		else if (st == DNS_UNREACHABLE)
			f |= B(F_DNS_NET);
	}
	return all_silent ? f | B(F_DNS_SILENT) : f;
}

static factset wire_facts(const struct diag_evidence *ev)
{
	const struct evidence_wire *w = &ev->wire;
	factset f = 0;
	if (!w->captured)
		return 0;
	f |= B(F_CAPTURED);
	if (w->rst)
		f |= B(F_RST);
	if (w->on_link && w->neigh_asked && !w->neigh_answered)
		f |= B(F_NEIGH_DEAD);
	if (w->icmp) {
		bool v4 = w->icmp_family == AF_INET;
		unsigned t = w->icmp_type, c = w->icmp_code;
		f |= B(F_ICMP);
		if (w->icmp_from_self)
			f |= B(F_ICMP_SELF);
		if (v4 ? t == 3 && (c == 0 || c == 6 || c == 11) : t == 1 && c == 0)
			f |= B(F_ICMP_NET);
		else if (v4 ? t == 3 && (c == 1 || c == 7 || c == 12)
			    : t == 1 && (c == 3 || c == 2))
			f |= B(F_ICMP_HOST);
		else if (v4 ? t == 3 && c == 3 : t == 1 && c == 4)
			f |= B(F_ICMP_PORT);
		else if (v4 ? t == 3 && (c == 9 || c == 10 || c == 13)
			    : t == 1 && (c == 1 || c == 5 || c == 6))
			f |= B(F_ICMP_ADMIN);
		else if (t == (v4 ? 11u : 3u))
			f |= B(F_ICMP_TTL);
	}
	if (w->syns && !w->synack && !w->rst && !w->icmp)
		f |= B(F_SYN_SILENT);
	if (w->ping == 1)
		f |= B(F_PING_OK);
	if (!w->syns)
		f |= B(F_NO_SYN);
	return f;
}

static bool cert_alert(int a)
{
	/* bad_certificate .. certificate_unknown, unknown_ca, access_denied,
	 * certificate_required */
	return (a >= 42 && a <= 46) || a == 48 || a == 49 || a == 116;
}

static factset tls_facts(const struct smtp_error *e)
{
	const struct smtp_tls_seen *t = &e->seen.tls;
	factset f = 0;
	if (!t->tried)
		return 0;
	f |= B(F_TLS_TRIED);
	if (t->server_version)
		f |= B(F_SERVER_HELLO);
	if (t->cert_request)
		f |= B(F_TLS_CERT_REQ);
	if (t->alert_received >= 0)
		f |= B(F_TLS_ALERT);
	if (t->alert_received == 40)
		f |= B(F_TLS_HS_FAILURE);
	if (cert_alert(t->alert_received))
		f |= B(F_TLS_CERT_ALERT);
	if (t->alert_received == 80)
		f |= B(F_TLS_SERVER_ERR);
	/* No version in common: the server said so (protocol_version), or it
	 * chose one outside what we allow and we said so. */
	if (t->alert_received == 70 || t->alert_sent == 70 ||
	    (t->server_version &&
	     (t->server_version < t->min_version || t->server_version > t->max_version)) ||
	    strcasestr(t->reason, "unsupported protocol") ||
	    strcasestr(t->reason, "protocol version"))
		f |= B(F_TLS_VERSION);
	if (strcasestr(t->reason, "wrong version number") && !t->server_version)
		f |= B(F_TLS_PLAIN_ANSWER);
	switch (e->verify) {
	case X509_V_OK:
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		f |= B(F_VERIFY) | B(F_VERIFY_NAME);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		f |= B(F_VERIFY) | B(F_VERIFY_DATES);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		f |= B(F_VERIFY) | B(F_VERIFY_SELF) | B(F_VERIFY_CA);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		f |= B(F_VERIFY) | B(F_VERIFY_CA);
		break;
	default:
		f |= B(F_VERIFY);
	}
	return f;
}

static factset facts_of(const struct diag_evidence *ev)
{
	const struct smtp_error *e = ev->err;
	factset f = dns_facts(ev) | wire_facts(ev);

	static const enum fact setting[] = {
		[DIAG_SET_NO_SERVER] = F_SET_NO_SERVER, [DIAG_SET_NO_USER] = F_SET_NO_USER,
		[DIAG_SET_NO_CERT] = F_SET_NO_CERT,	[DIAG_SET_CERT_LOAD] = F_SET_CERT_LOAD,
		[DIAG_SET_NO_ENTRY] = F_SET_NO_ENTRY,	[DIAG_SET_INTERRUPTED] = F_INTERRUPTED,
	};
	if (ev->setting != DIAG_SET_OK)
		f |= B(setting[ev->setting]);
	if (ev->auth)
		f |= B(F_AUTH);
	if (ev->auth && ev->auth_cert)
		f |= B(F_AUTH_CERT);
	if (ev->sec == SMTP_SEC_NONE)
		f |= B(F_SEC_NONE);
	if (ev->sec == SMTP_SEC_SMTPS)
		f |= B(F_SEC_SMTPS);
	if (ev->port == 465)
		f |= B(F_PORT_465);
	if (ev->implicit_tls == 1)
		f |= B(F_IMPLICIT_TLS);
	if (!e)
		return f;
	f |= B(F_SMTP) | tls_facts(e);
	if (e->cls == SMTP_E_SYSTEM && e->sys_errno == EINTR)
		f |= B(F_INTERRUPTED);
	if (e->cls == SMTP_E_CONNECT && e->sys_errno == ECONNREFUSED)
		f |= B(F_E_REFUSED);
	if (e->cls == SMTP_E_CONNECT && e->sys_errno == ENETUNREACH)
		f |= B(F_E_NETUNREACH);
	if (e->cls == SMTP_E_CONNECT && e->sys_errno == EHOSTUNREACH)
		f |= B(F_E_HOSTUNREACH);
	if (e->got_bytes)
		f |= B(F_GOT_BYTES);
	if (has_word(e->seen.ehlo_plain, "STARTTLS"))
		f |= B(F_STARTTLS_OFFERED);
	if (*e->seen.mechs_plain)
		f |= B(F_MECHS_PLAIN);
	if (*e->seen.mechs_tls)
		f |= B(F_MECHS_TLS);
	if (usable_mechs(e->seen.mechs_tls) || usable_mechs(e->seen.mechs_plain))
		f |= B(F_MECHS_USABLE);
	if (e->seen.ehlo_tls_done || (e->seen.tls.tried && e->stage > SMTP_TLS))
		f |= B(F_TLS_UP);
	return f;
}

/* ---- the rules ----------------------------------------------------------- */

#define S(st) (1u << (st))
#define S_TX  (S(SMTP_MAIL) | S(SMTP_RCPT) | S(SMTP_DATA) | S(SMTP_BODY))
#define C(c)  (1u << (c))

struct rule {
	const char *name;     /* the category */
	const char *layer;    /* NULL: the layer of the failing SMTP stage */
	unsigned stages;      /* S(): any of these stages (0: any) */
	unsigned classes;     /* C(): any of these error classes (0: any) */
	int code_lo, code_hi; /* the reply code in this range (0: any) */
	const char *words;    /* '|'-separated: one must occur in the reply or detail */
	factset need, deny;   /* facts that must all hold / must all not hold */
	int rc;		      /* 0: from the layer (rc_of) */
	const char *verdict, *hint;
};

/* Placeholders: see expand(). */
static const struct rule rules[] = {
	/* ---- before anything is sent ---- */
	{"interrupted", NULL, .need = B(F_INTERRUPTED), .rc = 5,
	 .verdict = "the test was interrupted (Ctrl-C)", .hint = "run the test again"},
	{"setting-server", "settings", .need = B(F_SET_NO_SERVER),
	 .verdict = "no server is set in this entry",
	 .hint = "set server in config system mail to the mail server's name or address"},
	{"setting-user", "settings", .need = B(F_SET_NO_USER),
	 .verdict = "auth is enabled but user is empty",
	 .hint = "set user (and passwd) in config system mail, or set auth disable"},
	{"setting-local-cert", "settings", .need = B(F_SET_NO_CERT),
	 .verdict = "auth-type certificate is set but local-cert is empty",
	 .hint = "set local-cert in config system mail (execute certificate local import first)"},
	{"setting-certificate", "settings", .need = B(F_SET_CERT_LOAD),
	 .verdict = "{setting_detail}",
	 .hint = "import the certificate (execute certificate local import) or fix local-cert "
		 "in config system mail"},
	{"setting-entry", "settings", .need = B(F_SET_NO_ENTRY), .verdict = "{setting_detail}",
	 .hint = "configure a mail server: config system mail, edit 1, set server ..."},

	/* ---- DNS: each resolver named ---- */
	{"dns-none", "DNS", .need = B(F_DNS_NONE),
	 .verdict = "no DNS server is configured, so {server} cannot be resolved",
	 .hint = "set primary (and secondary) in config system dns, or set server in config "
		 "system mail to the mail server's IP address"},
	{"dns-nxdomain", "DNS", .need = B(F_DNS_NXDOMAIN),
	 .verdict = "{dns_who} says the name {server} does not exist (NXDOMAIN)",
	 .hint = "check the spelling of server in config system mail"},
	{"dns-nodata", "DNS", .need = B(F_DNS_NODATA),
	 .verdict = "the name {server} exists but has no address (no A or AAAA record, "
		    "answered by {dns_who})",
	 .hint = "check server in config system mail: it may name a domain, not its mail server "
		 "(which is often mail.<domain> or the domain's MX)"},
	{"dns-servfail", "DNS", .need = B(F_DNS_SERVFAIL),
	 .verdict = "the DNS server failed or refused to resolve {server}: {dns_each}",
	 .hint = "check that the DNS servers in config system dns resolve names for this "
		 "appliance (recursion allowed for its address), or set other ones"},
	{"dns-closed", "DNS", .need = B(F_DNS_CLOSED), .deny = B(F_DNS_NET),
	 .verdict = "nothing answers DNS at {dns_closed}: port 53 is closed there (ICMP port "
		    "unreachable); {dns_each}",
	 .hint = "set primary/secondary in config system dns to a working DNS server; "
		 "{dns_closed} runs no DNS service"},
	{"dns-silent", "DNS", .need = B(F_DNS_SILENT),
	 .verdict = "no DNS server answered: {dns_each} ({timeout})",
	 .hint = "check that {dns_silent} is up and that DNS (UDP 53) to it is not dropped "
		 "(execute ping {dns_first}), or set another server in config system dns"},
	{"dns-unreachable", "DNS", .need = B(F_DNS_NET),
	 .verdict = "the DNS servers cannot be reached: {dns_each}",
	 .hint = "check the route to them (execute traceroute {dns_first}) and the DNS "
		 "servers in config system dns"},
	{"dns-failed", "DNS", .need = B(F_DNS_FAILED),
	 .verdict = "{server} could not be resolved: {dns_each}",
	 .hint = "check the DNS servers in config system dns"},

	/* ---- TCP: the packets first, then the error the socket got ---- */
	{"port-closed", "TCP", S(SMTP_CONNECT), .need = B(F_RST),
	 .verdict = "nothing listens on port {port} at {addr}: the connection was refused (RST)",
	 .hint = "check port in config system mail (25, 465 or 587) and that the mail service "
		 "runs on {server}"},
	{"host-down-onlink", "TCP", S(SMTP_CONNECT), .need = B(F_NEIGH_DEAD),
	 .verdict = "{addr} is on this appliance's own subnet but never answered {neigh}: the "
		    "host is down, or it is not on that link",
	 .hint = "check that the mail server {addr} is up and cabled to the same network (or "
		 "that server in config system mail names the right host)"},
	{"firewall-reject", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_ADMIN),
	 .verdict = "a firewall at {icmp_from} rejects TCP port {port} to {addr} (ICMP {icmp})",
	 .hint = "ask the administrator of the firewall at {icmp_from} to allow TCP {port} from "
		 "this appliance to {addr}; nothing in config system mail will fix this"},
	{"no-route", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_SELF),
	 .verdict = "this appliance itself cannot reach {addr} (ICMP {icmp} from its own "
		    "address): no route, or no neighbour answers",
	 .hint = "check this appliance's routing table and default gateway for {addr}"},
	{"router-no-route", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_NET),
	 .verdict = "the router {icmp_from} has no route to {addr} (ICMP {icmp})",
	 .hint = "the network to {addr} is missing on the router {icmp_from} or further on "
		 "(execute traceroute {addr}); or server in config system mail is wrong"},
	{"host-unreachable", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_HOST),
	 .verdict = "the router {icmp_from} cannot reach {addr} (ICMP {icmp}): the host is down "
		    "or unreachable behind that router",
	 .hint = "check that the mail server {addr} is up, and the route from {icmp_from} to it "
		 "(execute traceroute {addr})"},
	{"port-closed", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_PORT),
	 .verdict = "{icmp_from} refuses TCP port {port} (ICMP {icmp})",
	 .hint = "check port in config system mail and that the mail service runs on {server}"},
	{"routing-loop", "TCP", S(SMTP_CONNECT), .need = B(F_ICMP_TTL),
	 .verdict = "the packets to {addr} loop or expire on the way (ICMP {icmp} from "
		    "{icmp_from})",
	 .hint = "a routing loop between the routers: execute traceroute {addr}"},
	{"firewall-drop", "TCP", S(SMTP_CONNECT), .need = B(F_SYN_SILENT) | B(F_PING_OK),
	 .verdict = "{syns} SYN to {addr} port {port} went unanswered while the host answers "
		    "ping: a firewall silently drops TCP {port} (waited {waited}; {timeout})",
	 .hint = "ask for TCP {port} from this appliance to {addr} to be allowed on the firewalls "
		 "in between (diagnose sniffer packet any 'port {port}' shows the SYNs)"},
	{"host-silent", "TCP", S(SMTP_CONNECT), .need = B(F_SYN_SILENT),
	 .verdict = "{syns} SYN to {addr} port {port} and the pings went unanswered: the host is "
		    "down, or everything to it is dropped (waited {waited}; {timeout})",
	 .hint = "check that the mail server {addr} is up and the route to it (execute "
		 "traceroute {addr})"},
	{"port-closed", "TCP", S(SMTP_CONNECT), .need = B(F_E_REFUSED),
	 .verdict = "nothing listens on port {port} at {addr}: the connection was refused",
	 .hint = "check port in config system mail (25, 465 or 587) and that the mail service "
		 "runs on {server}"},
	{"no-route", "TCP", S(SMTP_CONNECT), .need = B(F_E_NETUNREACH), .deny = B(F_ICMP),
	 .verdict = "this appliance has no route to {addr}",
	 .hint = "check this appliance's routing table and default gateway for {addr}"},
	{"host-unreachable", "TCP", S(SMTP_CONNECT), .need = B(F_E_HOSTUNREACH),
	 .verdict = "{addr} cannot be reached (no route to host)",
	 .hint = "check that the mail server is up and the route to it (execute traceroute "
		 "{addr})"},
	{"connect-timeout", "TCP", S(SMTP_CONNECT), C(SMTP_E_TIMEOUT),
	 .verdict = "no answer from {addr} port {port} (waited {waited}; {timeout}){nocapture}",
	 .hint = "a firewall drops the packets or the route is wrong: execute ping {addr}, "
		 "execute traceroute {addr}, diagnose sniffer packet any 'port {port}'"},
	{"connect-failed", "TCP", S(SMTP_CONNECT), .verdict = "{detail}",
	 .hint = "check the route to {addr} (execute traceroute {addr})"},

	/* ---- the greeting ---- */
	{"implicit-tls", "greeting", S(SMTP_GREETING), C(SMTP_E_TIMEOUT), .need = B(F_IMPLICIT_TLS),
	 .deny = B(F_GOT_BYTES) | B(F_SEC_SMTPS),
	 .verdict = "the server said nothing for {waited}, and a TLS handshake on the same port "
		    "works: port {port} expects TLS from the first byte (implicit TLS)",
	 .hint = "set secure-option smtps in config system mail (or use port 587 with "
		 "secure-option starttls)"},
	{"implicit-tls", "greeting", S(SMTP_GREETING), C(SMTP_E_PROTOCOL), .words = "speaks TLS",
	 .verdict = "the server answered with TLS where a plain greeting belongs: port {port} "
		    "expects TLS from the first byte (implicit TLS)",
	 .hint = "set secure-option smtps in config system mail (or use port 587 with "
		 "secure-option starttls)"},
	{"greeting-silent", "greeting", S(SMTP_GREETING), C(SMTP_E_TIMEOUT), .need = B(F_PORT_465),
	 .deny = B(F_SEC_SMTPS) | B(F_GOT_BYTES),
	 .verdict = "the server accepted the connection but said nothing for {waited} ({timeout}); "
		    "port 465 normally expects TLS from the first byte",
	 .hint = "set secure-option smtps in config system mail for port 465"},
	{"greeting-silent", "greeting", S(SMTP_GREETING), C(SMTP_E_TIMEOUT), .deny = B(F_GOT_BYTES),
	 .verdict = "the server accepted the connection but sent no greeting in {waited} "
		    "({timeout}){probe}",
	 .hint = "the server (or a proxy in front of it) is overloaded or stuck: check its logs "
		 "and load; a longer timeout waits longer"},
	{"server-refuses-client", "greeting", S(SMTP_GREETING), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refuses this appliance at the greeting ({code}): its address is "
		    "blocked or not allowed to use this server; no message was refused",
	 .hint = "ask the mail server's administrator to allow this appliance's address (the "
		 "server's words above); changing the sender, recipient or password will not "
		 "help"},
	{"server-busy", "greeting", S(SMTP_GREETING), .code_lo = 400, .code_hi = 499,
	 .verdict = "the server does not accept connections now ({code}, temporary)",
	 .hint = "try again later; if it lasts, the server is overloaded or limits this "
		 "appliance's connections: ask its administrator"},
	{"closed-early", "greeting", S(SMTP_GREETING), C(SMTP_E_CLOSED),
	 .verdict = "the server closed the connection before its greeting: it (or a firewall "
		    "in front of it) drops connections from this appliance",
	 .hint = "check the server's logs and access rules for this appliance's address"},

	/* ---- a server that stops answering (after the greeting) ---- */
	{"timeout-after-data", NULL, S(SMTP_BODY), C(SMTP_E_TIMEOUT),
	 .verdict = "no answer to the end of the message in {waited} ({timeout}): the server "
		    "may still deliver it, and a retry may deliver it twice",
	 .hint = "check the server's load and its content filters (they run before the reply); "
		 "a longer timeout waits longer"},
	{"timeout-after-data", NULL, S(SMTP_BODY), C(SMTP_E_CLOSED),
	 .verdict = "the connection closed after the message was sent and before the server "
		    "answered: the server may still deliver it, and a retry may deliver it twice",
	 .hint = "check the server's logs for this message"},
	{"timeout", NULL, .classes = C(SMTP_E_TIMEOUT),
	 .verdict = "the server stopped answering: nothing for {waited} at {stage} ({timeout})",
	 .hint = "check the server's load and any firewall or proxy in between; a longer "
		 "timeout waits longer"},

	/* ---- the EHLO name and the appliance's address, at whichever stage
	 * the server says so (Postfix says it at RCPT TO) ---- */
	{"client-rdns", NULL, .code_lo = 400, .code_hi = 599,
	 .words =
		 "cannot find your hostname|cannot find your reverse hostname|Client host rejected",
	 .verdict = "the server refuses this appliance's address ({code}): it has no matching "
		    "reverse DNS name, or the address is not allowed",
	 .hint = "ask for a PTR record for this appliance's address that matches its name, or "
		 "ask the server's administrator to allow the address"},
	{"helo-name", "EHLO", .code_lo = 500, .code_hi = 599,
	 .words = "fully-qualified|fully qualified|FQDN|Helo command rejected|invalid hostname|"
		  "HELO/EHLO",
	 .verdict = "the server refuses this appliance's EHLO name \"{helo}\": it wants a fully "
		    "qualified domain name ({code})",
	 .hint = "set hostname in config system global to this appliance's fully qualified name "
		 "(such as faz.example.com): EHLO says it"},
	{"ehlo-refused", "EHLO", S(SMTP_EHLO) | S(SMTP_HELO), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refuses both EHLO and HELO ({code})",
	 .hint = "read the server's words above; often it refuses this appliance's name or "
		 "address: ask its administrator"},

	/* ---- STARTTLS and the handshake ---- */
	{"starttls-missing", "TLS", S(SMTP_STARTTLS), C(SMTP_E_MISSING), .need = B(F_PORT_465),
	 .verdict = "the server on port 465 does not offer STARTTLS: it expects TLS from the "
		    "first byte, but it answered in plain text",
	 .hint = "check port and secure-option in config system mail (465 goes with smtps)"},
	{"starttls-missing", "TLS", S(SMTP_STARTTLS), C(SMTP_E_MISSING),
	 .verdict = "the server does not offer STARTTLS (it offers: {ehlo_plain}), and "
		    "secure-option starttls requires TLS",
	 .hint = "use the server's implicit-TLS port (set port 465 and secure-option smtps) "
		 "if it has one, or have STARTTLS enabled on the server; secure-option default "
		 "would send without TLS"},
	{"starttls-refused", "TLS", S(SMTP_STARTTLS), .code_lo = 400, .code_hi = 599,
	 .verdict = "the server offers STARTTLS but refused it ({code})",
	 .hint = "the server's TLS is broken or busy: check its logs; try again later"},
	{"tls-injection", "TLS", .words = "CVE-2011-0411",
	 .verdict = "bytes arrived right after the server's STARTTLS reply: something between "
		    "here and the server injects commands, or the server is broken",
	 .hint = "do not send mail over this path until it is understood: check the server and "
		 "any proxy or firewall doing SMTP inspection on the way"},
	{"tls-plain-port", "TLS", S(SMTP_TLS), C(SMTP_E_TLS),
	 .need = B(F_TLS_PLAIN_ANSWER) | B(F_SEC_SMTPS),
	 .verdict = "the server answered the TLS handshake in plain text: port {port} does not "
		    "speak TLS from the first byte",
	 .hint = "set secure-option starttls for port 25 or 587, or set port 465 for smtps"},
	{"tls-client-cert-required", "TLS", S(SMTP_TLS), .need = B(F_TLS_CERT_REQ),
	 .deny = B(F_AUTH_CERT) | B(F_VERIFY),
	 .verdict = "the server demands a client certificate and none is configured "
		    "({tls_alert})",
	 .hint = "import the certificate the server expects (execute certificate local import) "
		 "and set auth enable, auth-type certificate and local-cert in config system "
		 "mail"},
	{"tls-client-cert-rejected", "TLS", S(SMTP_TLS),
	 .need = B(F_AUTH_CERT) | B(F_TLS_CERT_ALERT), .deny = B(F_VERIFY),
	 .verdict = "the server rejected the client certificate \"{local_cert}\" ({tls_alert})",
	 .hint = "set local-cert to a certificate issued by a CA the server trusts (execute "
		 "certificate local import), or have the server trust its issuer"},
	{"tls-client-cert-rejected", "TLS", S(SMTP_TLS), .need = B(F_AUTH_CERT),
	 .words = "rejected the client certificate",
	 .verdict = "the server rejected the client certificate \"{local_cert}\" ({tls_alert})",
	 .hint = "set local-cert to a certificate issued by a CA the server trusts (execute "
		 "certificate local import), or have the server trust its issuer"},
	{"tls-version", "TLS", S(SMTP_TLS), .need = B(F_TLS_VERSION), .deny = B(F_VERIFY),
	 .verdict = "no TLS version in common: this appliance allows {our_versions} (ssl-protocol "
		    "{ssl_protocol}); the server {server_versions}",
	 .hint = "{version_hint}"},
	{"tls-verify-name", "TLS", S(SMTP_TLS), .need = B(F_VERIFY_NAME),
	 .verdict = "the server's certificate is not for \"{checked}\": {cert}",
	 .hint = "set server in config system mail to a name the certificate holds ({names})"},
	{"tls-verify-dates", "TLS", S(SMTP_TLS), .need = B(F_VERIFY_DATES),
	 .verdict = "the server's certificate is {verify} (now is {now}): {cert}",
	 .hint = "the server's administrator must renew its certificate; if the dates look right, "
		 "this appliance's clock is wrong"},
	{"tls-verify-ca", "TLS", S(SMTP_TLS), .need = B(F_VERIFY_SELF),
	 .verdict = "the server's certificate is self-signed and not trusted here: {cert}",
	 .hint = "if this is the right server, import its certificate as a trusted CA: execute "
		 "certificate ca import <name> <file> (the certificate of \"{subject}\")"},
	{"tls-verify-ca", "TLS", S(SMTP_TLS), .need = B(F_VERIFY_CA),
	 .verdict = "the server's certificate is signed by a CA this appliance does not trust "
		    "({verify}): {cert}",
	 .hint = "import the CA \"{top_issuer}\": execute certificate ca import <name> <file>; or "
		 "have the server send its intermediate certificates"},
	{"tls-verify", "TLS", S(SMTP_TLS), .need = B(F_VERIFY),
	 .verdict = "the server's certificate failed verification ({verify}): {cert}",
	 .hint = "have the server's administrator fix its certificate, or import the CA that "
		 "issued it (execute certificate ca import)"},
	{"tls-cipher", "TLS", S(SMTP_TLS), .need = B(F_TLS_HS_FAILURE), .deny = B(F_SERVER_HELLO),
	 .verdict = "the server found no cipher (or other handshake parameter) in common with "
		    "this appliance and said so (handshake_failure); versions are not the problem "
		    "({our_versions} offered)",
	 .hint = "the server accepts only ciphers this appliance refuses (old or weak ones): "
		 "have its administrator enable current ciphers (ECDHE with AES-GCM or "
		 "ChaCha20); ssl-protocol does not change the ciphers"},
	{"tls-server-error", "TLS", S(SMTP_TLS), .need = B(F_TLS_SERVER_ERR),
	 .verdict = "the server failed during the TLS handshake ({tls_alert}): an error on the "
		    "server's side",
	 .hint = "check the mail server's TLS configuration and logs (its certificate and key); "
		 "nothing on this appliance causes this"},
	{"tls-server-error", "TLS", S(SMTP_TLS), C(SMTP_E_TLS) | C(SMTP_E_CLOSED),
	 .deny = B(F_TLS_ALERT) | B(F_SERVER_HELLO),
	 .verdict = "the server closed the connection during the TLS handshake without a TLS "
		    "alert, before choosing a version: a TLS error on the server (its key or "
		    "certificate), or a server that accepts none of {our_versions}",
	 .hint = "check the mail server's TLS configuration and logs; if it only speaks an older "
		 "TLS version, ssl-protocol can allow it"},
	{"tls-failed", "TLS", S(SMTP_TLS),
	 .verdict = "the TLS handshake failed: {detail} ({tls_alert})",
	 .hint = "check the server's TLS configuration; secure-option and ssl-protocol are in "
		 "config system mail"},

	/* ---- AUTH: what the server offers first, then our policy ---- */
	{"auth-after-tls", "AUTH", S(SMTP_AUTH), C(SMTP_E_MISSING), .need = B(F_STARTTLS_OFFERED),
	 .deny = B(F_TLS_UP) | B(F_MECHS_PLAIN),
	 .verdict = "the server offers AUTH only after STARTTLS, and secure-option {sec} does "
		    "not use TLS",
	 .hint = "set secure-option starttls in config system mail"},
	{"auth-not-offered", "AUTH", S(SMTP_AUTH), C(SMTP_E_MISSING),
	 .deny = B(F_MECHS_PLAIN) | B(F_MECHS_TLS),
	 .verdict = "the server on port {port} offers no AUTH at all{tls_state} (it offers: "
		    "{ehlo_last})",
	 .hint = "this port takes mail without authentication: set auth disable; if the server "
		 "must authenticate you, use its submission port (587 with starttls, or 465 "
		 "with smtps)"},
	{"auth-mechanism", "AUTH", S(SMTP_AUTH), C(SMTP_E_MISSING), .deny = B(F_MECHS_USABLE),
	 .verdict = "the server offers only AUTH {mechs}, none of which appsh supports (it "
		    "supports PLAIN, LOGIN and CRAM-MD5; NTLM, GSSAPI and XOAUTH2 are not)",
	 .hint = "have PLAIN or LOGIN enabled for this account on the server (over TLS), or use "
		 "a relay that offers them; set auth disable if the server relays without it"},
	{"auth-needs-tls", "AUTH", S(SMTP_AUTH), C(SMTP_E_POLICY), .need = B(F_STARTTLS_OFFERED),
	 .verdict = "the password would go without TLS: secure-option {sec} does not use the "
		    "STARTTLS the server offers",
	 .hint = "set secure-option starttls in config system mail"},
	{"auth-needs-tls", "AUTH", S(SMTP_AUTH), C(SMTP_E_POLICY), .need = B(F_AUTH_CERT),
	 .verdict = "certificate authentication needs TLS, and the server on port {port} offers "
		    "no STARTTLS",
	 .hint = "use the server's TLS port: set port 465 and secure-option smtps (or a port "
		 "that offers STARTTLS)"},
	{"auth-needs-tls", "AUTH", S(SMTP_AUTH), C(SMTP_E_POLICY),
	 .verdict = "the server offers AUTH {mechs} only without TLS on port {port} (no "
		    "STARTTLS): appsh does not send the password in clear",
	 .hint = "use the server's TLS port (set port 465 and secure-option smtps, or 587 with "
		 "starttls); only on a trusted network, set secure-option none to send the "
		 "password without TLS"},
	{"auth-credentials", "AUTH", S(SMTP_AUTH), .code_lo = 535, .code_hi = 535,
	 .verdict = "the server rejected the user name or password of \"{user}\" ({code})",
	 .hint = "check user and passwd in config system mail (some providers need an app "
		 "password, or a user name that is the full address)"},
	{"auth-credentials", "AUTH", S(SMTP_AUTH), .words = "5.7.8",
	 .verdict = "the server rejected the user name or password of \"{user}\" ({code})",
	 .hint = "check user and passwd in config system mail (some providers need an app "
		 "password, or a user name that is the full address)"},
	{"auth-needs-tls", "AUTH", S(SMTP_AUTH), .code_lo = 538, .code_hi = 538,
	 .verdict = "the server wants the connection encrypted before AUTH ({code})",
	 .hint = "set secure-option starttls (or smtps on port 465) in config system mail"},
	{"auth-temporary", "AUTH", S(SMTP_AUTH), .code_lo = 400, .code_hi = 499,
	 .verdict = "the server cannot check the credentials now ({code}, temporary)",
	 .hint = "a temporary error on the server (its authentication backend): try again "
		 "later"},
	{"auth-refused", "AUTH", S(SMTP_AUTH), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refused AUTH ({code})",
	 .hint = "read the server's words above; check user and passwd, and that the account "
		 "may use this mechanism"},

	/* ---- the transaction: what the reply code and words say ---- */
	{"tls-required", NULL, S_TX, .code_lo = 530, .code_hi = 530, .words = "STARTTLS|TLS",
	 .deny = B(F_TLS_UP),
	 .verdict = "the server requires TLS before it takes mail ({code}); this is not about "
		    "the sender or the recipient",
	 .hint = "{tls_required_hint}"},
	{"auth-required", NULL, S_TX, .code_lo = 530, .code_hi = 530, .deny = B(F_AUTH), .rc = 6,
	 .verdict = "the server takes mail only from authenticated clients ({code}); this is not "
		    "about the sender or the recipient",
	 .hint = "{auth_required_hint}"},
	{"auth-required", NULL, S_TX, .code_lo = 500, .code_hi = 599,
	 .words = "5.7.0 Authentication|5.7.57|authentication required|not authenticated|"
		  "must authenticate|authentication is required",
	 .deny = B(F_AUTH), .rc = 6,
	 .verdict = "the server takes mail only from authenticated clients ({code}); this is not "
		    "about the sender or the recipient",
	 .hint = "{auth_required_hint}"},
	{"size", "MAIL FROM", S(SMTP_MAIL), C(SMTP_E_PERM), .code_lo = 0, .code_hi = 0,
	 .words = "(SIZE)", .verdict = "{detail}",
	 .hint = "the message is larger than the server accepts (its SIZE limit): send smaller "
		 "messages, or have the limit raised"},
	{"size", NULL, S_TX, .code_lo = 552, .code_hi = 552,
	 .verdict = "the server refuses the message's size ({code})",
	 .hint = "the message is larger than the server accepts: send smaller messages, or have "
		 "the limit raised"},
	{"smtputf8", NULL, S_TX, C(SMTP_E_MISSING), .verdict = "{detail}",
	 .hint = "use ASCII addresses, or a mail server that supports SMTPUTF8"},
	{"relay", NULL, S(SMTP_RCPT), .code_lo = 500, .code_hi = 599, .words = "relay|Relaying",
	 .deny = B(F_AUTH),
	 .verdict = "the server does not relay for this appliance to {rcpt_domain} ({code})",
	 .hint = "set auth enable with user and passwd in config system mail (servers relay "
		 "for authenticated clients), or ask the server's administrator to allow "
		 "relaying from this appliance's address"},
	{"relay", NULL, S(SMTP_RCPT), .code_lo = 500, .code_hi = 599, .words = "relay|Relaying",
	 .verdict = "the server does not relay for the account \"{user}\" to {rcpt_domain} "
		    "({code})",
	 .hint = "ask the server's administrator to allow this account to relay, or send to "
		 "an address in the server's own domains"},
	{"sender", NULL, S(SMTP_MAIL), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refuses the sender address ({code})",
	 .hint = "use a sender the server accepts: the test's mail-from, and from in config "
		 "system mail for alerts (often the authenticated user's own address)"},
	{"recipient", NULL, S(SMTP_RCPT), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refuses the recipient ({code})",
	 .hint = "check the recipient address: the server says it cannot take mail for it"},
	{"content", NULL, S(SMTP_DATA) | S(SMTP_BODY), .code_lo = 500, .code_hi = 599,
	 .verdict = "the server refused the message ({code})",
	 .hint = "read the server's words above: a content or policy filter refused it"},
	{"temporary", NULL, S_TX, .code_lo = 400, .code_hi = 499,
	 .verdict = "the server refused for now ({code}, temporary)",
	 .hint = "a later try may work (greylisting and limits pass; fazmaild retries by "
		 "itself); read the server's words above"},
	{"closed", NULL, .classes = C(SMTP_E_CLOSED),
	 .verdict = "the server closed the connection at {stage}",
	 .hint = "check the server's logs, and whether it accepts connections from this "
		 "appliance"},
	{"protocol", NULL, .classes = C(SMTP_E_PROTOCOL),
	 .verdict = "the server does not speak SMTP correctly here: {detail}",
	 .hint = "check port and secure-option in config system mail against the server"},
	{"input", NULL, .classes = C(SMTP_E_INPUT), .verdict = "{detail}",
	 .hint = "check the addresses given to the test"},
	{"server-error", NULL, .code_lo = 400, .code_hi = 599,
	 .verdict = "the server refused at {stage} ({code})",
	 .hint = "read the server's words above"},
	{"failed", NULL, .verdict = "{detail}", .hint = "see the message above"},
};

/* ---- matching ------------------------------------------------------------- */

static bool words_match(const char *words, const struct smtp_error *e)
{
	char one[64];
	for (const char *p = words; *p;) {
		size_t n = strcspn(p, "|");
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		if ((e && (strcasestr(e->reply, one) || strcasestr(e->detail, one))))
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

static bool matches(const struct rule *r, const struct diag_evidence *ev, factset f)
{
	const struct smtp_error *e = ev->err;
	if ((f & r->need) != r->need || (f & r->deny))
		return false;
	if (r->stages || r->classes || r->code_lo || r->words) {
		if (!e)
			return false;
		if (r->stages && !(r->stages & S(e->stage)))
			return false;
		if (r->classes && !(r->classes & C(e->cls)))
			return false;
		if (r->code_lo && (e->code < r->code_lo || e->code > r->code_hi))
			return false;
		if (r->words && !words_match(r->words, e))
			return false;
	}
	return true;
}

/* ---- texts ----------------------------------------------------------------- */

const char *diag_icmp_name(int family, unsigned type, unsigned code)
{
	static const char *const v4[16] = {
		"net unreachable",
		"host unreachable",
		"protocol unreachable",
		"port unreachable",
		"fragmentation needed",
		"source route failed",
		"net unknown",
		"host unknown",
		"source host isolated",
		"net administratively prohibited",
		"host administratively prohibited",
		"net unreachable for TOS",
		"host unreachable for TOS",
		"administratively prohibited",
		"host precedence violation",
		"precedence cutoff",
	};
	static const char *const v6[8] = {
		"no route",
		"administratively prohibited",
		"beyond scope of source",
		"address unreachable",
		"port unreachable",
		"source address failed policy",
		"reject route",
		"source routing header error",
	};
	if (family == AF_INET && type == 3 && code < 16)
		return v4[code];
	if (family == AF_INET6 && type == 1 && code < 8)
		return v6[code];
	if (type == (family == AF_INET ? 11u : 3u))
		return "time exceeded";
	return "error";
}

const char *diag_tls_version_name(int v)
{
	switch (v) {
	case SSL3_VERSION:
		return "SSL 3.0";
	case TLS1_VERSION:
		return "TLS 1.0";
	case TLS1_1_VERSION:
		return "TLS 1.1";
	case TLS1_2_VERSION:
		return "TLS 1.2";
	case TLS1_3_VERSION:
		return "TLS 1.3";
	default:
		return "an unknown version";
	}
}

const char *diag_layer_of(enum smtp_stage s)
{
	switch (s) {
	case SMTP_CONNECT:
		return "TCP";
	case SMTP_GREETING:
		return "greeting";
	case SMTP_EHLO:
	case SMTP_HELO:
		return "EHLO";
	case SMTP_STARTTLS:
	case SMTP_TLS:
		return "TLS";
	case SMTP_AUTH:
		return "AUTH";
	default:
		return smtp_stage_name(s);
	}
}

static const char *alert_name(int a)
{
	switch (a) {
	case 10:
		return "unexpected_message";
	case 20:
		return "bad_record_mac";
	case 40:
		return "handshake_failure";
	case 42:
		return "bad_certificate";
	case 43:
		return "unsupported_certificate";
	case 44:
		return "certificate_revoked";
	case 45:
		return "certificate_expired";
	case 46:
		return "certificate_unknown";
	case 47:
		return "illegal_parameter";
	case 48:
		return "unknown_ca";
	case 49:
		return "access_denied";
	case 50:
		return "decode_error";
	case 51:
		return "decrypt_error";
	case 70:
		return "protocol_version";
	case 71:
		return "insufficient_security";
	case 80:
		return "internal_error";
	case 90:
		return "user_canceled";
	case 109:
		return "missing_extension";
	case 112:
		return "unrecognized_name";
	case 116:
		return "certificate_required";
	case 120:
		return "no_application_protocol";
	default:
		return "an alert";
	}
}

/* A growing string that never overflows. */
struct out {
	char *buf;
	size_t len, o;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->o + 1 >= o->len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->o, o->len - o->o, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->o = o->o + (size_t)n < o->len ? o->o + (size_t)n : o->len - 1;
}

static void resolver_each(const struct diag_evidence *ev, struct out *o, int want)
{
	const struct dns_answer *a = ev->dns;
	size_t k = 0;
	for (size_t i = 0; a && i < a->ntried && i < ev->nresolvers; i++) {
		const struct dns_try *t = &a->tried[i];
		bool closed = t->status == DNS_UNREACHABLE && t->sys_errno == ECONNREFUSED;
		if (want == 1 && !closed)
			continue;
		if (want == 2 && t->status != DNS_TIMEOUT)
			continue;
		if (want) {
			put(o, "%s%s", k++ ? " and " : "", ev->resolver[i]);
			continue;
		}
		put(o, "%s%s: ", k++ ? "; " : "", ev->resolver[i]);
		if (closed)
			put(o, "port 53 closed (ICMP port unreachable)");
		else if (t->status == DNS_TIMEOUT)
			put(o, "no answer in %u ms", t->ms);
		else if (t->status == DNS_UNREACHABLE)
			put(o, "cannot be reached (%s)", strerror(t->sys_errno));
		else
			put(o, "%s", dns_status_text(t->status));
	}
	if (!k)
		put(o, "%s", want ? "the DNS server" : "no DNS server answered");
}

static void waited(const struct diag_evidence *ev, struct out *o)
{
	long long ms = ev->err ? ev->err->waited_ms : 0;
	put(o, "%lld.%lld s", ms / 1000, ms % 1000 / 100);
}

static void timeout_text(const struct diag_evidence *ev, struct out *o)
{
	int ms = ev->err && ev->err->timeout_ms ? ev->err->timeout_ms : ev->timeout_ms;
	put(o, "the timeout is %d s per step, %s", ms / 1000,
	    ev->timeout_from ? ev->timeout_from : "the default");
}

static void cert_text(const struct smtp_tls_seen *t, struct out *o)
{
	if (!t->have_cert) {
		put(o, "no certificate details");
		return;
	}
	put(o,
	    "subject %s; subjectAltName %s; issuer %s; valid %s to %s; checked against "
	    "\"%s\"",
	    t->subject, *t->sans ? t->sans : "(none)", t->issuer, t->not_before, t->not_after,
	    t->checked_name);
}

/* The names a certificate holds, for `set server`. */
static void cert_names(const struct smtp_tls_seen *t, struct out *o)
{
	if (*t->sans) {
		for (const char *p = t->sans; *p;) {
			size_t n = strcspn(p, ",");
			const char *v = strchr(p, ':');
			if (v && (size_t)(v - p) < n)
				put(o, "%.*s", (int)(n - (size_t)(v + 1 - p)), v + 1);
			p += n;
			if (*p == ',') {
				put(o, ", ");
				p += 1 + (p[1] == ' ');
			}
		}
		return;
	}
	const char *cn = strstr(t->subject, "CN = ");
	put(o, "%s", cn ? cn + 5 : t->subject);
}

static void versions(int lo, int hi, struct out *o)
{
	if (lo == hi)
		put(o, "%s only", diag_tls_version_name(lo));
	else
		put(o, "%s to %s", diag_tls_version_name(lo), diag_tls_version_name(hi));
}

static void first_line(const char *s, struct out *o)
{
	put(o, "%.*s", (int)strcspn(s, "\n"), s);
}

/* One placeholder's text. */
static void value_of(const char *key, const struct diag_evidence *ev, struct out *o)
{
	const struct smtp_error *e = ev->err;
	const struct smtp_tls_seen *t = e ? &e->seen.tls : NULL;
	static const struct smtp_tls_seen none;
	if (!t)
		t = &none;

	if (!strcmp(key, "server"))
		put(o, "%s", ev->server ? ev->server : "");
	else if (!strcmp(key, "port"))
		put(o, "%u", ev->port);
	else if (!strcmp(key, "addr"))
		put(o, "%s", *ev->addr ? ev->addr : ev->server ? ev->server : "");
	else if (!strcmp(key, "sec"))
		put(o, "%s",
		    ev->sec == SMTP_SEC_NONE	   ? "none"
		    : ev->sec == SMTP_SEC_SMTPS	   ? "smtps"
		    : ev->sec == SMTP_SEC_STARTTLS ? "starttls"
						   : "default");
	else if (!strcmp(key, "user"))
		put(o, "%s", ev->user ? ev->user : "");
	else if (!strcmp(key, "local_cert"))
		put(o, "%s", ev->local_cert ? ev->local_cert : "");
	else if (!strcmp(key, "helo"))
		put(o, "%s", ev->helo_name ? ev->helo_name : "");
	else if (!strcmp(key, "ssl_protocol"))
		put(o, "%s", ev->ssl_protocol ? ev->ssl_protocol : "tlsv1.2");
	else if (!strcmp(key, "setting_detail"))
		put(o, "%s", ev->setting_detail ? ev->setting_detail : "");
	else if (!strcmp(key, "dns_each"))
		resolver_each(ev, o, 0);
	else if (!strcmp(key, "dns_closed"))
		resolver_each(ev, o, 1);
	else if (!strcmp(key, "dns_silent"))
		resolver_each(ev, o, 2);
	else if (!strcmp(key, "dns_first"))
		put(o, "%s", ev->nresolvers ? ev->resolver[0] : "");
	else if (!strcmp(key, "dns_who"))
		put(o, "the DNS server %s",
		    ev->dns && ev->dns->answered_by >= 0 &&
				    (size_t)ev->dns->answered_by < ev->nresolvers
			    ? ev->resolver[ev->dns->answered_by]
			    : "");
	else if (!strcmp(key, "icmp"))
		put(o, "%s",
		    diag_icmp_name(ev->wire.icmp_family, ev->wire.icmp_type, ev->wire.icmp_code));
	else if (!strcmp(key, "icmp_from"))
		put(o, "%s", ev->wire.icmp_from);
	else if (!strcmp(key, "neigh"))
		put(o, "%u %s", ev->wire.neigh_asked,
		    strchr(ev->addr, ':') ? "neighbour solicitation(s)" : "ARP request(s)");
	else if (!strcmp(key, "syns"))
		put(o, "%u", ev->wire.syns);
	else if (!strcmp(key, "nocapture"))
		put(o, "%s", ev->wire.captured ? "" : "; no packet capture to tell more");
	else if (!strcmp(key, "waited"))
		waited(ev, o);
	else if (!strcmp(key, "timeout"))
		timeout_text(ev, o);
	else if (!strcmp(key, "probe"))
		put(o, "%s",
		    ev->implicit_tls == 0 ? "; a TLS handshake on that port fails too, "
					    "so it is not an implicit-TLS port"
					  : "");
	else if (!strcmp(key, "stage"))
		put(o, "%s", e ? smtp_stage_name(e->stage) : "");
	else if (!strcmp(key, "code")) {
		if (e && e->code)
			put(o, "%d ", e->code);
		if (e)
			first_line(e->code ? e->reply : e->detail, o);
		if (o->o && o->buf[o->o - 1] == ' ')
			o->buf[--o->o] = '\0';
	} else if (!strcmp(key, "detail"))
		put(o, "%s", e ? e->detail : "");
	else if (!strcmp(key, "mechs"))
		put(o, "%s",
		    e ? (*e->seen.mechs_tls ? e->seen.mechs_tls : e->seen.mechs_plain) : "");
	else if (!strcmp(key, "ehlo_plain"))
		put(o, "%s", e && *e->seen.ehlo_plain ? e->seen.ehlo_plain : "nothing");
	else if (!strcmp(key, "ehlo_last"))
		put(o, "%s",
		    !e			    ? ""
		    : e->seen.ehlo_tls_done ? (*e->seen.ehlo_tls ? e->seen.ehlo_tls : "nothing")
		    : *e->seen.ehlo_plain   ? e->seen.ehlo_plain
					    : "nothing");
	else if (!strcmp(key, "tls_state"))
		put(o, "%s",
		    e && e->seen.ehlo_tls_done ? ", even after TLS"
		    : has_word(e ? e->seen.ehlo_plain : "", "STARTTLS")
			    ? " (without TLS; it offers STARTTLS)"
			    : "");
	else if (!strcmp(key, "rcpt_domain")) {
		const char *at = e ? strchr(e->detail, '@') : NULL;
		if (at)
			put(o, "%.*s", (int)strcspn(at + 1, ">: "), at + 1);
		else
			put(o, "that recipient");
	} else if (!strcmp(key, "tls_alert")) {
		if (t->alert_received >= 0 && t->tried)
			put(o, "the server sent the alert %s", alert_name(t->alert_received));
		else if (t->alert_sent >= 0 && t->tried)
			put(o, "this appliance sent the alert %s", alert_name(t->alert_sent));
		else
			put(o, "no TLS alert");
		if (*t->reason)
			put(o, "; OpenSSL: %s", t->reason);
	} else if (!strcmp(key, "our_versions"))
		versions(t->min_version ? t->min_version : TLS1_2_VERSION,
			 t->max_version ? t->max_version : TLS1_3_VERSION, o);
	else if (!strcmp(key, "server_versions")) {
		if (t->server_version)
			put(o, "chose %s", diag_tls_version_name(t->server_version));
		else if (ev->tls_best)
			put(o,
			    "accepts none of them (it answered protocol_version); a second "
			    "handshake allowing TLS 1.0 and later got %s",
			    diag_tls_version_name(ev->tls_best));
		else
			put(o, "accepts none of them (it answered protocol_version)");
	} else if (!strcmp(key, "version_hint")) {
		int best = t->server_version ? t->server_version : ev->tls_best;
		if (best && best < t->min_version)
			put(o,
			    "the server speaks at most %s: set ssl-protocol %s in config system "
			    "mail if that version is acceptable here, or better have the server "
			    "upgraded",
			    diag_tls_version_name(best),
			    best == TLS1_VERSION     ? "tlsv1.0"
			    : best == TLS1_1_VERSION ? "tlsv1.1"
			    : best == TLS1_2_VERSION ? "tlsv1.2"
						     : "sslv3");
		else
			put(o,
			    "the server accepts only versions this appliance does not offer: set "
			    "ssl-protocol lower in config system mail only if an old TLS version "
			    "is "
			    "acceptable, or have the server upgraded");
	} else if (!strcmp(key, "verify"))
		put(o, "%s", e ? X509_verify_cert_error_string(e->verify) : "");
	else if (!strcmp(key, "cert"))
		cert_text(t, o);
	else if (!strcmp(key, "names"))
		cert_names(t, o);
	else if (!strcmp(key, "subject"))
		put(o, "%s", t->subject);
	else if (!strcmp(key, "top_issuer"))
		put(o, "%s", *t->top_issuer ? t->top_issuer : t->issuer);
	else if (!strcmp(key, "checked"))
		put(o, "%s", *t->checked_name ? t->checked_name : ev->server ? ev->server : "");
	else if (!strcmp(key, "now")) {
		struct tm tm;
		char buf[32];
		gmtime_r(&ev->now, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
		put(o, "%s", buf);
	} else if (!strcmp(key, "tls_required_hint")) {
		if (e && has_word(e->seen.ehlo_plain, "STARTTLS"))
			put(o,
			    "set secure-option starttls in config system mail (the server offers "
			    "STARTTLS)");
		else
			put(o,
			    "set secure-option starttls in config system mail, or smtps with port "
			    "465");
	} else if (!strcmp(key, "auth_required_hint")) {
		const char *m =
			e ? (*e->seen.mechs_tls ? e->seen.mechs_tls : e->seen.mechs_plain) : "";
		put(o, "set auth enable, user and passwd in config system mail");
		if (*m)
			put(o, " (the server offers AUTH %s)", m);
		else if (e && !e->seen.ehlo_tls_done && has_word(e->seen.ehlo_plain, "STARTTLS"))
			put(o, " and secure-option starttls (this server offers AUTH only after "
			       "STARTTLS)");
	} else
		put(o, "{%s}", key);
}

static void expand(const char *tpl, const struct diag_evidence *ev, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	buf[0] = '\0';
	for (const char *p = tpl; *p && o.o + 1 < len;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (close && close - p < 32) {
			char key[32];
			snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
			value_of(key, ev, &o);
			p = close + 1;
		} else {
			buf[o.o++] = *p++;
			buf[o.o] = '\0';
		}
	}
}

static int rc_of(const char *layer)
{
	if (!strcmp(layer, "settings"))
		return 1;
	if (!strcmp(layer, "DNS") || !strcmp(layer, "TCP") || !strcmp(layer, "greeting"))
		return 3;
	return !strcmp(layer, "AUTH") ? 6 : 5;
}

void diag_verdict_classify(const struct diag_evidence *ev, struct diag_verdict *out)
{
	factset f = facts_of(ev);
	const struct rule *r = &rules[sizeof rules / sizeof rules[0] - 1];

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (matches(&rules[i], ev, f)) {
			r = &rules[i];
			break;
		}
	out->rule = r->name;
	out->layer = r->layer	      ? r->layer
		     : ev->err	      ? diag_layer_of(ev->err->stage)
		     : ev->dns_failed ? "DNS"
				      : "settings";
	out->rc = r->rc ? r->rc : rc_of(out->layer);
	expand(r->verdict, ev, out->verdict, sizeof out->verdict);
	expand(r->hint, ev, out->hint, sizeof out->hint);
}
