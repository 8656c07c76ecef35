/* SPDX-License-Identifier: MIT */
/*
 * mailtest.c - `diagnose test connection mailserver <server-name>
 * <mail-from> <mail-to> [<timeout>]`: sends one test message through a
 * `system mail` entry and says, layer by layer as it goes, what happened:
 * the settings, DNS through `system dns`, TCP, the greeting, EHLO, TLS,
 * AUTH, and the transaction.  It ends with one verdict line and a hint.
 */
#include "cmds/mailtest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/walk.h"
#include "log/debug.h"
#include "net/dns.h"
#include "diag/resolve.h"
#include "diag/evidence.h"
#include "diag/gather.h"
#include "config/mail.h"
#include "diag/mailsmtp.h"
#include "diag/verdict.h"
#include "smtp/message.h"
#include "smtp/smtp.h"

const struct schema_attr cmds_mail_server_arg = {
	.name = "server-name",
	.help = "Mail server entry (config system mail).",
	.type = SCHEMA_T_STRING,
	.max = 63,
};
const struct schema_attr cmds_mail_from_arg = {
	.name = "mail-from",
	.help = "Sender address of the test message.",
	.type = SCHEMA_T_STRING,
	.max = 254,
	.check = schema_check_email,
};
const struct schema_attr cmds_mail_to_arg = {
	.name = "mail-to",
	.help = "Recipient address of the test message.",
	.type = SCHEMA_T_STRING,
	.max = 254,
	.check = schema_check_email,
};
const struct schema_attr cmds_mail_timeout_arg = {
	.name = "timeout",
	.help = "Seconds to wait at each step (default 10).",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 300,
};

struct test {
	struct cli *cli;
	struct evidence *ev; /* the capture while connecting, or NULL */
	const struct sockaddr_storage *addrs;
	size_t attempt;		/* the address being connected to */
	char seen[300];		/* what the packets showed for the last failed attempt */
	struct diag_evidence e; /* what the classifier gets */
	char helo[64];
	char ssl[96]; /* the TLS floor, as shown */
};

static void say(struct test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct test *t, const char *fmt, ...)
{
	va_list ap;
	char line[1024], safe[4096];
	size_t o = 0;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* Replies are the server's words: a hostile server must not be able
	 * to drive the operator's terminal with escape sequences. */
	for (const unsigned char *p = (const unsigned char *)line; *p && o + 5 < sizeof safe; p++)
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(safe + o, sizeof safe - o, "\\x%02x", *p);
		else
			safe[o++] = (char)*p;
	safe[o] = '\0';
	/* Line by line as it happens: the operator watches a slow server. */
	cli_out_printf(t->cli->out, "%s\n", safe);
	fflush(stdout);
}

/* The classifier's judgement of everything seen (diag/verdict.c), and the
 * command's failure (non-zero exit in scripts).  Codes are the
 * appliance's (spec §8.9): 3 connect, 6 auth, 5 the rest. */
static int verdict(struct test *t, const char *reason)
{
	struct diag_verdict v;
	t->e.now = time(NULL);
	diag_verdict_classify(&t->e, &v);
	say(t, "Result: FAILED at %s: %s", v.layer, reason ? reason : v.verdict);
	if (reason)
		say(t, "Verdict: %s [%s]", v.verdict, v.rule);
	else
		say(t, "Verdict: [%s]", v.rule);
	say(t, "Hint: %s", v.hint);
	return cli_fail(t->cli, v.rc, NULL, NULL, "the mail server test failed");
}

static int setting_fault(struct test *t, enum diag_setting_fault f, const char *detail)
{
	t->e.setting = f;
	t->e.setting_detail = detail;
	return verdict(t, NULL);
}

/* ---- layer 1: the entry ------------------------------------------------ */

/* What in the entry cannot work, or looks like a mistake. */
/* Every setting a verdict may depend on is on this line. */
static int check_entry(struct test *t, const struct config_mail *e)
{
	char tls[128] = "", auth[200];
	if (e->sec != CONFIG_MAIL_NONE)
		snprintf(tls, sizeof tls, ", ssl-protocol %s", t->ssl);
	if (!e->auth)
		snprintf(auth, sizeof auth, "auth disable");
	else if (e->cert)
		snprintf(auth, sizeof auth, "auth enable, auth-type certificate, local-cert %s",
			 *e->local_cert ? e->local_cert : "(null)");
	else
		snprintf(auth, sizeof auth, "auth enable, auth-type password, user %s",
			 *e->user ? e->user : "(null)");
	say(t,
	    "Settings: server %s, port %u, secure-option %s%s, %s, hostname %s, timeout %d s (%s)",
	    *e->server ? e->server : "(null)", e->port, config_mail_security_name(e->sec), tls,
	    auth, t->helo, t->e.timeout_ms / 1000, t->e.timeout_from);
	if (!*e->server)
		return setting_fault(t, DIAG_SET_NO_SERVER, NULL);
	if (e->auth && !e->cert && !*e->user)
		return setting_fault(t, DIAG_SET_NO_USER, NULL);
	if (e->auth && e->cert && !*e->local_cert)
		return setting_fault(t, DIAG_SET_NO_CERT, NULL);
	if (e->sec == CONFIG_MAIL_SMTPS && (e->port == 25 || e->port == 587))
		say(t,
		    "Warning: port %u usually speaks plain SMTP with STARTTLS, but "
		    "secure-option is smtps (TLS from the first byte)",
		    e->port);
	if (e->sec != CONFIG_MAIL_SMTPS && e->port == 465)
		say(t,
		    "Warning: port 465 usually expects TLS from the first byte "
		    "(secure-option smtps), but secure-option is %s",
		    config_mail_security_name(e->sec));
	return 0;
}

/* The client certificate and the trusted CAs from the certificate store. */
static int load_certs(struct test *t, struct config_mail *e)
{
	char err[256];
	if (config_mail_certs(t->cli->cfg, e, err, sizeof err) != 0)
		return setting_fault(t, DIAG_SET_CERT_LOAD, err);
	return 0;
}

/* ---- layer 2: DNS ------------------------------------------------------- */

static int resolve(struct test *t, const char *host, int timeout_ms, struct sockaddr_storage *addrs,
		   size_t *naddrs)
{
	struct dns_server servers[4];
	static struct dns_answer ans, failure;
	unsigned char ip[16];

	*naddrs = 0;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addrs[0];
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addrs[0];
	memset(addrs, 0, sizeof *addrs);
	if (inet_pton(AF_INET, host, ip) == 1) {
		a4->sin_family = AF_INET;
		memcpy(&a4->sin_addr, ip, 4);
		*naddrs = 1;
		say(t, "DNS: %s is an address, no lookup needed", host);
		return 0;
	}
	if (inet_pton(AF_INET6, host, ip) == 1) {
		a6->sin6_family = AF_INET6;
		memcpy(&a6->sin6_addr, ip, 16);
		*naddrs = 1;
		say(t, "DNS: %s is an address, no lookup needed", host);
		return 0;
	}
	size_t ns = diag_dns_servers(t->cli->cfg, servers, NULL);
	diag_gather_resolvers(&t->e, servers, ns);
	t->e.dns = &failure;
	if (ns == 0) {
		failure.status = DNS_NO_SERVER;
		t->e.dns_failed = true;
		return verdict(t, "no DNS server is configured");
	}
	enum dns_type types[2] = {DNS_A, DNS_AAAA};
	bool first = true;
	for (int k = 0; k < 2; k++) {
		dns_query(servers, ns, host, types[k], timeout_ms, &ans);
		const char *who =
			ans.answered_by >= 0 ? t->e.resolver[ans.answered_by] : "no server";
		if (ans.status == DNS_OK) {
			for (size_t i = 0; i < ans.n && *naddrs < 8; i++) {
				addrs[(*naddrs)++] = ans.rec[i].addr;
				say(t, "DNS: %s has address %s (%s, answered by %s in %u ms)", host,
				    ans.rec[i].text, k ? "AAAA" : "A", who, ans.elapsed_ms);
			}
		} else if (first) {
			failure = ans;
			first = false;
			say(t, "DNS: %s %s: %s (%s, %u ms)", host, k ? "AAAA" : "A",
			    dns_status_text(ans.status), who, ans.elapsed_ms);
		}
		if (ans.status == DNS_NXDOMAIN || ans.status == DNS_TIMEOUT ||
		    ans.status == DNS_UNREACHABLE)
			break; /* the AAAA question would only repeat the answer */
	}
	if (*naddrs)
		return 0;
	t->e.dns_failed = true;
	char reason[160];
	snprintf(reason, sizeof reason, "%s: %s", host, dns_status_text(failure.status));
	return verdict(t, reason);
}

/* ---- layers 3-8: the SMTP dialogue --------------------------------------- */

static void on_progress(void *arg, enum smtp_stage stage, const char *info)
{
	struct test *t = arg;
	say(t, "%s: %s", diag_layer_of(stage), info);
	if (stage != SMTP_CONNECT)
		return;
	/* One progress line per address tried, in order: after a failed
	 * attempt, what the packets showed about it. */
	const struct sockaddr_storage *a = &t->addrs[t->attempt];
	inet_ntop(a->ss_family,
		  a->ss_family == AF_INET6
			  ? (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr
			  : (const void *)&((const struct sockaddr_in *)a)->sin_addr,
		  t->e.addr, sizeof t->e.addr);
	if (t->ev && strncmp(info, "connected to ", 13) != 0) {
		evidence_describe(t->ev, t->attempt, t->seen, sizeof t->seen);
		evidence_result(t->ev, t->attempt, &t->e.wire);
		say(t, "TCP: on the wire: %s", t->seen);
	}
	t->attempt++;
}

static void on_transcript(void *arg, char dir, bool tls, const char *line)
{
	(void)arg;
	log_debug_printf("fazmaild", 255, "fazmaild: %s%c %s", tls ? "[tls] " : "", dir, line);
}

static bool on_cancel(void *arg)
{
	return ((struct test *)arg)->cli->cancel != 0;
}

static int dialogue(struct test *t, const struct config_mail *e, const char *id,
		    const struct sockaddr_storage *addrs, size_t naddrs, const char *from,
		    const char *to, int timeout_ms)
{
	struct smtp_config cfg = {
		.addrs = addrs,
		.naddrs = naddrs,
		.transcript = on_transcript,
		.progress = on_progress,
		.hook_arg = t,
		.cancelled = on_cancel,
	};
	diag_mail_smtp(e, &cfg);
	struct smtp_session *s;
	struct smtp_error err;
	char final[512], *msg;
	size_t len;

	cfg.helo_name = t->helo;
	t->addrs = addrs;
	for (int i = 0; i < SMTP_STAGES; i++)
		cfg.timeout_ms[i] = timeout_ms;
	/* Watch the packets while connecting; without the privilege to
	 * capture, say so once and test without them. */
	bool denied;
	char why[400];
	t->ev = evidence_start(addrs, naddrs, (uint16_t)e->port, &denied, why, sizeof why);
	if (!t->ev && denied)
		say(t, "TCP: packet capture not permitted (it needs root or CAP_NET_RAW): testing "
		       "without it");
	else if (!t->ev)
		say(t, "TCP: no packet capture (%s): testing without it", why);
	int open_rc = smtp_open(&cfg, &s, &err);
	evidence_stop(t->ev);
	t->ev = NULL;
	if (open_rc != 0)
		goto failed;
	msg = smtp_message_build(from, &to, 1, "appsh mail server test",
				 "This is a test message sent by `diagnose test connection "
				 "mailserver`.\n",
				 time(NULL), t->helo, &len, err.detail, sizeof err.detail);
	if (!msg) {
		memset(&err, 0, sizeof err);
		err.cls = SMTP_E_INPUT;
		err.stage = SMTP_MAIL;
		smtp_close(s);
		goto failed;
	}
	int rc = smtp_send(s, from, &to, 1, msg, len, final, sizeof final, &err);
	free(msg);
	smtp_close(s);
	if (rc != 0)
		goto failed;
	say(t, "Result: OK (mail server \"%s\" accepted the message)", id);
	return 0;
failed:
	t->e.err = &err;
	if (err.cls == SMTP_E_SYSTEM && err.sys_errno == EINTR) {
		say(t, "%s", ""); /* after the terminal's ^C */
		return verdict(t, "interrupted");
	}
	/* A server silent where its greeting belongs: does it want TLS first? */
	cfg.progress = NULL;
	cfg.transcript = NULL;
	t->e.implicit_tls = diag_gather_implicit_tls(&cfg, &err, timeout_ms);
	t->e.tls_best = diag_gather_tls_best(&cfg, &err, timeout_ms);
	if (t->e.tls_best)
		say(t, "TLS: a second handshake allowing TLS 1.0 and later got %s",
		    diag_tls_version_name(t->e.tls_best));
	if (t->e.implicit_tls >= 0)
		say(t, "greeting: a TLS handshake on port %u %s", e->port,
		    t->e.implicit_tls ? "works: the port speaks TLS from the first byte"
				      : "fails too");
	char reason[sizeof err.detail + sizeof t->seen + 4];
	if (err.stage == SMTP_CONNECT && *t->seen)
		snprintf(reason, sizeof reason, "%s; %s", err.detail, t->seen);
	else
		snprintf(reason, sizeof reason, "%s", err.detail);
	return verdict(t, reason);
}

int cmds_mailserver_test(struct cli *cli, const struct cli_args *a)
{
	struct test t = {.cli = cli};
	struct config_mail e;
	struct sockaddr_storage addrs[8];
	size_t naddrs;
	int timeout_ms = a->argc > 3 ? atoi(a->argv[3]) * 1000 : 10000, rc;

	cli->cancel = 0;
	rc = config_mail_load(cli->cfg, a->argv[0], &e);
	config_hostname(cli->cfg, t.helo, sizeof t.helo);
	diag_gather_settings(&t.e, &e, t.helo, t.ssl, sizeof t.ssl);
	t.e.timeout_ms = timeout_ms;
	t.e.timeout_from = a->argc > 3 ? "the test's <timeout> argument" : "the test's default";
	if (rc == 0) {
		char msg[200];
		snprintf(msg, sizeof msg,
			 "entry not found in datasource: mail \"%.64s\" does not exist",
			 a->argv[0]);
		rc = cli_fail(cli, -3, "value", a->argv[0], msg);
	} else if (rc < 0) {
		rc = cli_fail(cli, -1, NULL, NULL,
			      rc == -2 ? "the stored password does not decrypt with this key"
				       : "cannot read the mail server entry");
	} else if ((rc = check_entry(&t, &e)) == 0 && (rc = load_certs(&t, &e)) == 0 &&
		   (rc = resolve(&t, e.server, timeout_ms, addrs, &naddrs)) == 0) {
		rc = dialogue(&t, &e, a->argv[0], addrs, naddrs, a->argv[1], a->argv[2],
			      timeout_ms);
	}
	config_mail_free(&e);
	return rc;
}
