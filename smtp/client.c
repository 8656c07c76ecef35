/* SPDX-License-Identifier: MIT */
/*
 * client.c - the SMTP client state machine.
 *
 * Each stage (smtp_stage) sends one command, or a pipelined group, and
 * handles its reply; enter() names the stage and arms its deadline, so an
 * error always knows where it happened.  Security rules, in one place:
 *   - STARTTLS required (secure-option starttls) fails closed when it is
 *     not offered, refused, or the handshake fails;
 *   - opportunistic STARTTLS (default) goes on in plain text only when it
 *     is not offered or refused, never after a failed handshake;
 *   - after STARTTLS any byte already buffered is an injection attempt and
 *     ends the session; everything learned before TLS is forgotten;
 *   - a password is never sent without TLS unless secure-option is none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "smtp/auth.h"
#include "smtp/conn.h"
#include "smtp/message.h"
#include "smtp/reply.h"
#include "smtp/smtp.h"

struct smtp_session {
	const struct smtp_config *cfg;
	struct smtp_conn c;
	enum smtp_stage stage;
	char *in; /* bytes read and not yet parsed */
	size_t inlen, incap;
	char *out; /* commands queued for one write */
	size_t outlen, outcap;
	struct smtp_ehlo ehlo;
	struct smtp_info info;
	bool secret;	       /* AUTH exchange: mask what the transcript sees */
	bool usable;	       /* the dialogue is in a state where QUIT makes sense */
	struct smtp_seen seen; /* what the diagnosis of a failure needs */
	long long stage_start; /* ms: when the current stage began */
	int stage_timeout;     /* ms: its deadline */
	size_t stage_bytes;    /* bytes received in the current stage */
};

static const char *const stage_names[SMTP_STAGES] = {
	[SMTP_CONNECT] = "connect", [SMTP_GREETING] = "greeting", [SMTP_EHLO] = "EHLO",
	[SMTP_HELO] = "HELO",	    [SMTP_STARTTLS] = "STARTTLS", [SMTP_TLS] = "TLS handshake",
	[SMTP_AUTH] = "AUTH",	    [SMTP_MAIL] = "MAIL FROM",	  [SMTP_RCPT] = "RCPT TO",
	[SMTP_DATA] = "DATA",	    [SMTP_BODY] = "end of data",  [SMTP_RSET] = "RSET",
	[SMTP_QUIT] = "QUIT",
};

/* RFC 5321 §4.5.3.2 where it gives one; 30 s to connect, 60 s for TLS. */
static const int default_timeout_ms[SMTP_STAGES] = {
	[SMTP_CONNECT] = 30000, [SMTP_GREETING] = 300000, [SMTP_EHLO] = 300000,
	[SMTP_HELO] = 300000,	[SMTP_STARTTLS] = 300000, [SMTP_TLS] = 60000,
	[SMTP_AUTH] = 300000,	[SMTP_MAIL] = 300000,	  [SMTP_RCPT] = 300000,
	[SMTP_DATA] = 120000,	[SMTP_BODY] = 600000,	  [SMTP_RSET] = 300000,
	[SMTP_QUIT] = 300000,
};

const char *smtp_stage_name(enum smtp_stage stage)
{
	return stage < SMTP_STAGES ? stage_names[stage] : "?";
}

static void enter(struct smtp_session *s, enum smtp_stage stage)
{
	int t = s->cfg->timeout_ms[stage] ? s->cfg->timeout_ms[stage] : default_timeout_ms[stage];
	s->stage = stage;
	s->stage_start = smtp_now_ms();
	s->stage_timeout = t;
	s->stage_bytes = 0;
	s->c.deadline = s->stage_start + t;
}

/* Stamps a failure with where it happened and what the session knew. */
static void stamp(struct smtp_session *s, struct smtp_error *err)
{
	err->stage = s->stage;
	err->timeout_ms = s->stage_timeout;
	err->waited_ms = smtp_now_ms() - s->stage_start;
	err->got_bytes = s->stage_bytes > 0;
	err->seen = s->seen;
}

static void progress(struct smtp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(struct smtp_session *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!s->cfg->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->cfg->progress(s->cfg->hook_arg, s->stage, line);
}

static int fail(struct smtp_session *s, struct smtp_error *err, enum smtp_class cls,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(struct smtp_session *s, struct smtp_error *err, enum smtp_class cls,
		const char *fmt, ...)
{
	va_list ap;
	stamp(s, err);
	err->cls = cls;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return -1;
}

/* An I/O failure the lower layer described: stamp it with the stage. */
static int failed(struct smtp_session *s, struct smtp_error *err)
{
	stamp(s, err);
	if (err->cls == SMTP_OK)
		err->cls = SMTP_E_SYSTEM;
	s->usable = false; /* the byte stream is in an unknown state */
	return -1;
}

/* A 4xx or 5xx reply where something else was expected. */
static int refused(struct smtp_session *s, const struct smtp_reply *r, struct smtp_error *err,
		   const char *what)
{
	err->code = r->code;
	snprintf(err->enhanced, sizeof err->enhanced, "%s", r->enhanced);
	snprintf(err->reply, sizeof err->reply, "%.*s", (int)sizeof err->reply - 1, r->text);
	if (r->code == 421)
		s->usable = false; /* the server is closing the channel */
	return fail(s, err,
		    r->code >= 500   ? SMTP_E_PERM
		    : r->code >= 400 ? SMTP_E_TEMP
				     : SMTP_E_PROTOCOL,
		    "%s: %d %s", what, r->code, r->text);
}

static void transcript(struct smtp_session *s, char dir, const char *line, size_t n)
{
	char buf[SMTP_REPLY_MAX_LINE + 1];
	if (!s->cfg->transcript)
		return;
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	s->cfg->transcript(s->cfg->hook_arg, dir, s->c.ssl != NULL, buf);
}

/* Queues one command line; shown is what the transcript sees instead
 * (the masked form of an AUTH line). */
static int put(struct smtp_session *s, const char *line, const char *shown, struct smtp_error *err)
{
	size_t n = strlen(line);
	if (s->outlen + n + 2 > s->outcap) {
		size_t cap = (s->outlen + n + 2) * 2;
		char *o = realloc(s->out, cap);
		if (!o)
			return fail(s, err, SMTP_E_SYSTEM, "out of memory");
		s->out = o;
		s->outcap = cap;
	}
	memcpy(s->out + s->outlen, line, n);
	memcpy(s->out + s->outlen + n, "\r\n", 2);
	s->outlen += n + 2;
	shown = shown ? shown : line;
	transcript(s, '>', shown, strlen(shown));
	return 0;
}

static int flush(struct smtp_session *s, struct smtp_error *err)
{
	int rc = smtp_conn_write(&s->c, s->out, s->outlen, err);
	s->outlen = 0;
	return rc == 0 ? 0 : failed(s, err);
}

/* Why bytes that are not a reply arrived: most often the wrong mode for
 * the port (a TLS record where a plain greeting belongs). */
static int not_smtp(struct smtp_session *s, struct smtp_error *err, const struct smtp_reply *r)
{
	if (s->stage == SMTP_GREETING && !s->c.ssl && s->inlen && s->in[0] == 0x16)
		return fail(s, err, SMTP_E_PROTOCOL,
			    "the server speaks TLS where a plain greeting was expected: "
			    "port/mode mismatch (use secure-option smtps)");
	return fail(s, err, SMTP_E_PROTOCOL, "the server's answer is not an SMTP reply (%s)",
		    r->text);
}

/* Reads one whole reply, however many reads it takes. */
static int get_reply(struct smtp_session *s, struct smtp_reply *r, struct smtp_error *err)
{
	for (;;) {
		size_t used = 0;
		switch (smtp_reply_parse(s->in, s->inlen, r, &used)) {
		case SMTP_REPLY_DONE:
			for (size_t i = 0; i < used;) {
				/* The buffer holds bytes, not a string: search within it. */
				const char *nl = memchr(s->in + i, '\n', used - i);
				size_t n = nl ? (size_t)(nl - (s->in + i)) : used - i;
				size_t shown = n && s->in[i + n - 1] == '\r' ? n - 1 : n;
				/* A 334 continuation carries SASL data: mask it. */
				if (s->secret && r->code == 334)
					transcript(s, '<', "334 ****", 8);
				else
					transcript(s, '<', s->in + i, shown);
				i += n + 1;
			}
			memmove(s->in, s->in + used, s->inlen - used);
			s->inlen -= used;
			return 0;
		case SMTP_REPLY_BAD:
			s->usable = false;
			return not_smtp(s, err, r);
		case SMTP_REPLY_TOO_LONG:
			s->usable = false;
			return fail(s, err, SMTP_E_PROTOCOL, "the server's reply is too long: %s",
				    r->text);
		case SMTP_REPLY_MORE:
			break;
		}
		if (s->incap - s->inlen < 4096) {
			size_t cap = s->incap ? s->incap * 2 : 8192;
			char *b = cap <= 1 << 20 ? realloc(s->in, cap) : NULL;
			if (!b)
				return fail(s, err, SMTP_E_PROTOCOL,
					    "the server's reply is too long");
			s->in = b;
			s->incap = cap;
		}
		long n = smtp_conn_read(&s->c, s->in + s->inlen, s->incap - s->inlen - 1, err);
		if (n == 0) {
			s->usable = false;
			return fail(s, err, SMTP_E_CLOSED, "the server closed the connection");
		}
		if (n < 0)
			return failed(s, err);
		s->inlen += (size_t)n;
		s->stage_bytes += (size_t)n;
	}
}

/* One command, one reply, whose first digit must be want. */
static int command(struct smtp_session *s, enum smtp_stage stage, const char *line,
		   const char *shown, int want, struct smtp_reply *r, struct smtp_error *err)
{
	enter(s, stage);
	if (put(s, line, shown, err) != 0 || flush(s, err) != 0 || get_reply(s, r, err) != 0)
		return -1;
	/* The masked form: an AUTH line must not reach an error message. */
	return r->code / 100 == want ? 0 : refused(s, r, err, shown ? shown : line);
}

static int ehlo(struct smtp_session *s, struct smtp_error *err)
{
	const char *name = s->cfg->helo_name ? s->cfg->helo_name : "localhost";
	char line[300];
	struct smtp_reply r;

	memset(&s->ehlo, 0, sizeof s->ehlo);
	snprintf(line, sizeof line, "EHLO %s", name);
	enter(s, SMTP_EHLO);
	if (put(s, line, NULL, err) != 0 || flush(s, err) != 0 || get_reply(s, &r, err) != 0)
		return -1;
	if (r.code == 250) {
		smtp_ehlo_parse(&r, &s->ehlo);
		bool tls = s->info.tls;
		snprintf(tls ? s->seen.ehlo_tls : s->seen.ehlo_plain, sizeof s->seen.ehlo_tls, "%s",
			 s->ehlo.keywords);
		snprintf(tls ? s->seen.mechs_tls : s->seen.mechs_plain, sizeof s->seen.mechs_tls,
			 "%s", s->ehlo.mech_names);
		*(tls ? &s->seen.ehlo_tls_done : &s->seen.ehlo_plain_done) = true;
		s->info.esmtp = true;
		snprintf(s->info.extensions, sizeof s->info.extensions, "%s", s->ehlo.keywords);
		s->info.max_size = s->ehlo.size;
		progress(s, "EHLO accepted; extensions: %s%s%s%s",
			 *s->ehlo.keywords ? s->ehlo.keywords : "(none)",
			 *s->ehlo.mech_names ? " (AUTH " : "", s->ehlo.mech_names,
			 *s->ehlo.mech_names ? ")" : "");
		return 0;
	}
	if (r.code / 100 != 5)
		return refused(s, &r, err, "EHLO");
	int ehlo_code = r.code;
	/* An old server: HELO, and no extensions at all. */
	snprintf(line, sizeof line, "HELO %s", name);
	if (command(s, SMTP_HELO, line, NULL, 2, &r, err) != 0)
		return -1;
	s->info.esmtp = false;
	s->info.extensions[0] = '\0';
	s->seen.helo_only = true;
	progress(s, "EHLO refused (%d); HELO accepted, no extensions", ehlo_code);
	return 0;
}

static int tls(struct smtp_session *s, struct smtp_error *err)
{
	enter(s, SMTP_TLS);
	if (smtp_conn_tls(&s->c, s->cfg, &s->info, err) != 0)
		return failed(s, err);
	progress(s, "%s %s; peer %s, issued by %s, expires %s; verification %s",
		 s->info.tls_version, s->info.tls_cipher, s->info.peer_subject, s->info.peer_issuer,
		 s->info.peer_expiry, s->cfg->no_verify ? "skipped" : "ok");
	return 0;
}

/* With TLS 1.3 the server judges our certificate after the handshake, so
 * its refusal arrives with the first read: it is still the TLS layer's. */
static int after_tls(int rc, struct smtp_error *err)
{
	if (rc != 0 && err->cls == SMTP_E_TLS)
		err->stage = SMTP_TLS;
	return rc;
}

static int starttls(struct smtp_session *s, struct smtp_error *err)
{
	bool required = s->cfg->security == SMTP_SEC_STARTTLS;
	struct smtp_reply r;

	enter(s, SMTP_STARTTLS);
	if (!s->ehlo.starttls) {
		if (required)
			return fail(s, err, SMTP_E_MISSING,
				    "the server does not offer STARTTLS, and secure-option "
				    "starttls requires it");
		progress(s, "STARTTLS not offered: going on without TLS");
		return 0;
	}
	if (put(s, "STARTTLS", NULL, err) != 0 || flush(s, err) != 0 || get_reply(s, &r, err) != 0)
		return -1;
	if (r.code != 220) {
		if (required)
			return refused(s, &r, err, "STARTTLS");
		progress(s, "STARTTLS refused (%d %s): going on without TLS", r.code, r.text);
		return 0;
	}
	if (s->inlen) {
		s->usable = false;
		return fail(s, err, SMTP_E_PROTOCOL,
			    "the server sent data after its STARTTLS reply (a command injection "
			    "attempt, CVE-2011-0411): session aborted");
	}
	if (tls(s, err) != 0)
		return -1;
	return after_tls(ehlo(s, err), err); /* what was offered in clear counts no more */
}

/* The strongest mechanism both sides know: CRAM-MD5 never sends the
 * password, PLAIN needs one round trip, LOGIN is the old fallback. */
static int auth_password(struct smtp_session *s, struct smtp_error *err)
{
	const char *user = s->cfg->user ? s->cfg->user : "",
		   *pw = s->cfg->password ? s->cfg->password : "";
	unsigned m = s->ehlo.mechs;
	struct smtp_reply r;
	char *resp = NULL, line[1200];
	int rc = -1;

	/* What the server offers comes first: advice about TLS would send the
	 * operator in a circle when there is no usable AUTH either way. */
	if (!*s->ehlo.mech_names)
		return fail(s, err, SMTP_E_MISSING, "the server does not offer AUTH");
	if (!(m & (SMTP_MECH_CRAM_MD5 | SMTP_MECH_PLAIN | SMTP_MECH_LOGIN)))
		return fail(s, err, SMTP_E_MISSING,
			    "the server offers AUTH %s, none of which appsh supports (PLAIN, "
			    "LOGIN, CRAM-MD5)",
			    s->ehlo.mech_names);
	if (!s->info.tls && s->cfg->security != SMTP_SEC_NONE)
		return fail(s, err, SMTP_E_POLICY,
			    "refusing to send the password over a connection without TLS; use "
			    "secure-option starttls or smtps, or secure-option none to allow it");
	s->secret = true;
	if (m & SMTP_MECH_CRAM_MD5) {
		snprintf(s->info.auth_mech, sizeof s->info.auth_mech, "CRAM-MD5");
		if (command(s, SMTP_AUTH, "AUTH CRAM-MD5", NULL, 3, &r, err) != 0)
			goto out;
		if (!(resp = smtp_sasl_cram_md5(user, pw, r.text))) {
			fail(s, err, SMTP_E_PROTOCOL, "the CRAM-MD5 challenge is not base64");
			goto out;
		}
		rc = command(s, SMTP_AUTH, resp, "****", 2, &r, err);
	} else if (m & SMTP_MECH_PLAIN) {
		snprintf(s->info.auth_mech, sizeof s->info.auth_mech, "PLAIN");
		if (!(resp = smtp_sasl_plain(user, pw)))
			goto out;
		snprintf(line, sizeof line, "AUTH PLAIN %s", resp);
		rc = command(s, SMTP_AUTH, line, "AUTH PLAIN ****", 2, &r, err);
		explicit_bzero(line, sizeof line);
	} else {
		snprintf(s->info.auth_mech, sizeof s->info.auth_mech, "LOGIN");
		if (command(s, SMTP_AUTH, "AUTH LOGIN", NULL, 3, &r, err) != 0 ||
		    !(resp = smtp_b64(user, strlen(user))) ||
		    command(s, SMTP_AUTH, resp, "****", 3, &r, err) != 0)
			goto out;
		smtp_sasl_free(resp);
		if (!(resp = smtp_b64(pw, strlen(pw))))
			goto out;
		rc = command(s, SMTP_AUTH, resp, "****", 2, &r, err);
	}
out:
	s->secret = false;
	smtp_sasl_free(resp);
	if (rc != 0 && err->code == 535)
		snprintf(err->detail, sizeof err->detail,
			 "the user name or password was rejected (%d %.150s)", err->code,
			 err->reply);
	if (rc == 0)
		progress(s, "AUTH %s accepted", s->info.auth_mech);
	return rc;
}

static int auth(struct smtp_session *s, struct smtp_error *err)
{
	struct smtp_reply r;

	enter(s, SMTP_AUTH);
	if (s->cfg->auth == SMTP_AUTH_PASSWORD)
		return auth_password(s, err);
	if (s->cfg->auth != SMTP_AUTH_CERTIFICATE)
		return 0;
	if (!s->info.tls)
		return fail(s, err, SMTP_E_POLICY,
			    "certificate authentication needs TLS; use secure-option starttls or "
			    "smtps");
	if (!(s->ehlo.mechs & SMTP_MECH_EXTERNAL)) {
		progress(s, "the client certificate was presented in the TLS handshake");
		return 0;
	}
	snprintf(s->info.auth_mech, sizeof s->info.auth_mech, "EXTERNAL");
	if (command(s, SMTP_AUTH, "AUTH EXTERNAL =", NULL, 2, &r, err) != 0)
		return -1;
	progress(s, "AUTH EXTERNAL accepted");
	return 0;
}

int smtp_open(const struct smtp_config *cfg, struct smtp_session **out, struct smtp_error *err)
{
	struct smtp_session *s = calloc(1, sizeof *s);
	struct smtp_reply r;

	memset(err, 0, sizeof *err);
	*out = NULL;
	if (!s) {
		err->cls = SMTP_E_SYSTEM;
		snprintf(err->detail, sizeof err->detail, "out of memory");
		return -1;
	}
	s->cfg = cfg;
	s->c.fd = -1;
	s->c.seen = &s->seen.tls;
	s->c.cancelled = cfg->cancelled;
	s->c.cancel_arg = cfg->hook_arg;
	enter(s, SMTP_CONNECT);
	if ((cfg->helo_name && smtp_has_line_break(cfg->helo_name)) ||
	    (cfg->user && smtp_has_line_break(cfg->user))) {
		fail(s, err, SMTP_E_INPUT, "the EHLO name or user holds CR, LF or NUL");
		goto fail;
	}
	if (cfg->naddrs == 0) {
		fail(s, err, SMTP_E_INPUT, "no address to connect to");
		goto fail;
	}
	for (size_t i = 0; i < cfg->naddrs; i++) {
		char host[INET6_ADDRSTRLEN] = "?";
		const struct sockaddr_storage *a = &cfg->addrs[i];
		const void *ip =
			a->ss_family == AF_INET6
				? (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr
				: (const void *)&((const struct sockaddr_in *)a)->sin_addr;
		inet_ntop(a->ss_family, ip, host, sizeof host);
		snprintf(s->info.address, sizeof s->info.address,
			 a->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, cfg->port);
		struct sockaddr_storage to = *a;
		if (to.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&to)->sin6_port = htons(cfg->port);
		else
			((struct sockaddr_in *)&to)->sin_port = htons(cfg->port);
		long long t0 = smtp_now_ms();
		enter(s, SMTP_CONNECT);
		memset(err, 0, sizeof *err);
		if (smtp_conn_connect(&s->c, &to, err) == 0) {
			progress(s, "connected to %s in %lld ms", s->info.address,
				 smtp_now_ms() - t0);
			break;
		}
		stamp(s, err);
		progress(s, "%s: %s after %lld ms", s->info.address,
			 err->cls == SMTP_E_TIMEOUT ? "no answer (timed out)" : err->detail,
			 smtp_now_ms() - t0);
	}
	if (s->c.fd < 0)
		goto fail;
	if (cfg->security == SMTP_SEC_SMTPS && tls(s, err) != 0)
		goto fail;
	enter(s, SMTP_GREETING);
	if (after_tls(get_reply(s, &r, err), err) != 0) {
		/* Silence may be an implicit-TLS port waiting for a ClientHello:
		 * the caller can tell (diag_gather_implicit_tls). */
		if (err->cls == SMTP_E_TIMEOUT)
			snprintf(err->detail, sizeof err->detail, "no greeting in time");
		goto fail;
	}
	if (r.code != 220) {
		refused(s, &r, err, "greeting");
		goto fail;
	}
	snprintf(s->info.greeting, sizeof s->info.greeting, "%.*s",
		 (int)sizeof s->info.greeting - 1, r.text);
	progress(s, "%d %s", r.code, r.text);
	s->usable = true;
	if (ehlo(s, err) != 0)
		goto fail;
	if ((cfg->security == SMTP_SEC_STARTTLS || cfg->security == SMTP_SEC_DEFAULT) &&
	    starttls(s, err) != 0)
		goto fail;
	if (auth(s, err) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	smtp_close(s);
	return -1;
}

/* Reads the replies of a pipelined group in order; the first failure is
 * the one reported, but every reply is read to stay in step. */
static int pipelined(struct smtp_session *s, const char *from, const char *const *to, size_t nto,
		     struct smtp_error *err)
{
	struct smtp_reply r;
	int rc = 0;
	char what[400];

	enter(s, SMTP_MAIL);
	if (get_reply(s, &r, err) != 0)
		return -1;
	if (r.code / 100 != 2) {
		snprintf(what, sizeof what, "MAIL FROM:<%s>", from);
		rc = refused(s, &r, err, what);
	}
	for (size_t i = 0; i < nto; i++) {
		enter(s, SMTP_RCPT);
		if (get_reply(s, &r, err) != 0)
			return -1;
		if (r.code / 100 != 2 && rc == 0) {
			snprintf(what, sizeof what, "RCPT TO:<%s>", to[i]);
			rc = refused(s, &r, err, what);
		}
	}
	enter(s, SMTP_DATA);
	if (get_reply(s, &r, err) != 0)
		return -1;
	if (r.code == 354 && rc != 0) {
		/* The server wants the message although a recipient was refused.
		 * Ending it with "." would deliver an empty message to the
		 * others, and RSET cannot take that back: there is no way out
		 * of DATA but to drop the connection, which makes the server
		 * discard the unfinished message. */
		shutdown(s->c.fd, SHUT_RDWR);
		s->usable = false;
	} else if (r.code != 354 && rc == 0) {
		rc = refused(s, &r, err, "DATA");
	}
	return rc;
}

static bool ascii(const char *str)
{
	for (; *str; str++)
		if ((unsigned char)*str >= 0x80)
			return false;
	return true;
}

int smtp_send(struct smtp_session *s, const char *from, const char *const *to, size_t nto,
	      const char *message, size_t len, char *final, size_t finallen, struct smtp_error *err)
{
	char line[600], *wire = NULL;
	size_t wlen = 0;
	struct smtp_reply r;
	int rc = -1;

	memset(err, 0, sizeof *err);
	enter(s, SMTP_MAIL);
	if (!s->usable)
		return fail(s, err, SMTP_E_CLOSED, "the connection is no longer usable");
	if (!smtp_address_valid(from) && *from)
		return fail(s, err, SMTP_E_INPUT, "the sender address is not valid");
	if (nto == 0)
		return fail(s, err, SMTP_E_INPUT, "no recipient");
	for (size_t i = 0; i < nto; i++)
		if (!smtp_address_valid(to[i]))
			return fail(s, err, SMTP_E_INPUT, "recipient %zu is not a valid address",
				    i + 1);
	char why[200];
	if (!(wire = smtp_data_encode(message, len, &wlen, why, sizeof why)))
		return fail(s, err, SMTP_E_INPUT, "%s", why);
	if (s->ehlo.size && wlen > s->ehlo.size) {
		fail(s, err, SMTP_E_PERM,
		     "the message is %zu bytes; the server accepts at most %zu (SIZE)", wlen,
		     s->ehlo.size);
		goto out;
	}
	/* Non-ASCII addresses need SMTPUTF8 (RFC 6531), or they cannot be sent. */
	bool utf8 = !ascii(from);
	for (size_t i = 0; i < nto; i++)
		utf8 = utf8 || !ascii(to[i]);
	if (utf8 && !s->ehlo.smtputf8) {
		fail(s, err, SMTP_E_MISSING,
		     "an address is not ASCII and the server does not offer SMTPUTF8");
		goto out;
	}
	int n = snprintf(line, sizeof line, "MAIL FROM:<%s>", from);
	if (s->ehlo.size)
		n += snprintf(line + n, sizeof line - n, " SIZE=%zu", wlen);
	if (s->ehlo.eightbitmime)
		n += snprintf(line + n, sizeof line - n, " BODY=8BITMIME");
	if (utf8)
		snprintf(line + n, sizeof line - n, " SMTPUTF8");
	if (s->ehlo.pipelining) {
		if (put(s, line, NULL, err) != 0)
			goto out;
		for (size_t i = 0; i < nto; i++) {
			snprintf(line, sizeof line, "RCPT TO:<%s>", to[i]);
			if (put(s, line, NULL, err) != 0)
				goto out;
		}
		if (put(s, "DATA", NULL, err) != 0 || flush(s, err) != 0 ||
		    pipelined(s, from, to, nto, err) != 0)
			goto out;
	} else {
		if (command(s, SMTP_MAIL, line, NULL, 2, &r, err) != 0)
			goto out;
		for (size_t i = 0; i < nto; i++) {
			snprintf(line, sizeof line, "RCPT TO:<%s>", to[i]);
			if (command(s, SMTP_RCPT, line, NULL, 2, &r, err) != 0)
				goto out;
		}
		if (command(s, SMTP_DATA, "DATA", NULL, 3, &r, err) != 0)
			goto out;
	}
	progress(s, "MAIL FROM, %zu RCPT TO and DATA accepted", nto);
	enter(s, SMTP_BODY);
	transcript(s, '>', "(message body)", 14);
	if (smtp_conn_write(&s->c, wire, wlen, err) != 0) {
		failed(s, err);
		goto out;
	}
	if (get_reply(s, &r, err) != 0)
		goto out;
	if (r.code / 100 != 2) {
		refused(s, &r, err, "end of data");
		goto out;
	}
	if (final)
		snprintf(final, finallen, "%d %s", r.code, r.text);
	progress(s, "%d %s", r.code, r.text);
	rc = 0;
out:
	free(wire);
	if (rc != 0 && s->usable) {
		/* Leave the connection ready for the next message. */
		struct smtp_error ignore;
		smtp_reset(s, &ignore);
	}
	return rc;
}

int smtp_reset(struct smtp_session *s, struct smtp_error *err)
{
	struct smtp_reply r;
	memset(err, 0, sizeof *err);
	if (!s->usable)
		return fail(s, err, SMTP_E_CLOSED, "the connection is no longer usable");
	return command(s, SMTP_RSET, "RSET", NULL, 2, &r, err);
}

const struct smtp_info *smtp_session_info(const struct smtp_session *s)
{
	return &s->info;
}

void smtp_close(struct smtp_session *s)
{
	if (!s)
		return;
	if (s->usable && s->c.fd >= 0) {
		struct smtp_error ignore = {0};
		struct smtp_reply r;
		/* QUIT is a courtesy: a short deadline, and no complaint. */
		enter(s, SMTP_QUIT);
		s->c.deadline = smtp_now_ms() + 2000;
		if (put(s, "QUIT", NULL, &ignore) == 0 && flush(s, &ignore) == 0)
			get_reply(s, &r, &ignore);
	}
	if (s->cfg->tls_session)
		smtp_conn_keep_session(&s->c, s->cfg->tls_session);
	smtp_conn_close(&s->c);
	free(s->in);
	free(s->out);
	free(s);
}
