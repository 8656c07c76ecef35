/* SPDX-License-Identifier: MIT */
/*
 * smtpbench.c - drives the SMTP client library (smtp/) as fast as it goes,
 * for the benchmarks in bench/smtp.sh: N messages over C connections, each
 * connection in its own process (a session is not shared between threads,
 * and separate processes keep the CPU accounting simple: the parent sums
 * its children's rusage).
 *
 * It prints one line of key=value pairs on stdout (messages sent, wall
 * time, msg/s, CPU per message) and exits 0 only when every message got a
 * 2xx reply to its end of data; the first failure of each connection goes
 * to stderr with the stage, the class, the server's reply and our reason.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtp/message.h"
#include "smtp/smtp.h"

enum { MAX_ADDRS = 16, MAX_CONNECTIONS = 256 };

struct options {
	const char *server, *host, *message_file, *ca_file, *from, *to, *helo;
	unsigned port;
	long messages, size, connections;
	enum smtp_security mode;
	bool per_message, no_verify, rset, quiet, resume;
};

/* What one connection's process reports back through its pipe. */
struct result {
	long sent, failed, sessions, resumed;
	char error[2048]; /* the first failure, or "" */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smtpbench [options]\n"
		"  -a, --server ADDR          server address or name (127.0.0.1)\n"
		"  -p, --port N               server port (25; 465 with --mode smtps)\n"
		"  -n, --messages N           messages in all (1000)\n"
		"  -s, --size BYTES           generated message size, headers included (1024)\n"
		"  -f, --message FILE         send this file instead (any line endings)\n"
		"  -c, --connections N        parallel connections, one process each (1)\n"
		"  -M, --mode MODE            plain, smtps or starttls (plain)\n"
		"  -N, --new-conn-per-message connect (and handshake) for every message\n"
		"  -k, --no-verify            accept any server certificate\n"
		"  -C, --ca-file FILE         also trust the CAs in FILE (PEM)\n"
		"  -H, --host NAME            name for SNI and the certificate check (--server)\n"
		"      --from ADDR            envelope sender (sender@example.test)\n"
		"      --to ADDR              envelope recipient (rcpt@example.test)\n"
		"      --helo NAME            our EHLO name (bench.example.test)\n"
		"      --rset                 RSET after each message on a kept connection\n"
		"  -R, --resume               resume each connection's TLS session in the next\n"
		"  -q, --quiet                no result line\n");
}

static long number(const char *what, const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "smtpbench: %s must be a number from %ld to %ld, not '%s'\n", what,
			min, max, s);
		exit(2);
	}
	return v;
}

static void parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"server", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},
		{"messages", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 's'},
		{"message", required_argument, NULL, 'f'},
		{"connections", required_argument, NULL, 'c'},
		{"mode", required_argument, NULL, 'M'},
		{"new-conn-per-message", no_argument, NULL, 'N'},
		{"no-verify", no_argument, NULL, 'k'},
		{"ca-file", required_argument, NULL, 'C'},
		{"host", required_argument, NULL, 'H'},
		{"from", required_argument, NULL, 1},
		{"to", required_argument, NULL, 2},
		{"helo", required_argument, NULL, 3},
		{"rset", no_argument, NULL, 4},
		{"resume", no_argument, NULL, 'R'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){.server = "127.0.0.1",
			      .from = "sender@example.test",
			      .to = "rcpt@example.test",
			      .helo = "bench.example.test",
			      .messages = 1000,
			      .size = 1024,
			      .connections = 1,
			      .mode = SMTP_SEC_NONE};
	while ((c = getopt_long(argc, argv, "a:p:n:s:f:c:M:NkC:H:Rqh", longs, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->server = optarg;
			break;
		case 'p':
			o->port = (unsigned)number("--port", optarg, 1, 65535);
			break;
		case 'n':
			o->messages = number("--messages", optarg, 1, 100000000);
			break;
		case 's':
			o->size = number("--size", optarg, 256, 64L << 20);
			break;
		case 'f':
			o->message_file = optarg;
			break;
		case 'c':
			o->connections = number("--connections", optarg, 1, MAX_CONNECTIONS);
			break;
		case 'M':
			if (strcmp(optarg, "plain") == 0)
				o->mode = SMTP_SEC_NONE;
			else if (strcmp(optarg, "smtps") == 0)
				o->mode = SMTP_SEC_SMTPS;
			else if (strcmp(optarg, "starttls") == 0)
				o->mode = SMTP_SEC_STARTTLS;
			else {
				fprintf(stderr, "smtpbench: --mode is plain, smtps or starttls\n");
				exit(2);
			}
			break;
		case 'N':
			o->per_message = true;
			break;
		case 'k':
			o->no_verify = true;
			break;
		case 'C':
			o->ca_file = optarg;
			break;
		case 'H':
			o->host = optarg;
			break;
		case 1:
			o->from = optarg;
			break;
		case 2:
			o->to = optarg;
			break;
		case 3:
			o->helo = optarg;
			break;
		case 4:
			o->rset = true;
			break;
		case 'R':
			o->resume = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (o->connections > o->messages)
		o->connections = o->messages;
	if (!o->port)
		o->port = o->mode == SMTP_SEC_SMTPS ? 465 : 25;
	if (!o->host)
		o->host = o->server;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(p = malloc((size_t)n + 1)) || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "smtpbench: cannot read %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

/* A message of exactly size bytes, built by the library: headers, then
 * 70-column lines, one of them starting with '.' so that every send has
 * to dot-stuff. */
static char *make_message(const struct options *o, size_t *len)
{
	const char *to[] = {o->to};
	char err[256], *msg, *body = NULL;
	size_t want = (size_t)o->size, hdr;

	/* The headers' length, from an empty body (its Message-ID is random
	 * but of a fixed length). */
	msg = smtp_message_build(o->from, to, 1, "bench", "", time(NULL), "example.test", &hdr, err,
				 sizeof err);
	if (!msg || hdr + 40 > want) {
		fprintf(stderr, "smtpbench: cannot build a message of %zu bytes: %s\n", want,
			msg ? "too small for the headers" : err);
		exit(2);
	}
	free(msg);
	size_t left = want - hdr, n = 0;
	if (!(body = malloc(left + 1)))
		exit(2);
	n += (size_t)snprintf(body, left + 1, ".this line starts with a dot\r\n");
	while (n < left) {
		size_t line = left - n >= 72 ? 70 : left - n - 2;
		if (left - n - (line + 2) == 1) /* never leave a single byte over */
			line--;
		memset(body + n, 'x', line);
		memcpy(body + n + line, "\r\n", 2);
		n += line + 2;
	}
	body[n] = '\0';
	msg = smtp_message_build(o->from, to, 1, "bench", body, time(NULL), "example.test", len,
				 err, sizeof err);
	free(body);
	if (!msg) {
		fprintf(stderr, "smtpbench: cannot build the message: %s\n", err);
		exit(2);
	}
	return msg;
}

static void describe(const struct smtp_error *e, char *buf, size_t len)
{
	static const char *const classes[] = {
		[SMTP_OK] = "ok",
		[SMTP_E_CONNECT] = "connect",
		[SMTP_E_TIMEOUT] = "timeout",
		[SMTP_E_CLOSED] = "closed",
		[SMTP_E_PROTOCOL] = "protocol",
		[SMTP_E_TLS] = "TLS",
		[SMTP_E_MISSING] = "missing",
		[SMTP_E_POLICY] = "policy",
		[SMTP_E_TEMP] = "4xx",
		[SMTP_E_PERM] = "5xx",
		[SMTP_E_INPUT] = "input",
		[SMTP_E_SYSTEM] = "system",
	};
	const char *cls = (size_t)e->cls < sizeof classes / sizeof *classes && classes[e->cls]
				  ? classes[e->cls]
				  : "?";
	/* The reply is cut to fit: the stage and our reason matter most. */
	snprintf(buf, len, "at %s (%s error, code %d %s): %s%s%.500s", smtp_stage_name(e->stage),
		 cls, e->code, e->enhanced, e->detail, *e->reply ? "; server said: " : "",
		 e->reply);
}

/* One connection's share of the messages (or, with per_message, that many
 * connections one after another). */
static void run_connection(const struct options *o, const struct smtp_config *base, const char *msg,
			   size_t len, long count, struct result *r)
{
	const char *to[] = {o->to};
	struct smtp_session *s = NULL;
	struct smtp_error e;
	struct smtp_config conf = *base, *cfg = &conf;
	void *tls_session = NULL; /* as maild keeps one per link */

	if (o->resume)
		conf.tls_session = &tls_session;

	for (long i = 0; i < count; i++) {
		if (!s) {
			if (smtp_open(cfg, &s, &e) != 0) {
				describe(&e, r->error, sizeof r->error);
				r->failed += count - i;
				return;
			}
			r->sessions++;
			r->resumed += smtp_session_info(s)->tls_resumed;
		}
		if (smtp_send(s, o->from, to, 1, msg, len, NULL, 0, &e) != 0) {
			if (!*r->error)
				describe(&e, r->error, sizeof r->error);
			r->failed++;
			/* A broken connection is replaced; after a refusal the
			 * library has already sent RSET. */
			if (e.cls == SMTP_E_CLOSED || e.cls == SMTP_E_TIMEOUT ||
			    e.cls == SMTP_E_SYSTEM || e.cls == SMTP_E_PROTOCOL) {
				smtp_close(s);
				s = NULL;
			}
			continue;
		}
		r->sent++;
		if (o->per_message) {
			smtp_close(s);
			s = NULL;
		} else if (o->rset && i + 1 < count && smtp_reset(s, &e) != 0) {
			if (!*r->error)
				describe(&e, r->error, sizeof r->error);
			smtp_close(s);
			s = NULL;
		}
	}
	smtp_close(s);
	smtp_tls_session_free(&tls_session);
}

static double seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct options o;
	struct sockaddr_storage addrs[MAX_ADDRS];
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	struct smtp_config cfg = {0};
	pid_t pids[MAX_CONNECTIONS];
	int fds[MAX_CONNECTIONS];
	size_t naddrs = 0, len;
	char *msg;
	int rc;

	parse(argc, argv, &o);
	msg = o.message_file ? read_file(o.message_file, &len) : make_message(&o, &len);

	if ((rc = getaddrinfo(o.server, NULL, &hints, &res)) != 0) {
		fprintf(stderr, "smtpbench: %s: %s\n", o.server, gai_strerror(rc));
		return 2;
	}
	for (ai = res; ai && naddrs < MAX_ADDRS; ai = ai->ai_next) {
		memset(&addrs[naddrs], 0, sizeof addrs[naddrs]);
		memcpy(&addrs[naddrs++], ai->ai_addr, ai->ai_addrlen);
	}
	freeaddrinfo(res);

	cfg.host = o.host;
	cfg.port = (uint16_t)o.port;
	cfg.addrs = addrs;
	cfg.naddrs = naddrs;
	cfg.security = o.mode;
	cfg.ca_file = o.ca_file;
	cfg.no_verify = o.no_verify;
	cfg.helo_name = o.helo;
	/* A benchmark that hangs helps nobody: 30 s per stage at most. */
	for (int i = 0; i < SMTP_STAGES; i++)
		cfg.timeout_ms[i] = 30000;
	signal(SIGPIPE, SIG_IGN);

	double t0 = now();
	for (long c = 0; c < o.connections; c++) {
		/* Spread the remainder: the first (messages % connections) take one more. */
		long count = o.messages / o.connections + (c < o.messages % o.connections);
		int p[2];
		if (pipe(p) != 0 || (pids[c] = fork()) < 0) {
			perror("smtpbench: pipe/fork");
			return 2;
		}
		if (pids[c] == 0) {
			struct result r = {0};
			close(p[0]);
			run_connection(&o, &cfg, msg, len, count, &r);
			ssize_t w = write(p[1], &r, sizeof r);
			_exit(w == (ssize_t)sizeof r ? 0 : 3);
		}
		close(p[1]);
		fds[c] = p[0];
	}

	struct result total = {0};
	int status_bad = 0;
	for (long c = 0; c < o.connections; c++) {
		struct result r = {0};
		int st;
		ssize_t n = read(fds[c], &r, sizeof r);
		close(fds[c]);
		if (waitpid(pids[c], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
		    n != (ssize_t)sizeof r) {
			status_bad = 1;
			continue;
		}
		total.sent += r.sent;
		total.failed += r.failed;
		total.sessions += r.sessions;
		total.resumed += r.resumed;
		if (*r.error)
			fprintf(stderr, "smtpbench: connection %ld: %s\n", c + 1, r.error);
	}
	double wall = now() - t0;
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	double user = seconds(&self.ru_utime) + seconds(&kids.ru_utime),
	       sys = seconds(&self.ru_stime) + seconds(&kids.ru_stime);

	if (!o.quiet)
		printf("smtpbench: mode=%s connections=%ld per_message=%d size=%zu sent=%ld "
		       "failed=%ld sessions=%ld resumed=%ld wall_s=%.4f msg_per_s=%.1f user_s=%.4f "
		       "sys_s=%.4f cpu_ms_per_msg=%.4f\n",
		       o.mode == SMTP_SEC_SMTPS	     ? "smtps"
		       : o.mode == SMTP_SEC_STARTTLS ? "starttls"
						     : "plain",
		       o.connections, o.per_message, len, total.sent, total.failed, total.sessions,
		       total.resumed, wall, wall > 0 ? (double)total.sent / wall : 0.0, user, sys,
		       total.sent ? (user + sys) * 1000 / (double)total.sent : 0.0);
	free(msg);
	if (status_bad)
		fprintf(stderr, "smtpbench: a connection's process failed\n");
	return status_bad || total.failed || total.sent != o.messages ? 1 : 0;
}
