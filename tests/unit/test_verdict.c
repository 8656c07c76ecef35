/* SPDX-License-Identifier: MIT */
/*
 * test_verdict.c - the classifier (diag/verdict.c) as the pure function it
 * is: evidence in, category, layer, return code and texts out.  The cases
 * are the confusions a stage-only rule makes; the fault matrix
 * (tests/diag/run-verdict-*.sh) checks the same against real peers.
 */
#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <string.h>

#include "check.h"
#include "diag/verdict.h"

static struct diag_evidence base(void)
{
	struct diag_evidence ev = {
		.server = "mail.example.com",
		.port = 25,
		.sec = SMTP_SEC_DEFAULT,
		.ssl_protocol = "tlsv1.2",
		.helo_name = "appsh",
		.timeout_ms = 10000,
		.timeout_from = "the test's default",
		.implicit_tls = -1,
	};
	strcpy(ev.addr, "192.0.2.25");
	return ev;
}

static struct smtp_error reply(enum smtp_stage stage, int code, const char *text)
{
	struct smtp_error e = {
		.stage = stage, .cls = code >= 500 ? SMTP_E_PERM : SMTP_E_TEMP, .code = code};
	snprintf(e.reply, sizeof e.reply, "%s", text);
	snprintf(e.detail, sizeof e.detail, "%d %s", code, text);
	e.seen.tls.alert_received = e.seen.tls.alert_sent = -1;
	return e;
}

static struct diag_verdict judge(const struct diag_evidence *ev)
{
	struct diag_verdict v;
	diag_verdict_classify(ev, &v);
	return v;
}

int main(void)
{
	struct diag_evidence ev = base();
	struct diag_verdict v;

	/* 530 at MAIL is about authentication or TLS, never the sender. */
	struct smtp_error e = reply(SMTP_MAIL, 530, "5.7.0 Authentication required");
	snprintf(e.seen.mechs_plain, sizeof e.seen.mechs_plain, "PLAIN LOGIN");
	ev.err = &e;
	v = judge(&ev);
	CHECK_STR(v.rule, "auth-required");
	CHECK(v.rc == 6);
	CHECK(strstr(v.hint, "set auth enable") && strstr(v.hint, "AUTH PLAIN LOGIN"));
	CHECK(!strstr(v.hint, "sender"));
	e = reply(SMTP_MAIL, 530, "5.7.0 Must issue a STARTTLS command first");
	snprintf(e.seen.ehlo_plain, sizeof e.seen.ehlo_plain, "SIZE STARTTLS PIPELINING");
	v = judge(&ev);
	CHECK_STR(v.rule, "tls-required");
	CHECK_STR(v.hint, "set secure-option starttls in config system mail (the server offers "
			  "STARTTLS)");
	e = reply(SMTP_MAIL, 553, "5.1.8 <a@b>: Sender address rejected: Domain not found");
	CHECK_STR(judge(&ev).rule, "sender");
	e = reply(SMTP_GREETING, 554, "5.7.1 Your address is blocked");
	v = judge(&ev);
	CHECK_STR(v.rule, "server-refuses-client");
	CHECK_STR(v.layer, "greeting");
	CHECK(v.rc == 3);
	e = reply(SMTP_RCPT, 504,
		  "5.5.2 <appsh>: Helo command rejected: need fully-qualified hostname");
	v = judge(&ev);
	CHECK_STR(v.rule, "helo-name");
	CHECK(strstr(v.verdict, "\"appsh\"") &&
	      strstr(v.hint, "set hostname in config system global"));

	/* The packets: our own address is never "the router". */
	e = (struct smtp_error){
		.stage = SMTP_CONNECT, .cls = SMTP_E_CONNECT, .sys_errno = EHOSTUNREACH};
	ev.wire = (struct evidence_wire){.captured = true,
					 .syns = 1,
					 .icmp = true,
					 .icmp_family = AF_INET,
					 .icmp_type = 3,
					 .icmp_code = 1,
					 .icmp_from_self = true,
					 .on_link = true,
					 .neigh_asked = 3,
					 .ping = -1};
	strcpy(ev.wire.icmp_from, "192.0.2.1");
	v = judge(&ev);
	CHECK_STR(v.rule, "host-down-onlink");
	CHECK(!strstr(v.verdict, "router") && !strstr(v.hint, "router"));
	ev.wire.icmp_from_self = ev.wire.on_link = false;
	ev.wire.neigh_asked = 0;
	v = judge(&ev);
	CHECK_STR(v.rule, "host-unreachable");
	CHECK(strstr(v.verdict, "the router 192.0.2.1 cannot reach 192.0.2.25"));
	ev.wire.icmp_code = 13;
	CHECK_STR(judge(&ev).rule, "firewall-reject");
	ev.wire = (struct evidence_wire){.captured = true, .syns = 3, .ping = 1};
	e.cls = SMTP_E_TIMEOUT;
	e.waited_ms = 10000;
	v = judge(&ev);
	CHECK_STR(v.rule, "firewall-drop");
	CHECK(strstr(v.verdict, "waited 10.0 s; the timeout is 10 s per step, the test's default"));
	ev.wire = (struct evidence_wire){0};

	/* DNS: three different verdicts, each naming the resolver. */
	struct dns_answer dns = {.status = DNS_UNREACHABLE, .answered_by = 0, .ntried = 1};
	dns.tried[0] = (struct dns_try){DNS_UNREACHABLE, ECONNREFUSED, 1};
	ev.err = NULL;
	ev.dns = &dns;
	ev.dns_failed = true;
	ev.nresolvers = 1;
	strcpy(ev.resolver[0], "192.0.2.53");
	v = judge(&ev);
	CHECK_STR(v.rule, "dns-closed");
	CHECK(strstr(v.verdict, "192.0.2.53: port 53 closed"));
	dns.status = dns.tried[0].status = DNS_TIMEOUT;
	dns.tried[0].ms = 10000;
	v = judge(&ev);
	CHECK_STR(v.rule, "dns-silent");
	CHECK(strstr(v.verdict, "192.0.2.53: no answer in 10000 ms"));
	ev.nresolvers = 0;
	dns = (struct dns_answer){.status = DNS_NO_SERVER};
	CHECK_STR(judge(&ev).rule, "dns-none");
	ev.dns_failed = false;
	ev.dns = NULL;

	/* TLS: a demanded client certificate is not a cipher problem. */
	e = (struct smtp_error){.stage = SMTP_TLS, .cls = SMTP_E_TLS};
	e.seen.tls = (struct smtp_tls_seen){.tried = true,
					    .min_version = TLS1_2_VERSION,
					    .max_version = TLS1_3_VERSION,
					    .cert_request = true,
					    .alert_received = 40,
					    .alert_sent = -1};
	ev.err = &e;
	v = judge(&ev);
	CHECK_STR(v.rule, "tls-client-cert-required");
	CHECK(!strstr(v.hint, "ssl-protocol"));
	e.seen.tls.cert_request = false;
	v = judge(&ev);
	CHECK_STR(v.rule, "tls-cipher");
	CHECK(!strstr(v.hint, "set ssl-protocol"));
	e.seen.tls.alert_received = 70;
	ev.tls_best = TLS1_VERSION;
	v = judge(&ev);
	CHECK_STR(v.rule, "tls-version");
	CHECK(strstr(v.hint, "set ssl-protocol tlsv1.0"));
	e.seen.tls.alert_received = -1;
	e.verify = X509_V_ERR_HOSTNAME_MISMATCH;
	e.seen.tls.have_cert = true;
	strcpy(e.seen.tls.sans, "DNS:smtp.example.com, DNS:mx.example.com");
	strcpy(e.seen.tls.checked_name, "mail.example.com");
	v = judge(&ev);
	CHECK_STR(v.rule, "tls-verify-name");
	CHECK_STR(v.hint, "set server in config system mail to a name the certificate holds "
			  "(smtp.example.com, mx.example.com)");

	/* AUTH without TLS: what the server offers decides, never a circle. */
	e = (struct smtp_error){.stage = SMTP_AUTH, .cls = SMTP_E_MISSING};
	e.seen.tls.alert_received = e.seen.tls.alert_sent = -1;
	e.seen.ehlo_plain_done = true;
	strcpy(e.seen.ehlo_plain, "SIZE STARTTLS");
	ev.auth = true;
	ev.sec = SMTP_SEC_NONE;
	v = judge(&ev);
	CHECK_STR(v.rule, "auth-after-tls");
	CHECK_STR(v.hint, "set secure-option starttls in config system mail");
	strcpy(e.seen.ehlo_plain, "SIZE");
	ev.sec = SMTP_SEC_DEFAULT;
	v = judge(&ev);
	CHECK_STR(v.rule, "auth-not-offered");
	CHECK(!strstr(v.hint, "secure-option starttls in"));
	e.cls = SMTP_E_POLICY;
	strcpy(e.seen.mechs_plain, "PLAIN LOGIN");
	v = judge(&ev);
	CHECK_STR(v.rule, "auth-needs-tls");
	CHECK(!strstr(v.hint, "set secure-option starttls"));

	/* After the end of data: the message may still be delivered. */
	e = (struct smtp_error){.stage = SMTP_BODY,
				.cls = SMTP_E_TIMEOUT,
				.waited_ms = 600000,
				.timeout_ms = 600000};
	v = judge(&ev);
	CHECK_STR(v.rule, "timeout-after-data");
	CHECK(strstr(v.verdict, "may still deliver it") && strstr(v.verdict, "600.0 s"));

	/* Settings first, and nothing left unclassified. */
	ev = base();
	ev.setting = DIAG_SET_NO_SERVER;
	CHECK_STR(judge(&ev).rule, "setting-server");
	ev = base();
	e = (struct smtp_error){.stage = SMTP_QUIT, .cls = SMTP_E_SYSTEM};
	ev.err = &e;
	CHECK_STR(judge(&ev).rule, "failed");
	return check_summary();
}
