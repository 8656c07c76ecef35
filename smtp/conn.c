/* SPDX-License-Identifier: MIT */
/* conn.c - non-blocking TCP and TLS with deadlines, for the SMTP client. */
#include "smtp/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long long smtp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on the socket until the deadline, in slices so that a
 * cancel request (Ctrl-C) is seen within 100 ms.  0, or -1 with err. */
static int wait_fd(struct smtp_conn *c, short events, struct smtp_error *err)
{
	for (;;) {
		long long left = c->deadline - smtp_now_ms();
		if (c->cancelled && c->cancelled(c->cancel_arg)) {
			err->cls = SMTP_E_SYSTEM;
			err->sys_errno = EINTR;
			snprintf(err->detail, sizeof err->detail, "interrupted");
			return -1;
		}
		if (left <= 0) {
			err->cls = SMTP_E_TIMEOUT;
			snprintf(err->detail, sizeof err->detail, "no answer in time");
			return -1;
		}
		struct pollfd p = {.fd = c->fd, .events = events};
		int n = poll(&p, 1, left < 100 ? (int)left : 100);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			err->cls = SMTP_E_SYSTEM;
			err->sys_errno = errno;
			snprintf(err->detail, sizeof err->detail, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

int smtp_conn_connect(struct smtp_conn *c, const struct sockaddr_storage *addr,
		      struct smtp_error *err)
{
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	int one = 1, soerr = 0;
	socklen_t slen = sizeof soerr;

	c->fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail;
	/* Commands are written whole; Nagle would only delay each one. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (const struct sockaddr *)addr, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		goto fail;
	if (wait_fd(c, POLLOUT, err) != 0) {
		smtp_conn_close(c);
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == 0 && soerr == 0)
		return 0;
	errno = soerr;
fail:
	err->cls = SMTP_E_CONNECT;
	err->sys_errno = errno;
	snprintf(err->detail, sizeof err->detail, "%s", strerror(errno));
	smtp_conn_close(c);
	return -1;
}

/* The OpenSSL reason behind a failure, in words an operator can act on. */
static void tls_reason(SSL *ssl, struct smtp_error *err)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	struct smtp_tls_seen *seen = ssl ? SSL_get_app_data(ssl) : NULL;

	if (seen && reason)
		snprintf(seen->reason, sizeof seen->reason, "%s", reason);
	err->cls = SMTP_E_TLS;
	if (e && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		/* Not a TLS failure: the peer hung up (smtp_conn_tls says when). */
		err->cls = SMTP_E_CLOSED;
		snprintf(err->detail, sizeof err->detail, "the server closed the connection");
	} else if (verify != X509_V_OK) {
		err->verify = verify;
		snprintf(err->detail, sizeof err->detail, "certificate verification failed: %s",
			 X509_verify_cert_error_string(verify));
	} else if (e && ERR_GET_REASON(e) == SSL_R_WRONG_VERSION_NUMBER) {
		snprintf(err->detail, sizeof err->detail,
			 "the server did not answer with TLS (%s): port/mode mismatch?", reason);
	} else if (e && (ERR_GET_REASON(e) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
			 ERR_GET_REASON(e) == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
			 ERR_GET_REASON(e) == SSL_R_TLSV1_ALERT_UNKNOWN_CA)) {
		snprintf(err->detail, sizeof err->detail,
			 "the server rejected the client certificate (%s)", reason);
	} else {
		snprintf(err->detail, sizeof err->detail, "%s",
			 reason ? reason : "the connection closed during the TLS handshake");
	}
	ERR_clear_error();
}

/* Loads the client certificate and key from PEM text into ctx. */
static int use_client_cert(SSL_CTX *ctx, const struct smtp_config *cfg, struct smtp_error *err)
{
	BIO *cb = BIO_new_mem_buf(cfg->cert_pem, -1), *kb = BIO_new_mem_buf(cfg->key_pem, -1);
	X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	int ok = cert && key && SSL_CTX_use_certificate(ctx, cert) == 1 &&
		 SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	if (!ok) {
		err->cls = SMTP_E_TLS;
		snprintf(err->detail, sizeof err->detail,
			 "the local certificate or its key cannot be used");
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* Adds every certificate in the PEM text to the context's trust store. */
static int add_cas(SSL_CTX *ctx, const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509 *x;
	int n = 0;
	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		n += X509_STORE_add_cert(store, x) == 1;
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error(); /* the end of the text reads as an error */
	return n > 0 ? 0 : -1;
}

static void name_of(X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = b ? X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) : -1;
	if (n < 0 || (n = BIO_read(b, buf, (int)len - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	BIO_free(b);
}

static void time_of(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(buf, len, "?");
}

/* "DNS:mail.example.com, IP:192.0.2.1", or "" without the extension. */
static void sans_of(X509 *x, char *buf, size_t len)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && o + 1 < len; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char ip[INET6_ADDRSTRLEN] = "";
		if (g->type == GEN_DNS)
			o += (size_t)snprintf(buf + o, len - o, "%sDNS:%.*s", o ? ", " : "",
					      ASN1_STRING_length(g->d.dNSName),
					      (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD) {
			int n = ASN1_STRING_length(g->d.iPAddress);
			inet_ntop(n == 16 ? AF_INET6 : AF_INET,
				  ASN1_STRING_get0_data(g->d.iPAddress), ip, sizeof ip);
			o += (size_t)snprintf(buf + o, len - o, "%sIP:%s", o ? ", " : "", ip);
		}
	}
	GENERAL_NAMES_free(names);
}

/* Everything an operator needs to judge the server's certificate. */
static void cert_facts(X509 *x, STACK_OF(X509) * sent, struct smtp_tls_seen *seen)
{
	seen->have_cert = true;
	name_of(X509_get_subject_name(x), seen->subject, sizeof seen->subject);
	name_of(X509_get_issuer_name(x), seen->issuer, sizeof seen->issuer);
	sans_of(x, seen->sans, sizeof seen->sans);
	time_of(X509_get0_notBefore(x), seen->not_before, sizeof seen->not_before);
	time_of(X509_get0_notAfter(x), seen->not_after, sizeof seen->not_after);
	seen->self_signed = X509_check_issued(x, x) == X509_V_OK;
	X509 *top = sent && sk_X509_num(sent) > 0 ? sk_X509_value(sent, sk_X509_num(sent) - 1) : x;
	name_of(X509_get_issuer_name(top), seen->top_issuer, sizeof seen->top_issuer);
}

/* The verification callback only watches: it records the server's
 * certificate before OpenSSL judges it, so a failed check can still show
 * what was presented. */
static int on_verify(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct smtp_tls_seen *seen = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(x);
	if (seen && leaf && !seen->have_cert)
		cert_facts(leaf, X509_STORE_CTX_get0_untrusted(x), seen);
	return ok;
}

int smtp_conn_server_hello_version(const unsigned char *m, size_t len)
{
	size_t o = 4 + 2 + 32;
	int v = len >= 6 ? m[4] << 8 | m[5] : 0;
	if (o >= len)
		return v;
	o += 1 + m[o] + 2 + 1; /* session id, cipher suite, compression */
	if (o + 2 > len)
		return v;
	size_t end = o + 2 + (size_t)(m[o] << 8 | m[o + 1]);
	for (o += 2; o + 4 <= end && o + 4 <= len;) {
		unsigned type = m[o] << 8 | m[o + 1], n = m[o + 2] << 8 | m[o + 3];
		if (type == 43 && n == 2 && o + 6 <= len)
			return m[o + 4] << 8 | m[o + 5];
		o += 4 + n;
	}
	return v;
}

/* Watches the handshake messages and alerts (decrypted, both ways). */
static void on_message(int write_p, int version, int type, const void *buf, size_t len, SSL *ssl,
		       void *arg)
{
	struct smtp_tls_seen *seen = arg;
	const unsigned char *m = buf;
	(void)version;
	(void)ssl;
	if (type == SSL3_RT_ALERT && len == 2) {
		if (write_p)
			seen->alert_sent = m[1];
		else
			seen->alert_received = m[1];
	} else if (type == SSL3_RT_HANDSHAKE && !write_p && len >= 4) {
		if (m[0] == SSL3_MT_SERVER_HELLO)
			seen->server_version = smtp_conn_server_hello_version(m, len);
		else if (m[0] == SSL3_MT_CERTIFICATE_REQUEST)
			seen->cert_request = true;
	}
}

static SSL_CTX *make_ctx(const struct smtp_config *cfg, struct smtp_error *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int min = cfg->tls_min_version ? cfg->tls_min_version : TLS1_2_VERSION;

	if (!ctx)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, min);
	/* OpenSSL's default security level refuses TLS 1.0/1.1 (and SSLv3)
	 * outright; an operator who sets such a floor means to allow them. */
	if (min < TLS1_2_VERSION) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	}
	SSL_CTX_set_verify(ctx, cfg->no_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, on_verify);
	/* The system's hashed CA directory is read lazily, one file per issuer
	 * looked up; parsing the whole bundle file instead costs ~28 ms per
	 * connection (bench/smtp.sh).  SSL_CERT_FILE, when set, is honoured. */
	if (!cfg->no_verify &&
	    (SSL_CTX_set_default_verify_dir(ctx) != 1 ||
	     (getenv("SSL_CERT_FILE") && SSL_CTX_set_default_verify_file(ctx) != 1)))
		goto fail;
	if (cfg->ca_file && SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
		err->cls = SMTP_E_TLS;
		snprintf(err->detail, sizeof err->detail, "cannot load the trusted CAs from %s",
			 cfg->ca_file);
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	if (cfg->ca_pem && add_cas(ctx, cfg->ca_pem) != 0) {
		err->cls = SMTP_E_TLS;
		snprintf(err->detail, sizeof err->detail, "a trusted CA certificate is not valid");
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	if (cfg->auth == SMTP_AUTH_CERTIFICATE && use_client_cert(ctx, cfg, err) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
fail:
	tls_reason(NULL, err);
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * One context per TLS configuration, kept for the next session: building
 * one means loading the trust store, which is costly (the whole CA bundle
 * when SSL_CERT_FILE names it).  Sessions of one process share it; the
 * library is used from one thread.
 */
static SSL_CTX *shared_ctx(const struct smtp_config *cfg, struct smtp_error *err)
{
	static SSL_CTX *kept;
	static unsigned char kept_id[32];
	unsigned char id[32];
	unsigned int idlen = 0;
	char head[64];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const char *parts[] = {cfg->ca_file, cfg->ca_pem, cfg->cert_pem, cfg->key_pem,
			       getenv("SSL_CERT_FILE")};

	snprintf(head, sizeof head, "%d %d %d", cfg->tls_min_version, cfg->no_verify,
		 cfg->auth == SMTP_AUTH_CERTIFICATE);
	bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
		  EVP_DigestUpdate(md, head, strlen(head) + 1);
	for (size_t i = 0; ok && i < sizeof parts / sizeof parts[0]; i++)
		ok = EVP_DigestUpdate(md, parts[i] ? parts[i] : "",
				      parts[i] ? strlen(parts[i]) + 1 : 1);
	ok = ok && EVP_DigestFinal_ex(md, id, &idlen);
	EVP_MD_CTX_free(md);
	if (ok && kept && memcmp(id, kept_id, sizeof id) == 0 && SSL_CTX_up_ref(kept) == 1)
		return kept;
	SSL_CTX *ctx = make_ctx(cfg, err);
	if (ctx && ok && SSL_CTX_up_ref(ctx) == 1) {
		SSL_CTX_free(kept);
		kept = ctx;
		memcpy(kept_id, id, sizeof id);
	}
	return ctx;
}

/* Runs one SSL call to completion, waiting on the socket as it asks. */
static int ssl_wait(struct smtp_conn *c, int rc, struct smtp_error *err)
{
	switch (SSL_get_error(c->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(c, POLLIN, err) == 0 ? 1 : -1;
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(c, POLLOUT, err) == 0 ? 1 : -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_last_error() == 0) {
			err->cls = SMTP_E_CLOSED;
			err->sys_errno = errno;
			snprintf(err->detail, sizeof err->detail,
				 "the server closed the connection");
			return -1;
		}
		/* fall through */
	default:
		tls_reason(c->ssl, err);
		return -1;
	}
}

static void peer_info(SSL *ssl, struct smtp_info *info)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	snprintf(info->tls_version, sizeof info->tls_version, "%s", SSL_get_version(ssl));
	snprintf(info->tls_cipher, sizeof info->tls_cipher, "%s", SSL_get_cipher_name(ssl));
	info->verify = SSL_get_verify_result(ssl);
	if (!peer)
		return;
	name_of(X509_get_subject_name(peer), info->peer_subject, sizeof info->peer_subject);
	name_of(X509_get_issuer_name(peer), info->peer_issuer, sizeof info->peer_issuer);
	time_of(X509_get0_notAfter(peer), info->peer_expiry, sizeof info->peer_expiry);
	X509_free(peer);
}

int smtp_conn_tls(struct smtp_conn *c, const struct smtp_config *cfg, struct smtp_info *info,
		  struct smtp_error *err)
{
	unsigned char ip[16];
	bool literal =
		inet_pton(AF_INET, cfg->host, ip) == 1 || inet_pton(AF_INET6, cfg->host, ip) == 1;
	int rc;

	ERR_clear_error();
	if (!(c->ctx = shared_ctx(cfg, err)))
		return -1;
	if (!(c->ssl = SSL_new(c->ctx)) || SSL_set_fd(c->ssl, c->fd) != 1) {
		tls_reason(NULL, err);
		return -1;
	}
	/* SNI for names only; the certificate is checked against the name or
	 * the address the operator configured. */
	if (!literal)
		SSL_set_tlsext_host_name(c->ssl, cfg->host);
	if (!cfg->no_verify) {
		X509_VERIFY_PARAM *p = SSL_get0_param(c->ssl);
		if (literal ? X509_VERIFY_PARAM_set1_ip_asc(p, cfg->host) != 1
			    : SSL_set1_host(c->ssl, cfg->host) != 1) {
			tls_reason(NULL, err);
			return -1;
		}
	}
	if (c->seen) {
		struct smtp_tls_seen *seen = c->seen;
		memset(seen, 0, sizeof *seen);
		seen->tried = true;
		seen->alert_received = seen->alert_sent = -1;
		seen->min_version = SSL_CTX_get_min_proto_version(c->ctx);
		seen->max_version = SSL_CTX_get_max_proto_version(c->ctx);
		if (!seen->max_version)
			seen->max_version = TLS1_3_VERSION;
		seen->cert_sent = cfg->auth == SMTP_AUTH_CERTIFICATE;
		snprintf(seen->checked_name, sizeof seen->checked_name, "%s", cfg->host);
		SSL_set_app_data(c->ssl, seen);
		SSL_set_msg_callback(c->ssl, on_message);
		SSL_set_msg_callback_arg(c->ssl, seen);
	}
	/* Resumption: if the server refuses it, a full handshake follows. */
	if (cfg->tls_session && *cfg->tls_session)
		SSL_set_session(c->ssl, *cfg->tls_session);
	while ((rc = SSL_connect(c->ssl)) != 1)
		if (ssl_wait(c, rc, err) <= 0) {
			if (err->cls == SMTP_OK || err->cls == SMTP_E_CLOSED) {
				err->cls = SMTP_E_TLS;
				snprintf(err->detail, sizeof err->detail,
					 "the server closed the connection during the TLS "
					 "handshake");
			}
			return -1;
		}
	info->tls = true;
	info->tls_resumed = SSL_session_reused(c->ssl) == 1;
	peer_info(c->ssl, info);
	return 0;
}

long smtp_conn_read(struct smtp_conn *c, char *buf, size_t len, struct smtp_error *err)
{
	for (;;) {
		if (c->ssl) {
			size_t got;
			int rc = SSL_read_ex(c->ssl, buf, len, &got);
			if (rc == 1)
				return (long)got;
			rc = ssl_wait(c, rc, err);
			if (rc <= 0)
				return rc;
			continue;
		}
		ssize_t n = recv(c->fd, buf, len, 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			err->cls = errno == ECONNRESET ? SMTP_E_CLOSED : SMTP_E_SYSTEM;
			err->sys_errno = errno;
			snprintf(err->detail, sizeof err->detail, "%s", strerror(errno));
			return -1;
		}
		if (wait_fd(c, POLLIN, err) != 0)
			return -1;
	}
}

int smtp_conn_write(struct smtp_conn *c, const char *buf, size_t len, struct smtp_error *err)
{
	while (len > 0) {
		if (c->ssl) {
			size_t put;
			int rc = SSL_write_ex(c->ssl, buf, len, &put);
			if (rc == 1) {
				buf += put;
				len -= put;
			} else if ((rc = ssl_wait(c, rc, err)) <= 0) {
				return -1;
			}
			continue;
		}
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0) {
			buf += n;
			len -= (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(c, POLLOUT, err) != 0)
				return -1;
		} else if (errno != EINTR) {
			err->cls = errno == EPIPE || errno == ECONNRESET ? SMTP_E_CLOSED
									 : SMTP_E_SYSTEM;
			err->sys_errno = errno;
			snprintf(err->detail, sizeof err->detail, "%s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Keeps the connection's session for the next handshake.  Called at the
 * end: TLS 1.3 tickets arrive after the handshake, with later reads. */
void smtp_conn_keep_session(struct smtp_conn *c, void **slot)
{
	SSL_SESSION *s = c->ssl ? SSL_get1_session(c->ssl) : NULL;
	if (!s)
		return;
	if (SSL_SESSION_is_resumable(s) != 1) {
		SSL_SESSION_free(s);
		return;
	}
	/* SSL_free() of a connection without SSL_SENT_SHUTDOWN takes its
	 * session for a bad one and marks it not resumable (SSL_free(3),
	 * ssl_clear_bad_session), and s is that same object: the next
	 * handshake would silently be a full one.  We end the connection on
	 * purpose, so say so, without sending close_notify to a server that
	 * may already have closed after its 221. */
	SSL_set_shutdown(c->ssl, SSL_get_shutdown(c->ssl) | SSL_SENT_SHUTDOWN);
	SSL_SESSION_free(*slot);
	*slot = s;
}

void smtp_tls_session_free(void **tls_session)
{
	if (tls_session) {
		SSL_SESSION_free(*tls_session);
		*tls_session = NULL;
	}
}

void smtp_conn_close(struct smtp_conn *c)
{
	if (c->ssl) {
		SSL_set_quiet_shutdown(c->ssl, 1);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
