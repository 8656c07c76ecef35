/* SPDX-License-Identifier: MIT */
/*
 * smtp.h - the SMTP client library shared by the shell's mail-server test
 * and the mail daemon.
 *
 * One session is one connection driven through an explicit state machine
 * (smtp_stage): connect, greeting, EHLO (or HELO), STARTTLS and the TLS
 * handshake, AUTH, then for each message MAIL, RCPT..., DATA, the body and
 * its final reply, with RSET between messages and QUIT at the end.  Every
 * stage has a deadline.  Nothing here prints: failures come back as a
 * struct smtp_error, and a caller that wants to watch gets every line
 * through the transcript hook (AUTH payloads masked) and every finished
 * stage through the progress hook.
 */
#ifndef APPSH_SMTP_SMTP_H
#define APPSH_SMTP_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum smtp_stage {
	SMTP_CONNECT,
	SMTP_GREETING,
	SMTP_EHLO,
	SMTP_HELO,
	SMTP_STARTTLS,
	SMTP_TLS, /* the TLS handshake, after STARTTLS or from the first byte */
	SMTP_AUTH,
	SMTP_MAIL,
	SMTP_RCPT,
	SMTP_DATA,
	SMTP_BODY, /* the message and the final "." */
	SMTP_RSET,
	SMTP_QUIT,
	SMTP_STAGES
};

/* "connect", "greeting", "EHLO", ... for messages and traces. */
const char *smtp_stage_name(enum smtp_stage stage);

enum smtp_class {
	SMTP_OK = 0,
	SMTP_E_CONNECT,	 /* refused, unreachable, no route: errno says which */
	SMTP_E_TIMEOUT,	 /* the stage's deadline passed */
	SMTP_E_CLOSED,	 /* the server closed the connection */
	SMTP_E_PROTOCOL, /* a reply we cannot parse, or bytes where none belong */
	SMTP_E_TLS,	 /* handshake or verification failed; detail and verify say why */
	SMTP_E_MISSING,	 /* the server lacks what the settings require (STARTTLS, AUTH) */
	SMTP_E_POLICY,	 /* we refuse: e.g. a password over a connection without TLS */
	SMTP_E_TEMP,	 /* 4xx reply */
	SMTP_E_PERM,	 /* 5xx reply */
	SMTP_E_INPUT,	 /* a caller's string holds CR, LF or NUL, or is not an address */
	SMTP_E_SYSTEM,	 /* out of memory, a socket call failed */
};

/* What the TLS handshake showed (for the diagnosis in diag/verdict.c). */
struct smtp_tls_seen {
	bool tried;			/* a handshake was started */
	int min_version, max_version;	/* what this side allowed (TLS1_2_VERSION, ...) */
	int server_version;		/* the version the server chose, 0 before ServerHello */
	bool cert_request;		/* the server asked for a client certificate */
	bool cert_sent;			/* ... and this side had one to present */
	int alert_received, alert_sent; /* TLS alert descriptions, -1 for none */
	char reason[128];		/* OpenSSL's reason for the failure, or "" */
	/* The server's certificate, when one arrived (verified or not). */
	bool have_cert, self_signed;
	char subject[256], issuer[256], sans[256];
	char not_before[32], not_after[32]; /* "2026-01-31 12:00:00 UTC" */
	char top_issuer[256];	/* issuer of the last certificate sent: the CA to trust */
	char checked_name[256]; /* the name or address it was checked against */
};

/* What the session had learned when it failed. */
struct smtp_seen {
	bool ehlo_plain_done, ehlo_tls_done;
	char ehlo_plain[512], ehlo_tls[512];   /* EHLO keywords before / after TLS */
	char mechs_plain[256], mechs_tls[256]; /* AUTH mechanisms offered before / after TLS */
	bool helo_only;			       /* EHLO refused, HELO accepted */
	struct smtp_tls_seen tls;
};

/* Where and why a session failed.  Reply lines are joined with '\n'. */
struct smtp_error {
	enum smtp_stage stage;
	enum smtp_class cls;
	int code;	     /* the SMTP reply code, or 0 */
	char enhanced[16];   /* "5.7.8" when the server sent one */
	char reply[2048];    /* the server's whole reply */
	int sys_errno;	     /* for SMTP_E_CONNECT and SMTP_E_SYSTEM */
	char detail[256];    /* our words, or the OpenSSL reason */
	long verify;	     /* X509_V_* result for SMTP_E_TLS, else 0 */
	int timeout_ms;	     /* the failing stage's deadline */
	long long waited_ms; /* how long the failing stage had waited */
	bool got_bytes;	     /* bytes arrived in the failing stage (a silent server: false) */
	struct smtp_seen seen;
};

enum smtp_security {
	SMTP_SEC_DEFAULT, /* STARTTLS when offered, plain when not; never after a failed handshake */
	SMTP_SEC_NONE,	  /* never TLS */
	SMTP_SEC_STARTTLS, /* TLS required, after STARTTLS */
	SMTP_SEC_SMTPS,	   /* TLS from the first byte */
};

enum smtp_auth {
	SMTP_AUTH_OFF,
	SMTP_AUTH_PASSWORD,    /* PLAIN, LOGIN or CRAM-MD5 with user and password */
	SMTP_AUTH_CERTIFICATE, /* the client certificate; SASL EXTERNAL when offered */
};

/* What the caller sees of each line: '>' sent, '<' received. */
typedef void (*smtp_transcript_fn)(void *arg, char dir, bool tls, const char *line);

/* A stage finished: info is a one-line summary ("connected to 192.0.2.1:25
 * in 3 ms", "TLSv1.3 TLS_AES_256_GCM_SHA384", "250 2.0.0 Ok: queued"). */
typedef void (*smtp_progress_fn)(void *arg, enum smtp_stage stage, const char *info);

struct smtp_config {
	const char *host; /* server name: SNI and certificate name check */
	uint16_t port;
	/* The addresses to try in order (from the caller's resolver). */
	const struct sockaddr_storage *addrs;
	size_t naddrs;

	enum smtp_security security;
	int tls_min_version; /* e.g. TLS1_2_VERSION; 0 = TLS 1.2 */
	const char *ca_file; /* extra trusted CAs (PEM file), beside the system store */
	const char *ca_pem;  /* extra trusted CAs as PEM text (config system certificate ca) */
	bool no_verify;	     /* for tests only: accept any certificate */
	/* TLS session resumption across connections: *tls_session (an
	 * SSL_SESSION, may be NULL) is offered in the handshake, and replaced
	 * by the connection's own session when it closes.  The caller frees
	 * it with smtp_tls_session_free().  NULL: no resumption. */
	void **tls_session;

	const char *helo_name; /* our name in EHLO/HELO; NULL = "localhost" */
	enum smtp_auth auth;
	const char *user, *password;	/* SMTP_AUTH_PASSWORD */
	const char *cert_pem, *key_pem; /* client certificate and key (PEM text) */

	/* Deadline per stage in milliseconds; 0 takes the RFC 5321 §4.5.3.2
	 * value (greeting 5 min, MAIL/RCPT 5 min, DATA 2 min, body 10 min). */
	int timeout_ms[SMTP_STAGES];

	smtp_transcript_fn transcript;
	smtp_progress_fn progress;
	void *hook_arg;
	/* Polled while waiting: returning true aborts the session (Ctrl-C). */
	bool (*cancelled)(void *arg);
};

/* What the session learned (valid while it is open). */
struct smtp_info {
	char address[64]; /* the address connected to, "192.0.2.1:25" */
	char greeting[512];
	bool esmtp;	      /* EHLO accepted (else HELO) */
	char extensions[512]; /* EHLO keywords, space separated (after TLS when used) */
	bool tls;
	bool tls_resumed; /* the handshake resumed an earlier session */
	char tls_version[16], tls_cipher[64];
	char peer_subject[256], peer_issuer[256], peer_expiry[32];
	long verify;	    /* X509_V_OK when verified */
	char auth_mech[16]; /* the mechanism used, or "" */
	size_t max_size;    /* SIZE, or 0 */
};

struct smtp_session;

/* Connects (trying each address in turn), reads the greeting, says EHLO,
 * does TLS and AUTH as configured.  0, or -1 with err filled. */
int smtp_open(const struct smtp_config *cfg, struct smtp_session **out, struct smtp_error *err);

/* Sends one message (RFC 5322 text, any line ending) to the recipients.
 * final (may be NULL) gets the server's reply to the end of data. */
int smtp_send(struct smtp_session *s, const char *from, const char *const *to, size_t nto,
	      const char *message, size_t len, char *final, size_t finallen,
	      struct smtp_error *err);

/* RSET, to start over on the same connection. */
int smtp_reset(struct smtp_session *s, struct smtp_error *err);

const struct smtp_info *smtp_session_info(const struct smtp_session *s);

/* QUIT (when the connection is still usable) and frees the session. */
void smtp_close(struct smtp_session *s);

/* Frees what smtp_config.tls_session holds and sets it to NULL. */
void smtp_tls_session_free(void **tls_session);

/* An address fit for MAIL FROM / RCPT TO: local@domain, no CR, LF, NUL,
 * spaces or angle brackets. */
bool smtp_address_valid(const char *addr);

#endif
