/* SPDX-License-Identifier: MIT */
/*
 * xfer.c - appsh-xfer: one file to or from an SSH server, over SFTP or
 * SCP, for `execute backup|restore all-settings {sftp|scp}` (libssh; never
 * a spawned shell).
 *
 *   appsh-xfer put|get sftp|scp HOST PORT USER PATH
 *
 * The password comes first on stdin, ending with a newline (never in the
 * arguments, which any local user can read in /proc); for put the file
 * follows it on stdin, for get it goes to stdout.  One line on stderr says
 * what failed; the status is 0 only when the whole file went across.
 *
 * appsh runs this as a separate program with its caller's own identity:
 * the SSH and SFTP parsers, which talk to a server on the network, never
 * hold the appsh group that opens the store and the secret key.  The
 * server's host key is checked against the user's ~/.ssh/known_hosts as
 * OpenSSH's StrictHostKeyChecking=accept-new does: a new host is added
 * (and said so), a changed key refuses the transfer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE  (64u << 20) /* a configuration backup is far smaller */
#define TIMEOUT_S 30

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	fputs("appsh-xfer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* All of stdin after the password line (put), at most MAX_FILE bytes. */
static char *read_all(size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap);
	*len = 0;
	for (;;) {
		if (!buf)
			return NULL;
		if (*len == cap) {
			if (cap >= MAX_FILE) {
				free(buf);
				return NULL;
			}
			char *b = realloc(buf, cap *= 2);
			if (!b)
				free(buf);
			buf = b;
			continue;
		}
		ssize_t n = read(0, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			return buf;
		*len += (size_t)n;
	}
}

/* The password line, read byte by byte so nothing after it is consumed. */
static int read_password(char *pw, size_t size)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || n + 1 >= size)
			return -1;
		if (c == '\n')
			break;
		pw[n++] = c;
	}
	pw[n] = '\0';
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
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

/* Accept-new host key checking against ~/.ssh/known_hosts. */
static int check_host(ssh_session s, const char *host)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	if (ssh_get_server_publickey(s, &key) == SSH_OK &&
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	int rc = 1;
	switch (ssh_session_is_known_server(s)) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		fail("the host key of %s changed (now %s): refusing; if the server was "
		     "reinstalled, "
		     "remove its old key from ~/.ssh/known_hosts",
		     host, fp ? fp : "?");
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		if (ssh_session_update_known_hosts(s) != SSH_OK) {
			fail("cannot record the host key of %s: %s", host, ssh_get_error(s));
			break;
		}
		fprintf(stderr,
			"appsh-xfer: %s is a new host: its key %s is now in ~/.ssh/known_hosts\n",
			host, fp ? fp : "?");
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_ERROR:
		fail("cannot check the host key of %s: %s", host, ssh_get_error(s));
		break;
	}
	ssh_string_free_char(fp);
	return rc;
}

static int sftp_put(ssh_session s, const char *path, const char *data, size_t len)
{
	sftp_session sf = sftp_new(s);
	if (!sf || sftp_init(sf) != SSH_OK)
		return fail("SFTP refused: %s", ssh_get_error(s));
	int rc = 1;
	sftp_file f = sftp_open(sf, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!f) {
		rc = fail("cannot write %s on the server: %s", path, ssh_get_error(s));
	} else {
		size_t off = 0;
		while (off < len) {
			size_t chunk = len - off > 32768 ? 32768 : len - off;
			ssize_t w = sftp_write(f, data + off, chunk);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		rc = off == len && sftp_close(f) == SSH_OK
			     ? 0
			     : fail("writing %s on the server failed: %s", path, ssh_get_error(s));
		if (off != len)
			sftp_close(f);
	}
	sftp_free(sf);
	return rc;
}

static int sftp_get(ssh_session s, const char *path)
{
	sftp_session sf = sftp_new(s);
	if (!sf || sftp_init(sf) != SSH_OK)
		return fail("SFTP refused: %s", ssh_get_error(s));
	int rc = 1;
	sftp_file f = sftp_open(sf, path, O_RDONLY, 0);
	if (!f) {
		rc = fail("cannot read %s on the server: %s", path, ssh_get_error(s));
	} else {
		char buf[32768];
		size_t total = 0;
		ssize_t n;
		while ((n = sftp_read(f, buf, sizeof buf)) > 0 && total <= MAX_FILE) {
			total += (size_t)n;
			if (write_all(1, buf, (size_t)n) != 0)
				break;
		}
		rc = n == 0 ? 0
		     : total > MAX_FILE
			     ? fail("%s is larger than %u MB: not a configuration backup", path,
				    MAX_FILE >> 20)
			     : fail("reading %s on the server failed: %s", path, ssh_get_error(s));
		sftp_close(f);
	}
	sftp_free(sf);
	return rc;
}

/*
 * SCP, the protocol of rcp that OpenSSH's scp -t / scp -f speak on the
 * server (libssh's own SCP calls are deprecated).  Each step is one line
 * or block and an acknowledgement: a 0 byte, or 1 (warning) / 2 (error)
 * and a message line.
 */
/* The server's path as one word for its shell: in single quotes. */
static int shell_quote(const char *path, char *out, size_t len)
{
	size_t o = 0;
	if (strchr(path, '\n') || len < 3)
		return -1;
	out[o++] = '\'';
	for (const char *p = path; *p; p++) {
		const char *piece = *p == '\'' ? "'\\''" : NULL;
		size_t n = piece ? 4 : 1;
		if (o + n + 2 > len)
			return -1;
		if (piece)
			memcpy(out + o, piece, n);
		else
			out[o] = *p;
		o += n;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return 0;
}

static int chan_write(ssh_channel c, const void *p, size_t n)
{
	return ssh_channel_write(c, p, (uint32_t)n) == (int)n ? 0 : -1;
}

/* Reads n bytes exactly. */
static int chan_read(ssh_channel c, void *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		int r = ssh_channel_read_timeout(c, (char *)p + got, (uint32_t)(n - got), 0,
						 TIMEOUT_S * 1000);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* One acknowledgement; the server's message into why when it is not 0. */
static int scp_ack(ssh_channel c, char *why, size_t len)
{
	char b;
	if (chan_read(c, &b, 1) != 0) {
		snprintf(why, len, "the server closed the SCP session");
		return -1;
	}
	if (b == 0)
		return 0;
	size_t n = 0;
	char ch;
	while (chan_read(c, &ch, 1) == 0 && ch != '\n')
		if (n + 1 < len)
			why[n++] = ch;
	why[n] = '\0';
	if (!n)
		snprintf(why, len, "the server refused (SCP status %d)", b);
	return -1;
}

/* Opens a session channel running cmd ("scp -t" or "scp -f") on path. */
static ssh_channel scp_open(ssh_session s, const char *cmd, const char *path)
{
	char quoted[3 * 1024 + 8], line[4 * 1024];
	if (shell_quote(path, quoted, sizeof quoted) != 0) {
		fail("the path cannot be sent to the server");
		return NULL;
	}
	snprintf(line, sizeof line, "%s %s", cmd, quoted);
	ssh_channel c = ssh_channel_new(s);
	if (!c || ssh_channel_open_session(c) != SSH_OK ||
	    ssh_channel_request_exec(c, line) != SSH_OK) {
		fail("SCP refused: %s", ssh_get_error(s));
		if (c)
			ssh_channel_free(c);
		return NULL;
	}
	return c;
}

static void scp_close(ssh_channel c)
{
	ssh_channel_send_eof(c);
	ssh_channel_close(c);
	ssh_channel_free(c);
}

static int scp_put(ssh_session s, const char *path, const char *data, size_t len)
{
	ssh_channel c = scp_open(s, "scp -t", path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char why[512] = "", head[1200];
	if (!c)
		return 1;
	snprintf(head, sizeof head, "C0600 %zu %s\n", len, *base ? base : "backup");
	/* ready; the file's line; its bytes and a 0; each acknowledged */
	bool ok = scp_ack(c, why, sizeof why) == 0 && chan_write(c, head, strlen(head)) == 0 &&
		  scp_ack(c, why, sizeof why) == 0 && (len == 0 || chan_write(c, data, len) == 0) &&
		  chan_write(c, "", 1) == 0 && scp_ack(c, why, sizeof why) == 0;
	scp_close(c);
	return ok ? 0
		  : fail("cannot write %s on the server: %s", path, *why ? why : ssh_get_error(s));
}

static int scp_get(ssh_session s, const char *path)
{
	ssh_channel c = scp_open(s, "scp -f", path);
	char why[512] = "", head[1200];
	uint64_t size = 0;
	int rc = 1;
	if (!c)
		return 1;
	/* Ready; then "C<mode> <size> <name>\n" (or an error line). */
	size_t n = 0;
	char ch = 0;
	if (chan_write(c, "", 1) == 0) {
		while (n + 1 < sizeof head && chan_read(c, &ch, 1) == 0 && ch != '\n')
			head[n++] = ch;
		head[n] = '\0';
	}
	unsigned mode;
	char name[1024];
	if (ch != '\n' || n == 0) {
		fail("cannot read %s on the server: %s", path, ssh_get_error(s));
	} else if (head[0] == 1 || head[0] == 2) {
		fail("cannot read %s on the server: %s", path, head + 1);
	} else if (sscanf(head, "C%o %" SCNu64 " %1023s", &mode, &size, name) != 3) {
		fail("cannot read %s on the server: it is not a plain file", path);
	} else if (size > MAX_FILE) {
		fail("%s is larger than %u MB: not a configuration backup", path, MAX_FILE >> 20);
	} else if (chan_write(c, "", 1) == 0) {
		char buf[32768];
		uint64_t got = 0;
		while (got < size) {
			size_t want = size - got > sizeof buf ? sizeof buf : (size_t)(size - got);
			if (chan_read(c, buf, want) != 0 || write_all(1, buf, want) != 0)
				break;
			got += want;
		}
		if (got == size && scp_ack(c, why, sizeof why) == 0 && chan_write(c, "", 1) == 0)
			rc = 0;
		else
			fail("reading %s on the server failed: %s", path,
			     *why ? why : ssh_get_error(s));
	}
	scp_close(c);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 7 || (strcmp(argv[1], "put") && strcmp(argv[1], "get")) ||
	    (strcmp(argv[2], "sftp") && strcmp(argv[2], "scp")))
		return fail("usage: appsh-xfer put|get sftp|scp HOST PORT USER PATH "
			    "(password on stdin)");
	bool put = strcmp(argv[1], "put") == 0, sftp = strcmp(argv[2], "sftp") == 0;
	const char *host = argv[3], *user = argv[5], *path = argv[6];
	char *end;
	long port = strtol(argv[4], &end, 10);
	if (*end || port < 1 || port > 65535)
		return fail("bad port %s", argv[4]);

	char pw[1024];
	if (read_password(pw, sizeof pw) != 0)
		return fail("no password on standard input");
	size_t len = 0;
	char *data = put ? read_all(&len) : NULL;
	if (put && !data)
		return fail("cannot read the file to send (at most %u MB)", MAX_FILE >> 20);

	/* ~/.ssh of the account that runs this (not $HOME, which a caller
	 * chooses), made as OpenSSH makes it. */
	struct passwd *pwd = getpwuid(getuid());
	char dir[4096], known[4200];
	if (!pwd || !pwd->pw_dir)
		return fail("this account has no home directory for its known_hosts");
	snprintf(dir, sizeof dir, "%s/.ssh", pwd->pw_dir);
	snprintf(known, sizeof known, "%s/known_hosts", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fail("cannot make %s: %s", dir, strerror(errno));

	ssh_session s = ssh_new();
	if (!s)
		return fail("out of memory");
	int iport = (int)port, no = 0;
	long timeout = TIMEOUT_S;
	ssh_options_set(s, SSH_OPTIONS_HOST, host);
	ssh_options_set(s, SSH_OPTIONS_PORT, &iport);
	ssh_options_set(s, SSH_OPTIONS_USER, user);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known);
	ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/etc/ssh/ssh_known_hosts");
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	int rc = 1;
	if (ssh_connect(s) != SSH_OK)
		rc = fail("cannot connect to %s port %ld: %s", host, port, ssh_get_error(s));
	else if (check_host(s, host) != 0)
		rc = 1;
	else if (ssh_userauth_password(s, NULL, pw) != SSH_AUTH_SUCCESS)
		rc = fail("%s@%s refused the password", user, host);
	else if (sftp)
		rc = put ? sftp_put(s, path, data, len) : sftp_get(s, path);
	else
		rc = put ? scp_put(s, path, data, len) : scp_get(s, path);
	explicit_bzero(pw, sizeof pw);
	ssh_disconnect(s);
	ssh_free(s);
	free(data);
	return rc;
}
