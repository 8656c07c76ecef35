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
#include "config/mail.h"
#include "diag/mailsmtp.h"
#include "smtp/message.h"
#include "smtp/smtp.h"

/* Set by the terminal's SIGINT handler (cli/editline.c). */

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
	const char *layer;   /* where a failure is reported */
	struct evidence *ev; /* the capture while connecting, or NULL */
	size_t attempt;	     /* the address being connected to */
	char seen[300];	     /* what the packets showed for the last failed attempt */
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

/* The verdict, the hint, and the command's failure (non-zero exit in
 * scripts).  Codes are the appliance's (spec §8.9): 3 connect, 6 auth. */
static int verdict(struct test *t, int code, const char *reason, const char *hint)
{
	say(t, "Result: FAILED at %s: %s", t->layer, reason);
	say(t, "Hint: %s", hint);
	return cli_fail(t->cli, code, NULL, NULL, "the mail server test failed");
}

/* ---- layer 1: the entry ------------------------------------------------ */

/* What in the entry cannot work, or looks like a mistake. */
static int check_entry(struct test *t, const struct config_mail *e)
{
	say(t, "Settings: server %s, port %u, secure-option %s, auth %s%s%s%s",
	    *e->server ? e->server : "(null)", e->port, config_mail_security_name(e->sec),
	    e->auth ? "enable" : "disable", e->auth ? (e->cert ? " (certificate " : " (user ") : "",
	    e->auth ? (e->cert ? (*e->local_cert ? e->local_cert : "(null)")
			       : (*e->user ? e->user : "(null)"))
		    : "",
	    e->auth ? ")" : "");
	if (!*e->server)
		return verdict(t, 1, "no server is set",
			       "set server in config system mail to the mail server's name or "
			       "address");
	if (e->auth && !e->cert && !*e->user)
		return verdict(t, 1, "auth is enabled but user is empty",
			       "set user (and passwd) in config system mail, or set auth disable");
	if (e->auth && e->cert && !*e->local_cert)
		return verdict(t, 1, "certificate authentication without local-cert",
			       "set local-cert in config system mail");
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
		return verdict(t, 1, err,
			       "import the certificate (execute certificate local import) or fix "
			       "local-cert in config system mail");
	return 0;
}

/* ---- layer 2: DNS ------------------------------------------------------- */

static void server_text(const struct dns_server *s, char *buf, size_t len)
{
	const void *ip = s->addr.ss_family == AF_INET6
				 ? (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr
				 : (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr;
	inet_ntop(s->addr.ss_family, ip, buf, (socklen_t)len);
}

static int resolve(struct test *t, const char *host, int timeout_ms, struct sockaddr_storage *addrs,
		   size_t *naddrs)
{
	struct dns_server servers[4];
	struct dns_answer ans;
	unsigned char ip[16];
	char who[64];

	t->layer = "DNS";
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
	if (ns == 0)
		return verdict(t, 3, "no DNS server is configured",
			       "set primary (and secondary) in config system dns, or use the mail "
			       "server's IP address");
	enum dns_type types[2] = {DNS_A, DNS_AAAA};
	enum dns_status first = DNS_OK;
	for (int k = 0; k < 2; k++) {
		dns_query(servers, ns, host, types[k], timeout_ms, &ans);
		if (ans.answered_by >= 0)
			server_text(&servers[ans.answered_by], who, sizeof who);
		else
			snprintf(who, sizeof who, "no server");
		if (ans.status == DNS_OK) {
			for (size_t i = 0; i < ans.n && *naddrs < 8; i++) {
				addrs[(*naddrs)++] = ans.rec[i].addr;
				say(t, "DNS: %s has address %s (%s, answered by %s in %u ms)", host,
				    ans.rec[i].text, k ? "AAAA" : "A", who, ans.elapsed_ms);
			}
		} else if (k == 0) {
			first = ans.status;
			say(t, "DNS: %s A: %s (%s, %u ms)", host, dns_status_text(ans.status), who,
			    ans.elapsed_ms);
		}
		if (ans.status == DNS_NXDOMAIN || ans.status == DNS_TIMEOUT ||
		    ans.status == DNS_UNREACHABLE)
			break; /* the AAAA question would only repeat the answer */
	}
	if (*naddrs)
		return 0;
	switch (first == DNS_OK ? ans.status : first) {
	case DNS_NXDOMAIN:
		return verdict(t, 3, "the server name does not exist (NXDOMAIN)",
			       "check the spelling of server in config system mail");
	case DNS_TIMEOUT:
		return verdict(t, 3, "no DNS server answered",
			       "check the DNS servers in config system dns and the route to them "
			       "(execute ping)");
	case DNS_UNREACHABLE:
		return verdict(t, 3, "the DNS servers cannot be reached",
			       "check the DNS servers in config system dns and the routing table");
	case DNS_SERVFAIL:
	case DNS_REFUSED:
		return verdict(t, 3, "the DNS server failed or refused the query",
			       "check that the DNS servers in config system dns resolve names "
			       "for this appliance");
	default:
		return verdict(t, 3, "the server name has no address",
			       "check server in config system mail: the name exists but has no "
			       "A or AAAA record");
	}
}

/* ---- layers 3-8: the SMTP dialogue --------------------------------------- */

static const char *layer_of(enum smtp_stage s)
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
		return "transaction";
	}
}

static void on_progress(void *arg, enum smtp_stage stage, const char *info)
{
	struct test *t = arg;
	say(t, "%s: %s",
	    stage == SMTP_STARTTLS ? "TLS"
	    : stage >= SMTP_MAIL   ? smtp_stage_name(stage)
				   : layer_of(stage),
	    info);
	if (stage != SMTP_CONNECT)
		return;
	/* One progress line per address tried, in order: after a failed
	 * attempt, what the packets showed about it. */
	if (t->ev && strncmp(info, "connected to ", 13) != 0) {
		evidence_describe(t->ev, t->attempt, t->seen, sizeof t->seen);
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

static const char *hint_for(const struct smtp_error *e, const struct config_mail *en)
{
	switch (e->cls) {
	case SMTP_E_CONNECT:
		if (e->sys_errno == ECONNREFUSED)
			return "nothing listens on that port: check port in config system mail and "
			       "that the mail server is running";
		return "no route to the server: check the routing table and default gateway "
		       "(execute traceroute)";
	case SMTP_E_TIMEOUT:
		if (e->stage == SMTP_CONNECT)
			return "no answer: a firewall drops the packets or the route is wrong "
			       "(execute ping, execute traceroute, diagnose sniffer packet)";
		if (e->stage == SMTP_GREETING)
			return "the server accepted the connection but said nothing: check "
			       "secure-option against the port (465 needs smtps) or the server's "
			       "load";
		return "the server stopped answering: check its load and any firewall in "
		       "between";
	case SMTP_E_CLOSED:
		return "the server closed the connection: check its logs, and whether it "
		       "accepts connections from this appliance";
	case SMTP_E_PROTOCOL:
		return e->stage == SMTP_GREETING
			       ? "check secure-option against the port (465 needs smtps; 25 and "
				 "587 use starttls)"
			       : "the server does not speak SMTP correctly here; check port and "
				 "secure-option";
	case SMTP_E_TLS:
		if (e->verify)
			return "the server's certificate is not trusted or not for this name: "
			       "check server (it must match the certificate) and the CA";
		if (strstr(e->detail, "mismatch"))
			return "check secure-option against the port (465 needs smtps; 25 and 587 "
			       "use starttls)";
		if (strstr(e->detail, "client certificate"))
			return "the server wants another client certificate: check local-cert";
		return "the server and this appliance share no TLS version or cipher: check "
		       "ssl-protocol in config system mail";
	case SMTP_E_MISSING:
		if (e->stage == SMTP_AUTH)
			return "the server offers no usable AUTH here: check the port (587 usually "
			       "offers AUTH, 25 often does not) or set auth disable";
		if (e->stage == SMTP_MAIL)
			return "use ASCII addresses, or a mail server that supports SMTPUTF8";
		return "the server does not offer STARTTLS: use secure-option smtps (port "
		       "465), or none if the network is trusted";
	case SMTP_E_POLICY:
		return "set secure-option starttls or smtps so the password is encrypted";
	case SMTP_E_TEMP:
		return "the server refused for now (a temporary error): try again later, and "
		       "read the server's words above";
	case SMTP_E_PERM:
		if (e->stage == SMTP_AUTH)
			return en->user && *en->user
				       ? "check user and passwd in config system mail (some "
					 "providers "
					 "need an app password)"
				       : "check user and passwd in config system mail";
		if (e->stage == SMTP_MAIL && e->code == 0)
			return "the message is larger than the server accepts (its SIZE limit)";
		if (e->stage == SMTP_MAIL)
			return "the server refuses the sender: use an address it accepts as "
			       "mail-from (and in from)";
		if (e->stage == SMTP_RCPT)
			return "the server refuses the recipient: relaying may need AUTH, or the "
			       "address is wrong";
		return "the server refused the message: read its words above";
	case SMTP_E_INPUT:
		return "check the addresses given to the test";
	default:
		return "see the message above";
	}
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
	char host[64], final[512], *msg;
	size_t len;

	config_hostname(t->cli->cfg, host, sizeof host);
	cfg.helo_name = host;
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
				 time(NULL), host, &len, err.detail, sizeof err.detail);
	if (!msg) {
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
	t->layer = err.stage >= SMTP_MAIL ? smtp_stage_name(err.stage) : layer_of(err.stage);
	if (err.cls == SMTP_E_SYSTEM && err.sys_errno == EINTR) {
		say(t, "%s", ""); /* after the terminal's ^C */
		return verdict(t, 5, "interrupted", "run the test again");
	}
	char reason[sizeof err.detail + sizeof t->seen + 4];
	if (err.stage == SMTP_CONNECT && *t->seen)
		snprintf(reason, sizeof reason, "%s; %s", err.detail, t->seen);
	else
		snprintf(reason, sizeof reason, "%s", err.detail);
	return verdict(t,
		       err.stage == SMTP_AUTH	    ? 6
		       : err.stage <= SMTP_GREETING ? 3
						    : 5,
		       reason, hint_for(&err, e));
}

int cmds_mailserver_test(struct cli *cli, const struct cli_args *a)
{
	struct test t = {cli, "settings"};
	struct config_mail e;
	struct sockaddr_storage addrs[8];
	size_t naddrs;
	int timeout_ms = a->argc > 3 ? atoi(a->argv[3]) * 1000 : 10000, rc;

	cli->cancel = 0;
	rc = config_mail_load(cli->cfg, a->argv[0], &e);
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
