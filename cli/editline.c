/* SPDX-License-Identifier: MIT */
/*
 * editline.c - the interactive console: libedit with history, `?` and TAB
 * bound to the walker, Ctrl-C abandoning the line, `--More--` paging.
 */
#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli/cli.h"
#include "cli/login.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	cli_cancel_handler(sig);
}

static char prompt_buf[256];
static bool continuing; /* inside a multi-line quoted value */

static char *prompt(EditLine *el)
{
	struct cli *cli;
	char host[64];

	if (continuing)
		return "> ";
	el_get(el, EL_CLIENTDATA, &cli);
	config_hostname(cli->cfg, host, sizeof host);
	if (cli->mode == CLI_MODE_TOP)
		snprintf(prompt_buf, sizeof prompt_buf, "%s # ", host);
	else if (cli->mode == CLI_MODE_ENTRY)
		snprintf(prompt_buf, sizeof prompt_buf, "%s (%.64s) # ", host,
			 config_entry_key(cli->cur));
	else
		snprintf(prompt_buf, sizeof prompt_buf, "%s (%s) # ", host, cli->node->name);
	return prompt_buf;
}

/* `?` and TAB: both ask the walker about the text before the cursor. */
static unsigned char on_key(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	size_t len = (size_t)(li->cursor - li->buffer);
	struct cli *cli;
	struct cli_tokens t;

	el_get(el, EL_CLIENTDATA, &cli);
	enum cli_tok_status st = cli_tokenize(li->buffer, len, &t);
	if (ch == '?') {
		/* Inside quotes, or escaped, `?` is just a character. */
		bool literal = st == CLI_TOK_OPEN_QUOTE || st == CLI_TOK_CONTINUE || continuing;
		if (literal) {
			cli_tokens_free(&t);
			return el_insertstr(el, "?") == 0 ? CC_REFRESH : CC_ERROR;
		}
		printf("?\n");
		cli_print_help(cli, &t);
		cli_flush_errors(cli, "");
		cli_tokens_free(&t);
		return CC_REDISPLAY;
	}
	cli_tokens_free(&t);
	if (continuing)
		return el_insertstr(el, "\t") == 0 ? CC_REFRESH : CC_ERROR;
	struct cli_choices list;
	char *ins = cli_complete(cli, li->buffer, len, &list);
	unsigned char rc = CC_REFRESH;
	if (!ins) {
		rc = CC_ERROR;
	} else if (*ins) {
		el_insertstr(el, ins);
	} else if (list.n) {
		printf("\n");
		cli_print_choices(&list);
		rc = CC_REDISPLAY;
	} else {
		rc = CC_ERROR;
	}
	cli_flush_errors(cli, "");
	cli_choices_free(&list);
	free(ins);
	return rc;
}

static time_t last_key; /* when the admin last typed something */
static long idle_limit; /* seconds: system global admin-timeout */
static bool timed_out;	/* the session ended for idleness */

static void read_timeout(struct cli *cli)
{
	char *t = config_read_attr(cli->cfg, "system global", "admin-timeout");
	idle_limit = t ? strtol(t, NULL, 10) * 60 : 0;
	free(t);
}

/*
 * libedit's character reader, replaced so that waiting for a key wakes
 * every second: an idle session ends after admin-timeout, and a session
 * that another admin killed notices.  While fazmaild's debug lines are
 * watched it waits on the daemon too, prints its lines above the prompt
 * and redraws the prompt with what was being typed.  Returning 0 is end
 * of input.
 */
static int read_char(EditLine *el, wchar_t *wc)
{
	static mbstate_t mbs;
	struct cli *cli;
	el_get(el, EL_CLIENTDATA, &cli);
	for (;;) {
		const struct cli_hooks *h = cli->hooks;
		int retry = -1, wfd = h && h->watch_fd ? h->watch_fd(&retry) : -1;
		struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
				      {.fd = wfd, .events = POLLIN}};
		int rc = poll(p, wfd >= 0 ? 2 : 1, retry >= 0 && retry < 1000 ? retry : 1000);
		if (rc < 0 && errno == EINTR && !interrupted)
			continue; /* e.g. SIGWINCH */
		if (rc < 0)
			return -1; /* Ctrl-C: el_gets gives up the line */
		if (wfd >= 0 && p[1].revents) {
			fputs("\r\033[K", stdout);
			h->watch_read();
			el_set(el, EL_REFRESH);
			continue;
		}
		if (!p[0].revents) {
			if (idle_limit > 0 && time(NULL) - last_key >= idle_limit) {
				timed_out = true;
				return 0;
			}
			if (cli_login_killed(cli))
				return 0;
			continue;
		}
		char c;
		ssize_t n = read(STDIN_FILENO, &c, 1);
		if (n < 0 && errno == EINTR && !interrupted)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		last_key = time(NULL);
		size_t k = mbrtowc(wc, &c, 1, &mbs);
		if (k == (size_t)-2)
			continue; /* more bytes of this character to come */
		if (k == (size_t)-1) {
			memset(&mbs, 0, sizeof mbs);
			*wc = (unsigned char)c;
		}
		return 1;
	}
}

static void history_path(struct cli *cli, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());
	snprintf(buf, len, "%s/history-%s", config_statedir(cli->cfg),
		 pw ? pw->pw_name : "unknown");
}

/* An admin's history is theirs alone, also in the group-shared directory. */
static void save_history(History *hist, const char *path)
{
	HistEvent ev;
	mode_t old = umask(077);
	history(hist, &ev, H_SAVE, path);
	umask(old);
}

/* Pages output with --More-- when `system global console-output` is more. */
static void setup_pager(struct cli *cli)
{
	char *mode = config_read_attr(cli->cfg, "system global", "console-output");
	struct winsize ws;
	if (mode && strcmp(mode, "more") == 0 && isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1)
		cli_out_set_pager(cli->out, STDIN_FILENO, ws.ws_row);
	free(mode);
}

int cli_interactive(struct cli *cli)
{
	EditLine *el = el_init("appsh", stdin, stdout, stderr);
	History *hist = history_init();
	HistEvent ev;
	char hpath[4200], *acc = NULL;
	size_t acclen = 0;
	struct sigaction sa = {.sa_handler = on_sigint};

	if (!el || !hist) {
		fprintf(stderr, "appsh: cannot initialise the line editor\n");
		return 1;
	}
	cli->interactive = true;
	cli->tty_fd = STDIN_FILENO;
	/* No SA_RESTART: Ctrl-C must interrupt the read so the line is dropped. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	history(hist, &ev, H_SETSIZE, 1000);
	history(hist, &ev, H_SETUNIQUE, 1);
	history_path(cli, hpath, sizeof hpath);
	history(hist, &ev, H_LOAD, hpath);

	el_set(el, EL_CLIENTDATA, cli);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, hist);
	/* The wide form: libedit frees the names it copies only there. */
	el_wset(el, EL_ADDFN, L"appsh-help", L"List or complete what may come next", on_key);
	el_set(el, EL_BIND, "?", "appsh-help", NULL);
	el_set(el, EL_BIND, "^I", "appsh-help", NULL);
	el_set(el, EL_GETCFN, read_char);
	last_key = time(NULL);
	read_timeout(cli);

	while (!cli->done) {
		int count;
		interrupted = 0;
		errno = 0; /* a stale EINTR from an earlier Ctrl-C must not look like one */
		const char *line = el_gets(el, &count);
		if (!line && (interrupted || errno == EINTR)) {
			/* Ctrl-C: abandon the line (and a multi-line value). */
			printf("^C\n");
			free(acc);
			acc = NULL;
			acclen = 0;
			continuing = false;
			el_reset(el);
			continue;
		}
		if (!line) { /* Ctrl-D, idle timeout, or killed */
			printf("\n");
			if (timed_out) {
				fprintf(stderr, "appsh: idle for %ld minute%s: session ended\n",
					idle_limit / 60, idle_limit == 60 ? "" : "s");
				config_audit(cli->cfg, "logout", "idle for %ld minutes",
					     idle_limit / 60);
			}
			break;
		}
		size_t len = strlen(line);
		if (len && line[len - 1] == '\n')
			len--;
		char *n = realloc(acc, acclen + len + 2);
		if (!n)
			break;
		acc = n;
		memcpy(acc + acclen, line, len);
		acclen += len;
		acc[acclen] = '\0';
		struct cli_tokens t;
		enum cli_tok_status ts = cli_tokenize(acc, acclen, &t);
		cli_tokens_free(&t);
		if (ts == CLI_TOK_OPEN_QUOTE) {
			acc[acclen++] = '\n';
			continuing = true;
			continue;
		}
		if (ts == CLI_TOK_CONTINUE) {
			acclen--;
			continuing = true;
			continue;
		}
		continuing = false;
		bool secret, understood;
		setup_pager(cli);
		cli_run_line(cli, acc, acclen, &secret, &understood);
		/* A long command (a ping, the pager, a (y/n) question) is not
		 * idleness: the clock starts again when the prompt comes back. */
		last_key = time(NULL);
		cli_flush_errors(cli, "");
		read_timeout(cli);
		/* Lines that name a secret, or that did not parse (a mistyped
		 * `set passwd` could hold one), never reach the history file. */
		if (understood && !secret && acclen && !memchr(acc, '\n', acclen)) {
			history(hist, &ev, H_ENTER, acc);
			save_history(hist, hpath);
		}
		free(acc);
		acc = NULL;
		acclen = 0;
	}
	free(acc);
	if (cli->mode != CLI_MODE_TOP && cli_session_dirty(cli))
		fprintf(stderr, "uncommitted changes in 'config %s' discarded\n", cli->path);
	save_history(hist, hpath);
	history_end(hist);
	el_end(el);
	return 0;
}
