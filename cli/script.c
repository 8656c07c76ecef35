/* SPDX-License-Identifier: MIT */
/*
 * script.c - running lines: one line at a time for every way in, and the
 * script mode (stdin that is not a terminal, or -c).
 *
 * In script mode the commits of a run are grouped into one SQLite
 * transaction (each commit still a savepoint of its own, checked for
 * conflicts and rolled back alone when it fails).  The group is made
 * durable before the script waits for more input, before any top-level
 * command (which may print what was committed) and at the end.  So a bulk
 * import costs one fsync, a slow producer never holds the write lock while
 * it thinks, and nothing the shell reports can be lost to a kill -9.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/login.h"

enum { MAX_LINE = 16 << 20 }; /* a longer line is refused, not buffered */

void cli_flush_errors(struct cli *cli, const char *prefix)
{
	for (char *p = cli->err; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(stderr, "%s%.*s\n", prefix, (int)n, p);
		p += n + (nl != NULL);
	}
	fflush(stderr);
	free(cli->err);
	cli->err = NULL;
	cli->errlen = 0;
}

bool cli_confirm(struct cli *cli, const char *question)
{
	char c = 0, ch;
	printf("%s", question);
	fflush(stdout);
	if (cli->tty_fd < 0)
		return false;
	/* The whole answer line is read; its first character decides. */
	for (bool first = true; read(cli->tty_fd, &ch, 1) == 1 && ch != '\n'; first = false)
		if (first)
			c = ch;
	return c == 'y' || c == 'Y';
}

void cli_print_choices(const struct cli_choices *c)
{
	int width = 0;
	for (size_t i = 0; i < c->n; i++)
		if ((int)strlen(c->v[i].word) > width)
			width = (int)strlen(c->v[i].word);
	for (size_t i = 0; i < c->n; i++) {
		if (*c->v[i].help)
			printf("%-*s  %s\n", width, c->v[i].word, c->v[i].help);
		else
			printf("%s\n", c->v[i].word);
	}
	fflush(stdout);
}

/* The words before the cursor and the partial word at it. */
static int split_cursor(const struct cli_tokens *t, const char **partial)
{
	int n = t->argc;
	*partial = NULL;
	if (n > 0 && !t->trailing_blank)
		*partial = t->argv[--n];
	return n;
}

int cli_print_help(struct cli *cli, const struct cli_tokens *t)
{
	struct cli_choices c;
	const char *partial;
	int n = split_cursor(t, &partial);

	if (t->pipe >= 0) { /* after `|` only grep is offered */
		bool grep = t->pipe < n;
		printf("%s\n", grep ? "Usage: grep [-invfcABC] PATTERN  (| grep -h for details)"
				    : "grep  Print lines that match a pattern.");
		return 0;
	}
	cli_choices(cli, n, t->argv, partial, &c);
	bool error = c.error;
	if (!error)
		cli_print_choices(&c);
	cli_choices_free(&c);
	return error ? -1 : 0;
}

char *cli_complete(struct cli *cli, const char *line, size_t len, struct cli_choices *list)
{
	struct cli_tokens t;
	const char *partial;
	char *insert = NULL;

	memset(list, 0, sizeof *list);
	if (cli_tokenize(line, len, &t) != CLI_TOK_OK || t.pipe >= 0 ||
	    (t.argc && !t.trailing_blank && t.quoted[t.argc - 1])) {
		cli_tokens_free(&t);
		return NULL;
	}
	int n = split_cursor(&t, &partial);
	size_t plen = partial ? strlen(partial) : 0;
	cli_choices(cli, n, t.argv, partial, list);
	/* Only literal words can be inserted; labels (<integer>) are shown. */
	size_t lit = 0, first = 0, common = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (!list->v[i].literal)
			continue;
		if (lit++ == 0) {
			first = i;
			common = strlen(list->v[i].word);
		}
		size_t k = 0;
		while (k < common && list->v[i].word[k] == list->v[first].word[k])
			k++;
		common = k;
	}
	if (!list->error && lit == 1) {
		const char *w = list->v[first].word;
		if ((insert = malloc(strlen(w) - plen + 2)))
			sprintf(insert, "%s ", w + plen);
		cli_choices_free(list);
	} else if (!list->error && lit > 1 && common > plen) {
		insert = strndup(list->v[first].word + plen, common - plen);
		cli_choices_free(list);
	} else if (!list->error) {
		insert = strdup("");
	}
	cli_tokens_free(&t);
	return insert;
}

/* Installs `| grep ...`; t->argv[t->pipe - 1] is the "|". */
static int set_filter(struct cli *cli, const struct cli_tokens *t)
{
	char err[256];
	int n = t->argc - t->pipe;
	char *const *w = t->argv + t->pipe;

	if (n < 1 || strcmp(w[0], "grep") != 0)
		return cli_fail(cli, -61, "command", n ? w[0] : "|",
				"only '| grep' may follow a command");
	for (int i = 1; i < n; i++)
		if (strcmp(w[i], "|") == 0 && !t->quoted[t->pipe + i])
			return cli_fail(cli, -61, "command", "|", "only one '| grep' is allowed");
	if (cli_out_set_grep(cli->out, n - 1, w + 1, err, sizeof err) != 0)
		return cli_fail(cli, -61, NULL, NULL, err);
	return 0;
}

int cli_run_line(struct cli *cli, const char *line, size_t len, bool *secret, bool *understood)
{
	struct cli_tokens t;
	struct cli_args a;
	int rc = 0;

	*secret = false;
	*understood = false;
	switch (cli_tokenize(line, len, &t)) {
	case CLI_TOK_OK:
	case CLI_TOK_CONTINUE: /* a backslash at the very end: nothing follows it */
		break;
	case CLI_TOK_OPEN_QUOTE:
		cli_tokens_free(&t);
		return cli_fail(cli, -61, NULL, NULL,
				t.open_quote == '"' ? "token line: Unmatched double quote."
						    : "token line: Unmatched single quote.");
	case CLI_TOK_NUL:
		return cli_fail(cli, -61, NULL, NULL, "the line holds a NUL byte");
	case CLI_TOK_NOMEM:
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	}
	if (t.help) {
		rc = cli_print_help(cli, &t);
		*understood = rc == 0;
		cli_tokens_free(&t);
		return rc;
	}
	int words = t.pipe >= 0 ? t.pipe - 1 : t.argc;
	if (words == 0) {
		bool pipe = t.argc > 0;
		cli_tokens_free(&t);
		return pipe ? cli_fail(cli, -61, "command", "|", NULL) : 0;
	}
	if (cli->batch && cli->mode == CLI_MODE_TOP && cli_session_flush(cli) != 0) {
		cli_tokens_free(&t);
		return -1;
	}
	cli_run_fn run = cli_walk(cli, words, t.argv, &a);
	*secret = a.secret;
	if (run && t.pipe >= 0)
		rc = set_filter(cli, &t);
	if (run && rc == 0) {
		*understood = true;
		rc = run(cli, &a);
	} else {
		rc = -1;
	}
	cli_out_finish(cli->out);
	cli_tokens_free(&t);
	return rc;
}

/* ---- script mode ------------------------------------------------------ */

struct reader {
	struct cli *cli;
	int fd;
	const char *text; /* -c: read from here instead */
	char *buf;
	size_t len, pos, cap;
	bool eof;
};

/* True when a whole line can be had without waiting. */
static bool reader_ready(struct reader *r)
{
	if (r->text || r->eof || (r->buf && memchr(r->buf + r->pos, '\n', r->len - r->pos)))
		return true;
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0;
}

/* Next line without its newline (and without a CR before it).  Returns 1,
 * 0 at the end, or -1 for a line over MAX_LINE (skipped). */
static int reader_line(struct reader *r, char **line, size_t *len)
{
	if (r->text) {
		if (!*r->text)
			return 0;
		size_t n = strcspn(r->text, "\n");
		*line = (char *)r->text;
		*len = n;
		r->text += n + (r->text[n] == '\n');
		if (n && (*line)[n - 1] == '\r')
			(*len)--;
		return 1;
	}
	bool too_long = false;
	for (;;) {
		char *nl = r->buf ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl || (r->eof && r->pos < r->len)) {
			size_t n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
			*line = r->buf + r->pos;
			*len = n && (*line)[n - 1] == '\r' ? n - 1 : n;
			r->pos += n + (nl != NULL);
			return too_long || n > MAX_LINE ? -1 : 1;
		}
		if (r->eof)
			return too_long ? -1 : 0;
		if (r->pos > 0) { /* keep the unread part at the front */
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->len > MAX_LINE) { /* drop what we have; remember to refuse it */
			too_long = true;
			r->len = 0;
		}
		if (r->cap - r->len < 65536) {
			size_t cap = r->cap ? 2 * r->cap : 65536 * 2;
			char *b = realloc(r->buf, cap);
			if (!b)
				return -1;
			r->buf = b;
			r->cap = cap;
		}
		cli_wait_input(r->cli, r->fd);
		ssize_t got = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			r->eof = true;
		else
			r->len += got;
	}
}

/* Makes the grouped commits durable; reports a failure against line. */
static int flush_batch(struct cli *cli, int line)
{
	char prefix[32];
	if (cli_session_flush(cli) == 0)
		return 0;
	snprintf(prefix, sizeof prefix, "line %d: ", line);
	cli_flush_errors(cli, prefix);
	return -1;
}

static bool blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

/* A script line ending in TAB asks what TAB would do: prints the line as
 * completed, then the choices when there are several. */
static void script_complete(struct cli *cli, const char *line, size_t len)
{
	struct cli_choices list;
	char *ins = cli_complete(cli, line, len, &list);
	printf("%.*s%s\n", (int)len, line, ins ? ins : "");
	if (list.n)
		cli_print_choices(&list);
	cli_choices_free(&list);
	free(ins);
	fflush(stdout);
}

int cli_run_script(struct cli *cli, int fd, const char *text, bool stop_on_error)
{
	struct reader r = {.cli = cli, .fd = fd, .text = text};
	char *acc = NULL, *line;
	size_t acclen = 0, len;
	int status = 0, lineno = 0, first = 0, rc;
	char prefix[32];

	cli->batch = true;
	config_batch(cli->cfg, true);
	for (;;) {
		if (!acc && !reader_ready(&r) && flush_batch(cli, lineno) != 0)
			status = 1;
		rc = reader_line(&r, &line, &len);
		if (rc == 0)
			break;
		lineno++;
		if (rc < 0) {
			fprintf(stderr, "line %d: line longer than %d bytes, not run\n", lineno,
				MAX_LINE);
			status = 1;
			if (stop_on_error)
				break;
			continue;
		}
		if (!acc && blank_or_comment(line, len))
			continue;
		/* A registered session (a login) ends when an admin kills it. */
		if (!acc && config_who(cli->cfg)->session && !config_pending(cli->cfg) &&
		    cli_login_killed(cli)) {
			status = 1;
			break;
		}
		if (!acc && len && line[len - 1] == '\t') {
			script_complete(cli, line, len - 1);
			continue;
		}
		/* Join continuation lines: an open quote keeps the newline (a
		 * pasted PEM block), a final backslash does not. */
		char *n = realloc(acc, acclen + len + 2);
		if (!n) {
			fprintf(stderr, "line %d: out of memory\n", lineno);
			status = 1;
			break;
		}
		if (!acc)
			first = lineno;
		acc = n;
		memcpy(acc + acclen, line, len);
		acclen += len;
		acc[acclen] = '\0';
		struct cli_tokens t;
		enum cli_tok_status ts = cli_tokenize(acc, acclen, &t);
		cli_tokens_free(&t);
		if (ts == CLI_TOK_OPEN_QUOTE && !r.eof) {
			acc[acclen++] = '\n';
			continue;
		}
		if (ts == CLI_TOK_CONTINUE) {
			acclen--;
			continue;
		}
		bool secret, understood;
		if (cli_run_line(cli, acc, acclen, &secret, &understood) != 0) {
			snprintf(prefix, sizeof prefix, "line %d: ", first);
			cli_flush_errors(cli, prefix);
			status = 1;
			if (stop_on_error)
				cli_session_leave(cli); /* drop this block's staged edits */
		}
		free(acc);
		acc = NULL;
		acclen = 0;
		if (cli->done || (status && stop_on_error))
			break;
	}
	if (acc) { /* input ended inside a quote or after a backslash: say which */
		bool secret, understood;
		if (cli_run_line(cli, acc, acclen, &secret, &understood) != 0) {
			snprintf(prefix, sizeof prefix, "line %d: ", first);
			cli_flush_errors(cli, prefix);
			status = 1;
		}
		free(acc);
	}
	if (cli->mode != CLI_MODE_TOP && cli_session_dirty(cli)) {
		fprintf(stderr,
			"line %d: input ended inside 'config %s': uncommitted changes "
			"discarded\n",
			lineno, cli->path);
		status = 1;
	}
	cli_session_leave(cli);
	if (flush_batch(cli, lineno) != 0)
		status = 1;
	cli->batch = false;
	config_batch(cli->cfg, false);
	free(r.buf);
	return status;
}
