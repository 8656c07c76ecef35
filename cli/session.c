/* SPDX-License-Identifier: MIT */
/* session.c - the shell session: config shell state and error lines. */
#include "cli/session.h"

#include "config/revision.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log/clock.h"

/* The session a signal cancels: one per process (cli_cancel_handler). */
static struct cli *signalled;

void cli_cancel_handler(int sig)
{
	(void)sig;
	if (signalled)
		signalled->cancel = 1;
}

int cli_session_open(struct cli *cli, const struct cli_hooks *hooks, const char *statedir,
		     char *err, size_t errlen)
{
	memset(cli, 0, sizeof *cli);
	cli->hooks = hooks;
	cli->mode = CLI_MODE_TOP;
	cli->tty_fd = -1;
	signalled = cli;
	if (config_open(statedir, &cli->cfg, err, errlen) != 0)
		return -1;
	cli->out = cli_out_new(stdout);
	if (!cli->out) {
		snprintf(err, errlen, "out of memory");
		config_close(cli->cfg);
		return -1;
	}
	/* Times shown to the operator follow system global timezone. */
	log_clock_source(config_clock_zone, cli->cfg);
	return 0;
}

void cli_session_attach(struct cli *cli, const struct cli_hooks *hooks, struct config *cfg,
			struct cli_out *out)
{
	memset(cli, 0, sizeof *cli);
	cli->hooks = hooks;
	cli->mode = CLI_MODE_TOP;
	cli->tty_fd = -1;
	cli->cfg = cfg;
	cli->out = out;
	cli->attached = true;
}

void cli_session_close(struct cli *cli)
{
	if (signalled == cli)
		signalled = NULL;
	log_clock_forget(cli->cfg);
	cli_session_leave(cli);
	if (cli->cmds_state && cli->hooks && cli->hooks->state_free)
		cli->hooks->state_free(cli->cmds_state);
	if (!cli->attached) {
		config_close(cli->cfg);
		cli_out_free(cli->out);
	}
	free(cli->err);
}

void cli_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	char line[2048];

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	char *e = realloc(cli->err, cli->errlen + n + 2);
	if (!e)
		return;
	memcpy(e + cli->errlen, line, n);
	cli->errlen += n;
	e[cli->errlen++] = '\n';
	e[cli->errlen] = '\0';
	cli->err = e;
}

/* Echoes a user's word safely: at most 40 bytes, and every byte outside
 * printable ASCII as \xNN (a raw 0x9b is a terminal escape on some
 * consoles, and a cut UTF-8 character would garble the line). */
static void quote_word(const char *w, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; w[i] && o + 8 < len; i++) {
		unsigned char c = (unsigned char)w[i];
		if (i == 40) {
			o += snprintf(buf + o, len - o, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
}

int cli_fail(struct cli *cli, int code, const char *parse, const char *tok, const char *detail)
{
	char w[200];
	if (detail && *detail)
		cli_error(cli, "%s", detail);
	if (parse) {
		quote_word(tok ? tok : "", w, sizeof w);
		cli_error(cli, "%s parse error before '%s'", parse, w);
	}
	cli_error(cli, "Command fail. Return code %d", code);
	cli->last_code = code;
	return -1;
}

int cli_fail_config(struct cli *cli, const struct config_error *err)
{
	return cli_fail(cli, err->code, err->parse, err->token, err->detail);
}

int cli_fail_store(struct cli *cli)
{
	return cli_fail(cli, -1, NULL, NULL, config_errmsg(cli->cfg));
}

int cli_refuse(struct cli *cli, enum schema_area area, bool write, const char *what, bool audit)
{
	struct config_error err;
	config_refuse(cli->cfg, area, write, what, audit, &err);
	return cli_fail_config(cli, &err);
}

/* A script piped from a slow producer sees the daemon's debug lines as
 * they happen. */
void cli_wait_input(struct cli *cli, int fd)
{
	const struct cli_hooks *h = cli->hooks;
	for (;;) {
		int retry = -1, wfd = h && h->watch_fd ? h->watch_fd(&retry) : -1;
		if (wfd < 0 && retry < 0)
			return;
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = wfd, .events = POLLIN}};
		if (poll(p, wfd >= 0 ? 2 : 1, retry) < 0 && errno != EINTR)
			return;
		if (cli->cancel || p[0].revents)
			return;
		if (wfd >= 0 && p[1].revents)
			h->watch_read();
	}
}

/* ---- the config shell -------------------------------------------------- */

int cli_session_enter(struct cli *cli, const struct schema_node *node, const char *path)
{
	cli_session_leave(cli);
	if (!(cli->txn = config_txn_new(cli->cfg, node, path)))
		return cli_fail(cli, -4, NULL, NULL, "out of memory");
	cli->node = node;
	snprintf(cli->path, sizeof cli->path, "%s", path);
	cli->mode = node->kind == SCHEMA_TABLE ? CLI_MODE_TABLE : CLI_MODE_OBJECT;
	if (cli->mode == CLI_MODE_OBJECT && !(cli->cur = config_txn_entry(cli->txn, "", true))) {
		cli_session_leave(cli);
		return cli_fail_store(cli);
	}
	config_editing(cli->cfg, path, NULL);
	return 0;
}

void cli_session_leave(struct cli *cli)
{
	if (cli->txn)
		config_editing(cli->cfg, NULL, NULL);
	config_txn_free(cli->txn);
	cli->txn = NULL;
	cli->cur = NULL;
	cli->node = NULL;
	cli->path[0] = '\0';
	cli->mode = CLI_MODE_TOP;
}

bool cli_session_dirty(const struct cli *cli)
{
	return cli->txn && config_txn_dirty(cli->txn);
}

int cli_session_commit(struct cli *cli)
{
	struct config_error err;
	if (!cli->txn || config_txn_commit(cli->txn, NULL, &err) == 0) {
		cli->cur = NULL; /* the committed entries left the transaction */
		return 0;
	}
	return cli_fail_config(cli, &err);
}

int cli_session_flush(struct cli *cli)
{
	struct config_error err;
	return config_flush(cli->cfg, &err) == 0 ? 0 : cli_fail_config(cli, &err);
}

bool cli_editing(const struct cli *cli, const struct schema_node *node, const char *path)
{
	return cli->txn && cli->node == node && strcmp(cli->path, path) == 0;
}

int cli_keys(struct cli *cli, const struct schema_node *node, const char *path,
	     int (*cb)(void *arg, const char *key), void *arg)
{
	if (cli_editing(cli, node, path))
		return config_txn_keys(cli->txn, cb, arg);
	return config_keys(cli->cfg, path, cb, arg);
}
