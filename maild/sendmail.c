/* SPDX-License-Identifier: MIT */
/*
 * sendmail.c - appsh-sendmail: hands a message to fazmaild's queue the way
 * programs expect of /usr/sbin/sendmail (as msmtp and Postfix provide it).
 *
 *   appsh-sendmail [-t] [-i | -oi] [-f sender] [-S server] [--state-dir DIR]
 *                  [--] [recipient ...]
 *
 * The message (RFC 5322) comes on stdin.  The exit status is 0 only once
 * the message is in the queue on disk; otherwise a sysexits code:
 * EX_USAGE (bad options, no recipients), EX_DATAERR (a malformed message
 * or address), EX_NOUSER (no such mail server entry), EX_TEMPFAIL (the
 * queue is full or busy: try again later), EX_IOERR (the queue failed).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "maild/ctl.h"
#include "maild/queue.h"
#include "smtp/smtp.h"
#include "store/statedir.h"
#include "store/store.h"

#define MAX_MESSAGE (32u << 20) /* bytes: larger is refused, not truncated */
#define MAX_RCPTS   100
#define MAX_LINE    998 /* RFC 5322 §2.1.1, RFC 5321 §4.5.3.1.6 */

struct msg {
	char *text; /* the message as read, then with headers added */
	size_t len;
	size_t head; /* bytes of the header section, up to the empty line */
	char *rcpts; /* envelope recipients, one per line */
	size_t nrcpt;
	char sender[256];
};

static int die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int die(int code, const char *fmt, ...)
{
	va_list ap;
	fputs("appsh-sendmail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Reads stdin whole: a message is queued complete or not at all. */
static int read_message(struct msg *m, bool dots_end)
{
	size_t cap = 65536;
	m->text = malloc(cap);
	for (;;) {
		if (!m->text)
			return die(EX_OSERR, "out of memory");
		if (m->len == cap) {
			if (cap >= MAX_MESSAGE)
				return die(EX_DATAERR, "the message is larger than %u MB",
					   MAX_MESSAGE >> 20);
			char *t = realloc(m->text, cap *= 2);
			if (!t)
				free(m->text);
			m->text = t;
			continue;
		}
		ssize_t n = read(0, m->text + m->len, cap - m->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return die(EX_IOERR, "reading the message: %s", strerror(errno));
		if (n == 0)
			break;
		m->len += (size_t)n;
	}
	if (memchr(m->text, '\0', m->len))
		return die(EX_DATAERR, "the message contains a NUL byte");
	/* Classic sendmail: without -i, a line of one "." ends the message. */
	for (size_t i = 0; dots_end && i < m->len; i++)
		if ((i == 0 || m->text[i - 1] == '\n') && m->text[i] == '.' &&
		    (i + 1 == m->len || m->text[i + 1] == '\n' ||
		     (m->text[i + 1] == '\r' && i + 2 < m->len && m->text[i + 2] == '\n'))) {
			m->len = i;
			break;
		}
	return 0;
}

/* Checks the header section and finds where it ends.  A bare CR, a
 * header line without a name, or an over-long line is refused: that is how
 * header injection and broken messages look. */
static int check_headers(struct msg *m)
{
	const char *t = m->text;
	size_t i = 0;
	while (i < m->len) {
		size_t eol = i;
		while (eol < m->len && t[eol] != '\n')
			eol++;
		size_t n = eol - i - (eol > i && t[eol - 1] == '\r');
		if (n == 0) { /* the empty line */
			m->head = i;
			return 0;
		}
		if (memchr(t + i, '\r', n))
			return die(EX_DATAERR, "a header line contains a bare CR");
		if (t[i] != ' ' && t[i] != '\t') {
			size_t k = i;
			while (k < i + n && t[k] > ' ' && t[k] < 0x7f && t[k] != ':')
				k++;
			if (k == i || k == i + n || t[k] != ':')
				return die(EX_DATAERR, "malformed header line: \"%.*s\"",
					   (int)(n < 60 ? n : 60), t + i);
		} else if (i == 0) {
			return die(EX_DATAERR, "the message starts with a continuation line");
		}
		i = eol + 1;
	}
	m->head = m->len; /* headers only, no body */
	return 0;
}

/* No line may be longer than SMTP carries (RFC 5321 §4.5.3.1.6): refused
 * here, where the sender hears of it, not later in the daemon. */
static int check_lines(const struct msg *m)
{
	size_t line = 1, start = 0;
	for (size_t i = 0; i <= m->len; i++) {
		if (i < m->len && m->text[i] != '\n')
			continue;
		size_t n = i - start - (i > start && m->text[i - 1] == '\r');
		if (n > MAX_LINE)
			return die(EX_DATAERR, "line %zu is longer than %d characters", line,
				   MAX_LINE);
		start = i + 1;
		line++;
	}
	return 0;
}

/* The unfolded value of the first header named name, or NULL. */
static char *header(const struct msg *m, const char *name, size_t *at)
{
	size_t nl = strlen(name);
	for (size_t i = *at; i < m->head;) {
		const char *line = m->text + i;
		size_t eol = i;
		while (eol < m->head && m->text[eol] != '\n')
			eol++;
		if (eol - i > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			size_t end = eol < m->head ? eol + 1 : eol;
			while (end < m->head && (m->text[end] == ' ' || m->text[end] == '\t'))
				while (end < m->head && m->text[end++] != '\n')
					;
			*at = end;
			char *v = strndup(line + nl + 1, end - i - nl - 1);
			for (char *p = v; p && *p; p++)
				if (*p == '\r' || *p == '\n')
					*p = ' ';
			return v;
		}
		i = eol + 1;
	}
	*at = m->head;
	return NULL;
}

/* Adds one envelope recipient after checking it. */
static int add_rcpt(struct msg *m, const char *addr, size_t n)
{
	char a[256];
	while (n && isspace((unsigned char)*addr))
		addr++, n--;
	while (n && isspace((unsigned char)addr[n - 1]))
		n--;
	if (n == 0)
		return 0;
	if (n >= sizeof a)
		return die(EX_DATAERR, "recipient address too long");
	memcpy(a, addr, n);
	a[n] = '\0';
	if (!smtp_address_valid(a))
		return die(EX_DATAERR, "invalid recipient address: \"%.80s\"", a);
	if (m->nrcpt == MAX_RCPTS)
		return die(EX_DATAERR, "more than %d recipients", MAX_RCPTS);
	size_t old = m->rcpts ? strlen(m->rcpts) : 0;
	char *r = realloc(m->rcpts, old + n + 2);
	if (!r)
		return die(EX_OSERR, "out of memory");
	snprintf(r + old, n + 2, "%s\n", a);
	m->rcpts = r;
	m->nrcpt++;
	return 0;
}

/*
 * The addresses of an address list (RFC 5322 §3.4): `A <a@x>, b@y (Bob),
 * "Q, R" <c@z>, Team: d@w, e@w;` and `undisclosed-recipients:;`.
 * Comments and group names are dropped; each address is checked.
 */
static int add_list(struct msg *m, const char *v)
{
	char item[1024];
	size_t n = 0;
	bool quoted = false, angle = false;
	int comment = 0;
	for (const char *p = v;; p++) {
		char c = *p;
		if (quoted && c == '\\' && p[1]) {
			p++; /* a quoted pair: part of a display name */
			continue;
		}
		if (c && comment) {
			comment += c == '(' ? 1 : c == ')' ? -1 : 0;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '(')
			comment = 1;
		else if (!quoted && c == '<')
			angle = true, n = 0; /* what came before was a display name */
		else if (!quoted && c == '>')
			angle = false;
		else if (!quoted && !angle && c == ':')
			n = 0; /* a group's name */
		else if (!c || (!quoted && !angle && (c == ',' || c == ';'))) {
			int rc = add_rcpt(m, item, n);
			if (rc || !c)
				return rc;
			n = 0;
		} else if (!quoted && n < sizeof item) {
			item[n++] = c;
		}
	}
}

/* -t: the recipients from To, Cc and Bcc (every instance). */
static int rcpts_from_headers(struct msg *m)
{
	static const char *const names[] = {"To", "Cc", "Bcc"};
	for (size_t k = 0; k < 3; k++) {
		size_t at = 0;
		char *v;
		while ((v = header(m, names[k], &at))) {
			int rc = add_list(m, v);
			free(v);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Removes every Bcc header (with its continuation lines): with -t its
 * addresses are recipients, and no recipient may see them. */
static void drop_bcc(struct msg *m)
{
	size_t i = 0;
	while (i < m->head) {
		size_t eol = i;
		while (eol < m->head && m->text[eol] != '\n')
			eol++;
		size_t end = eol < m->head ? eol + 1 : eol;
		if (strncasecmp(m->text + i, "Bcc:", 4) != 0) {
			i = end;
			continue;
		}
		while (end < m->head && (m->text[end] == ' ' || m->text[end] == '\t'))
			while (end < m->head && m->text[end++] != '\n')
				;
		memmove(m->text + i, m->text + end, m->len - end);
		m->len -= end - i;
		m->head -= end - i;
	}
}

/* Adds Date and Message-ID when missing, as a submission service does. */
static int complete_headers(struct msg *m)
{
	char add[512] = "", host[128] = "localhost";
	size_t at = 0, o = 0;
	char *v;
	if ((v = header(m, "Date", &at)))
		free(v);
	else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		o += strftime(add, sizeof add, "Date: %a, %d %b %Y %H:%M:%S %z\n", &tm);
	}
	at = 0;
	if ((v = header(m, "Message-ID", &at)))
		free(v);
	else {
		unsigned long long r = 0;
		if (getrandom(&r, sizeof r, 0) < 0)
			r = (unsigned long long)clock();
		gethostname(host, sizeof host - 1);
		o += (size_t)snprintf(add + o, sizeof add - o, "Message-ID: <%lld.%llx@%s>\n",
				      (long long)time(NULL), r, host);
	}
	if (!o)
		return 0;
	/* Headers only, the last one without its newline: end it first. */
	if (m->head == m->len && m->len && m->text[m->len - 1] != '\n') {
		memmove(add + 1, add, o + 1);
		add[0] = '\n';
		o++;
	}
	char *t = malloc(m->len + o + 1);
	if (!t)
		return die(EX_OSERR, "out of memory");
	memcpy(t, m->text, m->head);
	memcpy(t + m->head, add, o);
	memcpy(t + m->head + o, m->text + m->head, m->len - m->head);
	free(m->text);
	m->text = t;
	m->len += o;
	m->head += o;
	m->text[m->len] = '\0';
	return 0;
}

/* The envelope sender when -f is absent: the From header's address. */
static void sender_from_header(struct msg *m)
{
	size_t at = 0;
	char *v = header(m, "From", &at);
	if (!v)
		return;
	const char *lt = strchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *a = lt && gt ? lt + 1 : v;
	size_t n = lt && gt ? (size_t)(gt - lt - 1) : strlen(v);
	while (n && isspace((unsigned char)*a))
		a++, n--;
	while (n && isspace((unsigned char)a[n - 1]))
		n--;
	if (n < sizeof m->sender) {
		memcpy(m->sender, a, n);
		m->sender[n] = '\0';
		if (!smtp_address_valid(m->sender))
			m->sender[0] = '\0';
	}
	free(v);
}

/* -S: the entry must exist now (it may still change before delivery). */
static int check_server(const char *dir, const char *server)
{
	char path[4200], err[256];
	struct store *st;
	int64_t id;
	snprintf(path, sizeof path, "%s/config.db", dir);
	if (store_open(path, &st, err, sizeof err) != STORE_OK)
		return die(EX_TEMPFAIL, "cannot read the configuration: %s", err);
	int found = store_entry_find(st, "system mail", server, &id);
	store_close(st);
	if (found == 1)
		return 0;
	return found == 0 ? die(EX_NOUSER, "no mail server \"%s\" in config system mail", server)
			  : die(EX_TEMPFAIL, "cannot read the configuration");
}

/* Reads and checks the message, and works out its envelope. */
static int prepare(struct msg *m, bool from_headers, bool dots_end)
{
	int rc;
	if ((rc = read_message(m, dots_end)) || (rc = check_headers(m)) || (rc = check_lines(m)) ||
	    (from_headers && (rc = rcpts_from_headers(m))))
		return rc;
	/* Bcc is for the envelope only, with -t or without (as in Postfix). */
	drop_bcc(m);
	if (m->nrcpt == 0)
		return die(EX_USAGE, "no recipients (give them as arguments, or use -t)");
	if (!m->sender[0])
		sender_from_header(m);
	return complete_headers(m);
}

/* Queues the message durably, then makes sure a daemon will send it. */
static int enqueue(const char *dir, const char *server, const struct msg *m)
{
	struct mq *q;
	char err[512], *reply = NULL;
	int64_t id;
	int rc = mq_open(dir, &q, err, sizeof err);
	if (rc != MQ_OK)
		return die(rc == MQ_BUSY ? EX_TEMPFAIL : EX_IOERR, "%s", err);
	rc = mq_submit(q, server, m->sender, m->rcpts, m->text, m->len, &id);
	if (rc != MQ_OK)
		rc = die(rc == MQ_FULL || rc == MQ_BUSY ? EX_TEMPFAIL : EX_IOERR, "%s",
			 mq_errmsg(q));
	mq_close(q);
	if (rc)
		return rc;
	/* Queued: from here on, a daemon that cannot start delays the mail
	 * but does not lose it.  A running daemon is told to look now; a new
	 * one looks at the queue as it starts. */
	rc = mctl_request(dir, "kick", &reply, err, sizeof err);
	if (rc == -1)
		rc = mctl_ensure(dir, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "appsh-sendmail: queued as %lld, but %s\n", (long long)id, err);
	free(reply);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: appsh-sendmail [-t] [-i] [-f sender] [-S server] [--state-dir DIR] "
		   "[--] [recipient ...]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"state-dir", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct msg m = {0};
	const char *dirarg = NULL, *server = "";
	bool from_headers = false, dots_end = true;
	char dir[4096], err[512];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "tif:r:S:o:F:B:N:b:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			from_headers = true;
			break;
		case 'i':
			dots_end = false;
			break;
		case 'o': /* -oi as -i; other -o options of sendmail mean nothing here */
			if (strcmp(optarg, "i") == 0)
				dots_end = false;
			break;
		case 'f':
		case 'r': /* the old name of -f */
			if (!smtp_address_valid(optarg) && *optarg)
				return die(EX_DATAERR, "invalid sender address: \"%.80s\"", optarg);
			snprintf(m.sender, sizeof m.sender, "%s", optarg);
			break;
		case 'S':
			server = optarg;
			break;
		case 'F': /* full name: the From header is the caller's to write */
		case 'B': /* body type: 8BITMIME is negotiated by the daemon */
		case 'N': /* DSN: not supported, accepted for compatibility */
			break;
		case 'b':
			if (strcmp(optarg, "m") != 0)
				return die(EX_USAGE, "-b%s: only -bm (deliver mail) is supported",
					   optarg);
			break;
		case 'D':
			dirarg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	umask(077);
	if (statedir_open(dirarg, dir, sizeof dir, err, sizeof err) != 0)
		return die(EX_CANTCREAT, "%s", err);
	/* In the group-shared system directory, the group may use what we
	 * create (the queue, the pid file), as appsh does. */
	if (statedir_shared(dir))
		umask(007);
	rc = *server ? check_server(dir, server) : 0;
	for (int i = optind; !rc && i < argc; i++)
		rc = add_list(&m, argv[i]);
	if (!rc)
		rc = prepare(&m, from_headers, dots_end);
	if (!rc)
		rc = enqueue(dir, server, &m);
	free(m.text);
	free(m.rcpts);
	return rc;
}
