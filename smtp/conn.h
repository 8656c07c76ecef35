/* SPDX-License-Identifier: MIT */
/*
 * conn.h - the byte pipe under the SMTP state machine (private to smtp/):
 * a non-blocking TCP socket, optionally wrapped in TLS, with a deadline on
 * every wait.  Failures fill the caller's smtp_error.
 */
#ifndef APPSH_SMTP_CONN_H
#define APPSH_SMTP_CONN_H

#include <openssl/ssl.h>

#include "smtp/smtp.h"

struct smtp_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	long long deadline; /* ms on the monotonic clock */
	bool (*cancelled)(void *arg);
	void *cancel_arg;
	struct smtp_tls_seen *seen; /* filled during the handshake (may be NULL) */
};

long long smtp_now_ms(void);

/* Connects to one address before the deadline; fd is left non-blocking
 * with TCP_NODELAY.  0, or -1 with err (errno in err->sys_errno). */
int smtp_conn_connect(struct smtp_conn *c, const struct sockaddr_storage *addr,
		      struct smtp_error *err);

/* The TLS handshake with the configuration's verification and client
 * certificate; info gets version, cipher and the peer certificate. */
int smtp_conn_tls(struct smtp_conn *c, const struct smtp_config *cfg, struct smtp_info *info,
		  struct smtp_error *err);

/* Reads what is available (at least one byte) before the deadline.
 * Returns the count, 0 at EOF, -1 with err. */
long smtp_conn_read(struct smtp_conn *c, char *buf, size_t len, struct smtp_error *err);

/* Writes all of buf before the deadline.  0, or -1 with err. */
int smtp_conn_write(struct smtp_conn *c, const char *buf, size_t len, struct smtp_error *err);

/* Stores the TLS session in *slot (replacing what was there) when it can
 * be resumed. */
void smtp_conn_keep_session(struct smtp_conn *c, void **slot);

void smtp_conn_close(struct smtp_conn *c);

/* The version a ServerHello handshake message (its 4-byte header
 * included, as OpenSSL's message callback gives it) picked: the
 * supported_versions extension (TLS 1.3) or its legacy field; 0 when the
 * message is too short to say.  Reads only m[0..len). */
int smtp_conn_server_hello_version(const unsigned char *m, size_t len);

#endif
