/* SPDX-License-Identifier: MIT */
/* deliver.c - delivering queued messages over reused connections. */
#include "maild/deliver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/mail.h"
#include "diag/gather.h"
#include "diag/mailsmtp.h"
#include "diag/resolve.h"
#include "diag/verdict.h"
#include "log/debug.h"
#include "smtp/smtp.h"

#define DNS_TIMEOUT_MS	 5000
#define STAGE_TIMEOUT_MS 30000 /* per SMTP stage: a daemon must not wait 10 minutes */

/* The deadline per SMTP stage: 30 s, or APPSH_MAILD_STAGE_TIMEOUT seconds
 * (the tests' short one). */
static int stage_timeout_ms(void)
{
	const char *e = getenv("APPSH_MAILD_STAGE_TIMEOUT");
	int s = e ? atoi(e) : 0;
	return s > 0 && s <= 3600 ? s * 1000 : STAGE_TIMEOUT_MS;
}
#define MAX_ADDRS 8
#define MAX_RCPTS 100

struct md_link {
	struct smtp_session *s; /* NULL when closed */
	unsigned char key[32];	/* which server and settings s was opened with */
	struct config_mail cfg; /* what sc points into, kept while s is open */
	struct smtp_config sc;
	struct sockaddr_storage addrs[MAX_ADDRS];
	char helo[64];
	char ssl[96];	   /* the TLS floor as the diagnosis shows it */
	void *tls_session; /* resumed by the next connection to the same server */
	time_t opened, used;
	int count;    /* messages sent on s */
	bool in_body; /* the body is going out: see link_cancelled */
	bool (*cancelled)(void *arg);
	void *arg;
};

struct md_link *md_link_new(bool (*cancelled)(void *arg), void *arg)
{
	struct md_link *l = calloc(1, sizeof *l);
	if (l) {
		l->cancelled = cancelled;
		l->arg = arg;
	}
	return l;
}

static void link_close(struct md_link *l)
{
	if (l->s) {
		smtp_close(l->s);
		l->s = NULL;
		log_debug_printf("fazmaild", 8, "%s: closed the connection after %d message(s)",
				 __func__, l->count);
	}
	config_mail_free(&l->cfg);
}

void md_link_free(struct md_link *l)
{
	if (!l)
		return;
	link_close(l);
	smtp_tls_session_free(&l->tls_session);
	free(l);
}

time_t md_link_idle(struct md_link *l, time_t now)
{
	if (l->s && now - l->used >= LINK_IDLE)
		link_close(l);
	return l->s ? l->used + LINK_IDLE : -1;
}

/* ---- the configuration ---------------------------------------------------- */

/* A digest of everything that decides how we connect: a change in any of
 * it (an operator's `set`) means a new connection. */
static void fingerprint(const char *id, const struct config_mail *c, unsigned char key[32])
{
	char head[64];
	const char *parts[] = {id,	    c->server,	c->user,   c->password, c->local_cert,
			       c->cert_pem, c->key_pem, c->ca_pem, c->from};
	unsigned int n = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	memset(key, 0, 32);
	snprintf(head, sizeof head, "%u %d %d %d %d", c->port, c->sec, c->auth, c->cert,
		 c->tls_min);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, head, strlen(head) + 1)) {
		EVP_MD_CTX_free(md);
		return;
	}
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		EVP_DigestUpdate(md, parts[i] ? parts[i] : "", parts[i] ? strlen(parts[i]) + 1 : 1);
	EVP_DigestFinal_ex(md, key, &n);
	EVP_MD_CTX_free(md);
}

/* ---- the diagnosis: the same classifier as the mail server test ------ */

/* The evidence of a failure with this link's settings. */
static void evidence_of(struct md_link *l, struct diag_evidence *ev)
{
	memset(ev, 0, sizeof *ev);
	diag_gather_settings(ev, &l->cfg, l->helo, l->ssl, sizeof l->ssl);
	ev->timeout_ms = stage_timeout_ms();
	ev->timeout_from = "fazmaild's timeout per SMTP stage";
	ev->now = time(NULL);
}

/* Appends the verdict and the hint to why, so that the queue (test 3),
 * the debug output and syslog all carry them; returns the rule's name. */
static const char *explain(const struct diag_evidence *ev, char *why, size_t whylen)
{
	struct diag_verdict v;
	size_t n = strlen(why);
	diag_verdict_classify(ev, &v);
	snprintf(why + n, whylen - n, "; verdict: %s [%s]; hint: %s", v.verdict, v.rule, v.hint);
	return v.rule;
}

static void setting_fault(enum diag_setting_fault f, char *why, size_t whylen)
{
	char detail[512];
	snprintf(detail, sizeof detail, "%s", why);
	struct diag_evidence ev = {.setting = f, .setting_detail = detail, .implicit_tls = -1};
	explain(&ev, why, whylen);
}

/* ---- the SMTP session --------------------------------------------------- */

static void on_transcript(void *arg, char dir, bool tls, const char *line)
{
	(void)arg;
	log_debug_printf("fazmaild", 255, "fazmaild: %s%c %s", tls ? "[tls] " : "", dir, line);
}

static void on_progress(void *arg, enum smtp_stage stage, const char *info)
{
	struct md_link *l = arg;
	if (stage == SMTP_DATA)
		l->in_body = true; /* DATA accepted: the body goes out next */
	else if (stage == SMTP_BODY)
		l->in_body = false; /* the server's answer to it is in */
	log_debug_printf("fazmaild", 8, "fazmaild: %s: %s", smtp_stage_name(stage), info);
}

/* A stop (restart, SIGTERM) abandons a session at once, except while the
 * body is out and its answer pending: abandoning then would send the
 * message again from the next daemon.  That wait is bounded by the
 * stage's deadline. */
static bool link_cancelled(void *arg)
{
	struct md_link *l = arg;
	return !l->in_body && l->cancelled(l->arg);
}

static void say_error(const struct smtp_error *e, char *why, size_t whylen)
{
	if (e->code) {
		int n = (int)strcspn(e->reply, "\n");
		snprintf(why, whylen, "%s: %d %.*s", smtp_stage_name(e->stage), e->code, n,
			 e->reply);
	} else {
		snprintf(why, whylen, "%s: %s", smtp_stage_name(e->stage), e->detail);
	}
}

/* A 5xx to the message itself (MAIL, RCPT, DATA, the body), or an address
 * no server can take, is final.  A 5xx before that (greeting, EHLO, AUTH:
 * a wrong password) is about the server or our settings, which an operator
 * can fix: retried, as Postfix does. */
static enum md_outcome classify(const struct smtp_error *e, const char *rule)
{
	/* Refusals an operator fixes in the settings (AUTH or TLS required,
	 * the EHLO name, the appliance's address) say nothing against the
	 * message: retried like a wrong password, so no alert is lost while
	 * the settings are put right. */
	static const char *const settings[] = {"auth-required", "tls-required", "helo-name",
					       "client-rdns"};
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (!strcmp(rule, settings[i]))
			return MD_TEMP;
	bool message = e->stage >= SMTP_MAIL && e->stage <= SMTP_BODY;
	return message && (e->cls == SMTP_E_PERM || e->cls == SMTP_E_INPUT) ? MD_PERM : MD_TEMP;
}

/* Takes c (on success the link owns it) and connects. */
static enum md_outcome link_open(struct md_link *l, struct config *cfg, const char *id,
				 struct config_mail *c, const unsigned char key[32], char *why,
				 size_t whylen)
{
	struct smtp_error err;
	char dns[300];
	struct diag_evidence ev;
	static struct dns_answer failed; /* big: not on the stack */
	struct dns_server servers[4];

	l->cfg = *c;
	memset(c, 0, sizeof *c);
	memcpy(l->key, key, sizeof l->key);
	config_hostname(cfg, l->helo, sizeof l->helo);
	size_t naddrs = diag_resolve_dns(cfg, l->cfg.server, AF_UNSPEC, DNS_TIMEOUT_MS, l->addrs,
					 MAX_ADDRS, dns, sizeof dns, &failed);
	if (naddrs == 0) {
		snprintf(why, whylen, "DNS: %s: %s", l->cfg.server, dns);
		evidence_of(l, &ev);
		diag_gather_resolvers(&ev, servers, diag_dns_servers(cfg, servers, NULL));
		ev.timeout_ms = DNS_TIMEOUT_MS;
		ev.timeout_from = "fazmaild's timeout per DNS server";
		ev.dns = &failed;
		ev.dns_failed = true;
		explain(&ev, why, whylen);
		config_mail_free(&l->cfg);
		return MD_TEMP;
	}
	memset(&l->sc, 0, sizeof l->sc);
	diag_mail_smtp(&l->cfg, &l->sc);
	l->sc.addrs = l->addrs;
	l->sc.naddrs = naddrs;
	l->sc.helo_name = l->helo;
	l->sc.tls_session = &l->tls_session;
	l->sc.transcript = on_transcript;
	l->sc.progress = on_progress;
	l->sc.cancelled = link_cancelled;
	l->sc.hook_arg = l;
	for (int i = 0; i < SMTP_STAGES; i++)
		l->sc.timeout_ms[i] = stage_timeout_ms();
	log_debug_printf("fazmaild", 8, "%s: connecting to mail server \"%s\" (%s port %u)",
			 __func__, id, l->cfg.server, l->cfg.port);
	if (smtp_open(&l->sc, &l->s, &err) != 0) {
		l->s = NULL;
		say_error(&err, why, whylen);
		evidence_of(l, &ev);
		ev.err = &err;
		diag_dns_server_text(&(struct dns_server){.addr = l->addrs[naddrs - 1]}, ev.addr,
				     sizeof ev.addr);
		ev.implicit_tls = diag_gather_implicit_tls(&l->sc, &err, stage_timeout_ms());
		ev.tls_best = diag_gather_tls_best(&l->sc, &err, stage_timeout_ms());
		const char *rule = explain(&ev, why, whylen);
		config_mail_free(&l->cfg);
		return classify(&err, rule);
	}
	const struct smtp_info *info = smtp_session_info(l->s);
	if (info->tls)
		log_debug_printf("fazmaild", 8, "%s: %s %s%s", __func__, info->tls_version,
				 info->tls_cipher, info->tls_resumed ? " (session resumed)" : "");
	l->opened = l->used = time(NULL);
	l->count = 0;
	return MD_SENT;
}

/* Splits the queued recipient list (one per line) in place. */
static size_t split_rcpts(char *list, const char **to, size_t max)
{
	size_t n = 0;
	for (char *p = strtok(list, "\n"); p && n < max; p = strtok(NULL, "\n"))
		to[n++] = p;
	return n;
}

enum md_outcome md_deliver(struct md_link *l, struct config *cfg, const struct mq_msg *m, char *why,
			   size_t whylen)
{
	char id[64] = "";
	struct config_mail c;
	unsigned char key[32];
	enum md_outcome rc;
	time_t now = time(NULL);

	*why = '\0';
	if (*m->server)
		snprintf(id, sizeof id, "%s", m->server);
	else
		config_mail_first(cfg, id, sizeof id);
	if (!*id) {
		snprintf(why, whylen, "no mail server is configured (config system mail)");
		setting_fault(DIAG_SET_NO_ENTRY, why, whylen);
		return MD_TEMP;
	}
	int found = config_mail_load(cfg, id, &c);
	if (found != 1) {
		snprintf(why, whylen, "mail server \"%s\": %s", id,
			 found == 0    ? "no such entry in config system mail"
			 : found == -2 ? "the stored password does not decrypt with this key"
				       : "cannot read the entry");
		config_mail_free(&c);
		return MD_TEMP;
	}
	if (!*c.server) {
		snprintf(why, whylen, "mail server \"%s\" has no server set", id);
		setting_fault(DIAG_SET_NO_SERVER, why, whylen);
		config_mail_free(&c);
		return MD_TEMP;
	}
	if (config_mail_certs(cfg, &c, why, whylen) != 0) {
		setting_fault(DIAG_SET_CERT_LOAD, why, whylen);
		config_mail_free(&c);
		return MD_TEMP;
	}
	fingerprint(id, &c, key);
	if (memcmp(key, l->key, sizeof key) != 0) {
		/* Other settings: neither the connection nor the TLS session
		 * (made with the old certificates) may be used again. */
		link_close(l);
		smtp_tls_session_free(&l->tls_session);
	} else if (l->s && (l->count >= LINK_MAX_MESSAGES || now - l->opened >= LINK_MAX_AGE)) {
		link_close(l);
	}

	/* The RSET probe: a connection the server dropped while we were idle
	 * fails here, not in the middle of a message. */
	struct smtp_error err;
	if (l->s && smtp_reset(l->s, &err) != 0) {
		log_debug_printf("fazmaild", 8,
				 "%s: the kept connection failed RSET (%s), reconnecting", __func__,
				 err.detail);
		link_close(l);
	}
	if (l->s)
		config_mail_free(&c);
	else if ((rc = link_open(l, cfg, id, &c, key, why, whylen)) != MD_SENT)
		return rc;

	const char *sender = *m->sender ? m->sender : l->cfg.from;
	if (!*sender) {
		snprintf(why, whylen,
			 "no envelope sender: set from in config system mail, or submit with -f");
		return MD_PERM;
	}
	char *list = strdup(m->rcpts);
	const char *to[MAX_RCPTS];
	size_t nto = list ? split_rcpts(list, to, MAX_RCPTS) : 0;
	if (nto == 0) {
		bool oom = !list;
		free(list);
		snprintf(why, whylen, oom ? "out of memory" : "no recipients");
		return oom ? MD_TEMP : MD_PERM;
	}
	char final[512];
	l->in_body = false;
	int sent = smtp_send(l->s, sender, to, nto, m->body, m->len, final, sizeof final, &err);
	free(list);
	l->used = time(NULL);
	if (sent == 0) {
		l->count++;
		snprintf(why, whylen, "%s", final);
		return MD_SENT;
	}
	say_error(&err, why, whylen);
	struct diag_evidence ev;
	const char *addr = smtp_session_info(l->s)->address;
	evidence_of(l, &ev);
	ev.err = &err;
	snprintf(ev.addr, sizeof ev.addr, "%.*s", (int)strcspn(addr + (*addr == '['), "]:"),
		 addr + (*addr == '['));
	const char *rule = explain(&ev, why, whylen);
	/* 421 or a dropped connection: this one is done for. */
	if (err.code == 421 || err.cls == SMTP_E_CLOSED || err.cls == SMTP_E_TIMEOUT ||
	    err.cls == SMTP_E_PROTOCOL || err.cls == SMTP_E_SYSTEM)
		link_close(l);
	return classify(&err, rule);
}
