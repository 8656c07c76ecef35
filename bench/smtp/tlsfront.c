/* SPDX-License-Identifier: MIT */
/*
 * tlsfront.c - an implicit-TLS (SMTPS) front for Postfix's smtp-sink,
 * which speaks no TLS: it accepts TLS on 127.0.0.1:LISTEN_PORT and relays
 * the plain bytes both ways to 127.0.0.1:BACKEND_PORT, so the backend's
 * greeting and replies reach the client unchanged.
 *
 *   smtpbench-tlsfront LISTEN_PORT BACKEND_PORT CERT KEY
 *
 * One process per connection (blocking I/O, like stunnel's fork mode), the
 * listener reaps them, so its /proc/PID/stat cutime+cstime holds the CPU of
 * every finished connection: bench/smtp.sh reports that as the front's cost.
 * Written in C for the benchmark so that the front costs far less than the
 * clients it carries (a Python asyncio relay would be the bottleneck of a
 * fast client, and the comparison would measure the relay).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Relays until either side closes.  SSL_pending covers bytes OpenSSL has
 * already decrypted, which poll cannot see. */
static void relay(SSL *ssl, int cfd, int bfd)
{
	char buf[16384];
	for (;;) {
		struct pollfd p[2] = {{.fd = cfd, .events = POLLIN}, {.fd = bfd, .events = POLLIN}};
		int pending = SSL_pending(ssl) > 0;
		if (poll(p, 2, pending ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pending || p[0].revents) {
			int n = SSL_read(ssl, buf, sizeof buf);
			if (n <= 0) {
				int e = SSL_get_error(ssl, n);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					continue;
				return;
			}
			if (write_all(bfd, buf, (size_t)n) != 0)
				return;
		}
		if (p[1].revents) {
			ssize_t n = read(bfd, buf, sizeof buf);
			if (n <= 0) {
				SSL_shutdown(ssl);
				return;
			}
			if (SSL_write(ssl, buf, (int)n) <= 0)
				return;
		}
	}
}

static void serve(SSL_CTX *ctx, int cfd, int backend_port)
{
	struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons((uint16_t)backend_port)};
	SSL *ssl = SSL_new(ctx);
	int bfd = socket(AF_INET, SOCK_STREAM, 0);

	b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	nodelay(cfd);
	if (!ssl || SSL_set_fd(ssl, cfd) != 1 || SSL_accept(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		_exit(1);
	}
	if (bfd < 0 || connect(bfd, (struct sockaddr *)&b, sizeof b) != 0) {
		perror("tlsfront: backend");
		_exit(1);
	}
	nodelay(bfd);
	relay(ssl, cfd, bfd);
	_exit(0);
}

static void on_child(int sig)
{
	(void)sig; /* only interrupts accept(), so that the loop reaps */
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: smtpbench-tlsfront LISTEN_PORT BACKEND_PORT CERT KEY\n");
		return 2;
	}
	int lport = atoi(argv[1]), bport = atoi(argv[2]);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}

	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)lport)};
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 1024) != 0) {
		perror("tlsfront: listen");
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_child}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("tlsfront: accept");
			return 1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			serve(ctx, cfd, bport);
		}
		if (pid < 0)
			perror("tlsfront: fork");
		close(cfd);
	}
}
