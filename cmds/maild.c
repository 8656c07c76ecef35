/* SPDX-License-Identifier: MIT */
/* fazmaild.c - `diagnose test application fazmaild` and the debug watch. */
#include "cmds/maild.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/walk.h"
#include "log/clock.h"
#include "log/debug.h"
#include "maild/ctl.h"

const struct schema_attr cmds_maild_test_arg = {
	.name = "test",
	.help = "Test number (any other number lists the tests).",
	.type = SCHEMA_T_UINT,
	.min = 0,
	.max = 4294967295u,
};

/* ---- the replies ----------------------------------------------------------- */

/* The value of "name value" in a reply, or def. */
static const char *field(const char *reply, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	for (const char *p = reply; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			size_t v = strcspn(p + n + 1, "\n");
			snprintf(buf, len, "%.*s", (int)v, p + n + 1);
			return buf;
		}
	snprintf(buf, len, "?");
	return buf;
}

/* ctime(3)'s layout, as the appliance prints it (spec §8.1), in the
 * zone of system global timezone. */
static const char *when(const char *epoch, char *buf, size_t len)
{
	if (!log_clock_format((time_t)strtoll(epoch, NULL, 10), "%a %b %e %H:%M:%S %Y", buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* Asks the daemon (starting it when it is not running). */
static char *ask(struct cli *cli, const char *req)
{
	char err[300], *reply = NULL;
	if (mctl_ensure(config_statedir(cli->cfg), err, sizeof err) != 0 ||
	    mctl_request(config_statedir(cli->cfg), req, &reply, err, sizeof err) != 0) {
		cli_fail(cli, -1, NULL, NULL, err);
		return NULL;
	}
	return reply;
}

static int show_status(struct cli *cli, const char *r)
{
	char pid[32], since[32], state[32], t[64];
	cli_out_printf(cli->out, "fazmaild PID:    %s\n", field(r, "pid", pid, sizeof pid));
	cli_out_printf(cli->out, "running since:   %s\n",
		       when(field(r, "since", since, sizeof since), t, sizeof t));
	cli_out_printf(cli->out, "state:           %s\n", field(r, "state", state, sizeof state));
	return 0;
}

static int show_stats(struct cli *cli, const char *r)
{
	char a[32], b[32], t[64];
	cli_out_printf(cli->out, "total sent mail count:        %s\n",
		       field(r, "sent", a, sizeof a));
	cli_out_printf(cli->out, "total failed sendmail count:  %s\n",
		       field(r, "failed", a, sizeof a));
	cli_out_printf(cli->out, "total discard mail count:     %s\n",
		       field(r, "discarded", a, sizeof a));
	cli_out_printf(cli->out, "last sendmail time:           %s\n",
		       when(field(r, "last_sendmail", a, sizeof a), t, sizeof t));
	cli_out_printf(cli->out, "last request time:            %s\n",
		       when(field(r, "last_request", a, sizeof a), t, sizeof t));
	cli_out_printf(cli->out, "queue:                        %s/%s\n",
		       field(r, "queued", a, sizeof a), field(r, "max", b, sizeof b));
	cli_out_printf(cli->out, "queue timeout:                %s seconds\n",
		       field(r, "timeout", a, sizeof a));
	return 0;
}

/* Our addition: each queued message, with the time it was queued and the
 * time of its next try in the zone of system global timezone. */
static int show_queue(struct cli *cli, const char *r)
{
	int n = 0;
	time_t now = time(NULL);
	cli_out_printf(cli->out, "%-8s %-19s %-8s %-8s %-30s %s\n", "id", "queued", "attempts",
		       "next-try", "recipients", "last error");
	for (const char *p = r; *p; n++) {
		long long id, created, next;
		int attempts, used = 0;
		size_t len = strcspn(p, "\n");
		char line[1200], queued[32], nx[32];
		snprintf(line, sizeof line, "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (sscanf(line, "%lld %lld %d %lld %n", &id, &created, &attempts, &next, &used) <
		    4)
			continue;
		char *tab = strchr(line + used, '\t');
		if (tab)
			*tab++ = '\0';
		log_clock_format((time_t)created, "%Y-%m-%d %H:%M:%S", queued, sizeof queued);
		if (next <= now || !log_clock_format((time_t)next, "%H:%M:%S", nx, sizeof nx))
			snprintf(nx, sizeof nx, "now");
		cli_out_printf(cli->out, "%-8lld %-19s %-8d %-8s %-30s %s\n", id, queued, attempts,
			       nx, line + used, tab && *tab ? tab : "-");
	}
	cli_out_printf(cli->out, "%d message(s) queued\n", n);
	return 0;
}

static void usage(struct cli *cli)
{
	/* The appliance's tests first, in its words; appsh's own after them,
	 * marked as such. */
	cli_out_printf(cli->out, "Fazmaild Daemon Test Usage:\n"
				 "1: show PID and daemon status\n"
				 "2: show runtime status\n"
				 "90: pause sending mail\n"
				 "91: resume sending mail\n"
				 "99: restart fazmaild daemon\n"
				 "3: show the queued messages (appsh addition)\n");
}

/* ---- the debug watch's state (used by 99 too) --------------------------- */

static char watch_dir[4096]; /* the state directory, once a shell asked */
static int watch_fd = -1;
static bool watch_wanted;
static struct timespec watch_retry; /* when to try to reconnect */
static int sent_level = -1;	    /* what the daemon was last told */

/* 99: the daemon answers, then hands over to a new process; wait until
 * the new one answers so that `1` right after shows it. */
static int restart(struct cli *cli)
{
	char pid[32], err[300], *r = ask(cli, "status");
	if (!r)
		return -1;
	field(r, "pid", pid, sizeof pid);
	free(r);
	if (!(r = ask(cli, "restart")))
		return -1;
	free(r);
	for (int i = 0; i < 100; i++, usleep(50 * 1000)) {
		char now[32];
		if (mctl_request(config_statedir(cli->cfg), "status", &r, err, sizeof err) != 0)
			continue;
		field(r, "pid", now, sizeof now);
		free(r);
		if (strcmp(now, pid) != 0) {
			cli_out_printf(cli->out, "fazmaild restarted: PID %s (was %s)\n", now, pid);
			sent_level = -1; /* the new one starts at level 0: tell it ours */
			cmds_maild_debug_sync(cli);
			return 0;
		}
	}
	return cli_fail(cli, -1, NULL, NULL, "fazmaild did not come back after the restart");
}

/* 1, 2, 3: what the daemon says, in the shell's layout. */
static int show(struct cli *cli, const char *req, int (*print)(struct cli *, const char *))
{
	char *r = ask(cli, req);
	if (!r)
		return -1;
	int rc = print(cli, r);
	free(r);
	return rc;
}

static int control(struct cli *cli, const char *req, const char *done)
{
	char *r = ask(cli, req);
	if (!r)
		return -1;
	free(r);
	cli_out_printf(cli->out, "fazmaild: %s\n", done);
	return 0;
}

int cmds_maild_status(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return show(cli, "status", show_status);
}

int cmds_maild_stats(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return show(cli, "stats", show_stats);
}

int cmds_maild_queue(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return show(cli, "queue", show_queue);
}

int cmds_maild_pause(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return control(cli, "pause", "sending paused");
}

int cmds_maild_resume(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return control(cli, "resume", "sending resumed");
}

int cmds_maild_restart(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return restart(cli);
}

/* Any other number: the list (spec §8.1). */
int cmds_maild_usage(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	usage(cli);
	return 0;
}

/* ---- the debug watch ---------------------------------------------------------- */

static void watch_close(void)
{
	if (watch_fd >= 0)
		close(watch_fd);
	watch_fd = -1;
}

/*
 * Tells a running daemon our level and, when watching is wanted, opens the
 * watch connection.  A daemon that is not running is not started for this:
 * debug settings are no reason to run one (the mail-server test turns them
 * on), and the line readers call cmds_maild_watch_fd each second, which
 * finds a daemon started later.
 */
static void watch_connect(void)
{
	char err[300], req[32], *r = NULL;
	int level = log_debug_level("fazmaild");

	snprintf(req, sizeof req, "level %d", level);
	if (level != sent_level)
		sent_level = mctl_request(watch_dir, req, &r, err, sizeof err) == 0 ? level : -1;
	free(r);
	if (watch_wanted && watch_fd < 0 && sent_level == level)
		watch_fd = mctl_watch(watch_dir, err, sizeof err);
}

void cmds_maild_debug_sync(struct cli *cli)
{
	snprintf(watch_dir, sizeof watch_dir, "%s", config_statedir(cli->cfg));
	watch_wanted = log_debug_on("fazmaild", 1); /* enabled, and a level set */
	if (!watch_wanted)
		watch_close();
	watch_connect();
}

int cmds_maild_watch_fd(int *retry_ms)
{
	*retry_ms = -1;
	if (!watch_wanted || watch_fd >= 0)
		return watch_wanted ? watch_fd : -1;
	/* No daemon yet, or it went away (restart, crash): ask again once a
	 * second; a new one starts at level 0, so tell it ours first. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec >= watch_retry.tv_sec) {
		watch_retry.tv_sec = now.tv_sec + 1;
		sent_level = -1;
		watch_connect();
	}
	if (watch_fd < 0)
		*retry_ms = 1000;
	return watch_fd;
}

void cmds_maild_watch_read(void)
{
	static char buf[8192];
	static size_t have; /* the start of a line whose end has not come yet */
	if (watch_fd < 0)
		return;
	ssize_t n = read(watch_fd, buf + have, sizeof buf - have);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* the daemon stopped or restarted */
		watch_close();
		have = 0;
		return;
	}
	have += (size_t)n;
	/* Whole lines only; a line longer than the buffer goes out as is. */
	char *end = memrchr(buf, '\n', have);
	size_t whole = end ? (size_t)(end - buf) + 1 : have == sizeof buf ? have : 0;
	if (whole) {
		log_debug_print_lines(buf, whole - (buf[whole - 1] == '\n'));
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
}
