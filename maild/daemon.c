/* SPDX-License-Identifier: MIT */
/* daemon.c - fazmaild's sending loop and control loop (see daemon.h). */
#include "maild/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "log/debug.h"
#include "maild/ctl.h"
#include "maild/deliver.h"
#include "maild/queue.h"

#define MAX_WATCHERS 32
#define IDLE_WAKE    60	  /* seconds between idle loop turns (and their debug line) */
#define RETRY_CAP    900  /* the longest wait between two attempts */
#define REQUEST_MS   1000 /* a client has this long to send its request */

struct md {
	const char *dir;
	const struct md_options *opt;
	time_t since;
	pthread_mutex_t mu; /* guards the fields below and the watchers */
	pthread_cond_t wake;
	bool paused, kicked;
	atomic_bool stopping;
	int watchers[MAX_WATCHERS];
	int nwatch;
};

static int sigpipe_fds[2] = {-1, -1}; /* SIGTERM wakes the control loop */

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(sigpipe_fds[1], &c, 1) < 0) {
		/* nothing to do: the loop is already awake */
	}
	errno = saved;
}

/* ---- debug lines to the watching shells ------------------------------------ */

/* Called from either thread.  A watcher that cannot take a line now (its
 * shell is busy) misses it: the daemon never waits for a terminal. */
static void broadcast(void *arg, const char *lines)
{
	struct md *d = arg;
	size_t len = strlen(lines);
	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < d->nwatch; i++)
		if (send(d->watchers[i], lines, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN && errno != EWOULDBLOCK) {
			close(d->watchers[i]);
			d->watchers[i--] = d->watchers[--d->nwatch];
		}
	log_debug_set_enabled(d->nwatch > 0);
	pthread_mutex_unlock(&d->mu);
}

static void drop_watcher(struct md *d, int fd)
{
	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < d->nwatch; i++)
		if (d->watchers[i] == fd) {
			close(fd);
			d->watchers[i] = d->watchers[--d->nwatch];
			break;
		}
	log_debug_set_enabled(d->nwatch > 0);
	pthread_mutex_unlock(&d->mu);
}

/* ---- the sending loop ------------------------------------------------------- */

static bool stopping(void *arg)
{
	struct md *d = arg;
	return atomic_load(&d->stopping);
}

/* Sleeps until `until` (seconds since the epoch), a kick, or a stop. */
static void wait_until(struct md *d, time_t until)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += until - time(NULL);
	pthread_mutex_lock(&d->mu);
	while (!d->kicked && !atomic_load(&d->stopping) &&
	       pthread_cond_timedwait(&d->wake, &d->mu, &ts) != ETIMEDOUT)
		;
	d->kicked = false;
	pthread_mutex_unlock(&d->mu);
}

static long backoff(const struct md *d, int attempts)
{
	long delay = d->opt->retry_base;
	for (int i = 0; i < attempts && delay < RETRY_CAP; i++)
		delay *= 2;
	return delay < RETRY_CAP ? delay : RETRY_CAP;
}

/* Records the outcome of one attempt (in the queue, the log, syslog). */
/* Writes the outcome; a busy queue (a submitter holding the write lock)
 * is waited for, because a message left due would go out again at once. */
static int write_outcome(struct mq *q, const struct mq_msg *m, enum md_outcome rc, int64_t now,
			 int64_t next_try, const char *why)
{
	int r = MQ_BUSY;
	for (int tries = 0; r == MQ_BUSY && tries < 60; tries++) {
		r = rc == MD_SENT   ? mq_delivered(q, m->id, now)
		    : rc == MD_PERM ? mq_failed(q, m->id, why)
				    : mq_deferred(q, m->id, next_try, why);
		if (r == MQ_BUSY)
			usleep(100 * 1000);
	}
	return r;
}

/* Records the outcome of one attempt (in the queue, the log, syslog). */
static void record(struct md *d, struct mq *q, const struct mq_msg *m, enum md_outcome rc,
		   const char *why)
{
	time_t now = time(NULL);
	long delay = backoff(d, m->attempts);
	if (write_outcome(q, m, rc, now, now + delay, why) != MQ_OK)
		syslog(LOG_ERR, "the mail queue failed: %s", mq_errmsg(q));
	if (rc == MD_SENT) {
		log_debug_printf("fazmaild", 4, "sendmail_loop:%d: mail %" PRId64 " sent: %s",
				 __LINE__, m->id, why);
		syslog(LOG_INFO, "mail %" PRId64 " delivered: %s", m->id, why);
	} else if (rc == MD_PERM) {
		log_debug_printf("fazmaild", 1, "sendmail_loop:%d: mail %" PRId64 " failed: %s",
				 __LINE__, m->id, why);
		syslog(LOG_ERR, "mail %" PRId64 " failed for good: %s", m->id, why);
	} else {
		log_debug_printf("fazmaild", 1,
				 "sendmail_loop:%d: mail %" PRId64 " deferred (attempt %d), "
				 "retry in %ld s: %s",
				 __LINE__, m->id, m->attempts + 1, delay, why);
		syslog(LOG_WARNING, "mail %" PRId64 " deferred, retry in %ld s: %s", m->id, delay,
		       why);
	}
}

static void sendmail_loop(struct md *d, struct mq *q, struct config *cfg, struct md_link *link)
{
	time_t swept = 0;
	while (!atomic_load(&d->stopping)) {
		time_t now = time(NULL);
		int expired = 0;
		/* Once a second is enough, and keeps the write lock free for
		 * submitters while a burst is delivered. */
		if (now != swept) {
			swept = now;
			if (mq_expire(q, now, d->opt->queue_timeout, &expired) == MQ_OK &&
			    expired) {
				log_debug_printf("fazmaild", 1,
						 "sendmail_loop:%d: discarded %d mail(s) queued "
						 "longer than %ld seconds",
						 __LINE__, expired, d->opt->queue_timeout);
				syslog(LOG_WARNING, "discarded %d mail(s) after the queue timeout",
				       expired);
			}
		}
		pthread_mutex_lock(&d->mu);
		bool paused = d->paused;
		pthread_mutex_unlock(&d->mu);
		struct mq_msg m;
		int due = paused ? 0 : mq_next_due(q, now, &m);
		if (due == 1 && now - m.created >= d->opt->queue_timeout) {
			swept = 0; /* too old to send: the sweep above discards it */
			mq_msg_free(&m);
			continue;
		}
		if (due == 1) {
			if (log_debug_on("fazmaild", 8)) {
				struct mq_stats s;
				if (mq_stats(q, &s) == MQ_OK)
					log_debug_printf(
						"fazmaild", 8,
						"sendmail_loop:%d: total pending tasks: %d.",
						__LINE__, s.queued);
			}
			char why[2048]; /* the error, its verdict and hint */
			enum md_outcome rc = md_deliver(link, cfg, &m, why, sizeof why);
			/* Cut short by a restart: the message stays as it was. */
			if (!(rc == MD_TEMP && atomic_load(&d->stopping)))
				record(d, q, &m, rc, why);
			mq_msg_free(&m);
			continue;
		}
		if (due < 0)
			syslog(LOG_ERR, "the mail queue failed: %s", mq_errmsg(q));
		time_t idle_check = md_link_idle(link, now);
		struct mq_stats s;
		if (log_debug_on("fazmaild", 8) && mq_stats(q, &s) == MQ_OK) {
			if (paused)
				log_debug_printf("fazmaild", 8,
						 "sendmail_loop:%d: sending is paused, %d mail(s) "
						 "pending",
						 __LINE__, s.queued);
			else
				log_debug_printf("fazmaild", 8,
						 "sendmail_loop:%d: total pending tasks: %d.\n"
						 "sendmail_loop:%d: no pending email request, last "
						 "request time %" PRId64
						 ", last sendmail time %" PRId64,
						 __LINE__, s.queued, __LINE__, s.last_request,
						 s.last_sendmail);
		}
		int64_t next = paused ? -1 : mq_next_time(q);
		time_t until = now + IDLE_WAKE;
		if (next >= 0 && next < until)
			until = next <= now ? now + 1 : (time_t)next;
		if (idle_check >= 0 && idle_check < until)
			until = idle_check <= now ? now + 1 : idle_check;
		if (due < 0)
			until = now + 1; /* the database was busy: try again soon */
		wait_until(d, until);
	}
}

static void *sender_main(void *arg)
{
	struct md *d = arg;
	struct mq *q = NULL;
	struct config *cfg = NULL;
	char err[256];
	/* This thread's own connections: SQLite handles are not shared. */
	if (mq_open(d->dir, &q, err, sizeof err) != MQ_OK ||
	    config_open(d->dir, &cfg, err, sizeof err) != 0) {
		syslog(LOG_ERR, "cannot open the queue or the config store: %s", err);
		mq_close(q);
		atomic_store(&d->stopping, true);
		if (write(sigpipe_fds[1], "x", 1) < 0) {
			/* the control loop polls with a timeout as well */
		}
		return NULL;
	}
	struct md_link *link = md_link_new(stopping, d);
	if (link)
		sendmail_loop(d, q, cfg, link);
	md_link_free(link);
	config_close(cfg);
	mq_close(q);
	return NULL;
}

/* ---- the control loop ------------------------------------------------------- */

static int list_one(void *arg, const struct mq_msg *m)
{
	FILE *f = arg;
	time_t now = time(NULL);
	/* Times as epochs: the shell shows them in the appliance's zone. */
	fprintf(f, "%" PRId64 " %" PRId64 " %d %" PRId64 " ", m->id, (int64_t)m->created,
		m->attempts, m->next_try > now ? (int64_t)m->next_try : 0);
	for (const char *p = m->rcpts; *p; p++)
		if (*p != '\n' || p[1])
			fputc(*p == '\n' ? ',' : *p, f);
	fprintf(f, "\t%s\n", m->last_error);
	return 0;
}

/* Answers one request; returns true when the client became a watcher and
 * *restart when the daemon must restart. */
static bool answer(struct md *d, struct mq *q, int fd, const char *req, bool *restart)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	bool watch = false;
	int level;

	if (!f)
		return false;
	if (!strcmp(req, "status")) {
		pthread_mutex_lock(&d->mu);
		fprintf(f, "OK\npid %d\nsince %" PRId64 "\nstate %s\nlevel %d\n", (int)getpid(),
			(int64_t)d->since, d->paused ? "paused" : "sending",
			log_debug_level("fazmaild"));
		pthread_mutex_unlock(&d->mu);
	} else if (!strcmp(req, "stats")) {
		struct mq_stats s;
		if (mq_stats(q, &s) != MQ_OK)
			fprintf(f, "ERR %s\n", mq_errmsg(q));
		else
			fprintf(f,
				"OK\nsent %" PRId64 "\nfailed %" PRId64 "\ndiscarded %" PRId64
				"\nlast_sendmail %" PRId64 "\nlast_request %" PRId64
				"\nqueued %d\nmax %d\ntimeout %ld\n",
				s.sent, s.failed, s.discarded, s.last_sendmail, s.last_request,
				s.queued, MQ_MAX, d->opt->queue_timeout);
	} else if (!strcmp(req, "queue")) {
		fputs("OK\n", f);
		if (mq_list(q, list_one, f) != MQ_OK) {
			rewind(f);
			fprintf(f, "ERR %s\n", mq_errmsg(q));
		}
	} else if (!strcmp(req, "pause") || !strcmp(req, "resume")) {
		bool pause = req[0] == 'p';
		if (mq_set_paused(q, pause) != MQ_OK) {
			fprintf(f, "ERR %s\n", mq_errmsg(q));
		} else {
			pthread_mutex_lock(&d->mu);
			d->paused = pause;
			d->kicked = true;
			pthread_cond_signal(&d->wake);
			pthread_mutex_unlock(&d->mu);
			log_debug_printf("fazmaild", 1, "fazmaild: sending %s",
					 pause ? "paused" : "resumed");
			syslog(LOG_NOTICE, "sending %s by the operator",
			       pause ? "paused" : "resumed");
			fputs("OK\n", f);
		}
	} else if (!strcmp(req, "kick")) {
		pthread_mutex_lock(&d->mu);
		d->kicked = true;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->mu);
		fputs("OK\n", f);
	} else if (sscanf(req, "level %d", &level) == 1 &&
		   log_debug_set_level("fazmaild", level) == 0) {
		fputs("OK\n", f);
	} else if (!strcmp(req, "restart")) {
		syslog(LOG_NOTICE, "restart requested by the operator");
		*restart = true;
		fputs("OK\n", f);
	} else if (!strcmp(req, "watch")) {
		/* "OK" goes out before the first debug line can: both under
		 * the lock the sender thread broadcasts under. */
		pthread_mutex_lock(&d->mu);
		watch = d->nwatch < MAX_WATCHERS && send(fd, "OK\n", 3, MSG_NOSIGNAL) == 3;
		if (watch) {
			d->watchers[d->nwatch++] = fd;
			log_debug_set_enabled(true);
		}
		pthread_mutex_unlock(&d->mu);
		if (!watch)
			fputs("ERR too many shells are watching\n", f);
	} else {
		fprintf(f, "ERR unknown request\n");
	}
	fclose(f);
	/* Bounded by SO_SNDTIMEO (serve_client): a client that does not read
	 * its reply is dropped, not waited for. */
	if (outlen && send(fd, out, outlen, MSG_NOSIGNAL) < 0)
		syslog(LOG_NOTICE, "a control client did not take its reply: %s", strerror(errno));
	free(out);
	return watch;
}

/* Reads one request line (bounded in size and time) and answers it. */
static void serve_client(struct md *d, struct mq *q, int fd, bool *restart)
{
	char req[128];
	size_t n = 0;
	struct timeval tv = {.tv_sec = REQUEST_MS / 1000};
	struct timespec t0, t;
	/* The whole request within REQUEST_MS, and each reply write too: the
	 * one control thread must never wait long for one client. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = REQUEST_MS -
			    ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (n == sizeof req - 1 || left <= 0 || poll(&p, 1, (int)left) != 1)
			break;
		ssize_t got = read(fd, req + n, sizeof req - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		if (memchr(req, '\n', n))
			break;
	}
	req[n] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	if (!answer(d, q, fd, req, restart))
		close(fd);
	else
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int md_serve(const char *statedir, int listen_fd, const struct md_options *opt)
{
	struct md d = {.dir = statedir, .opt = opt, .since = time(NULL)};
	pthread_condattr_t ca;
	pthread_t sender;
	struct mq *q;
	char err[256] = "the state directory's path is too long";
	bool restart = false;
	char sock[4200];

	if (mctl_path(statedir, sock, sizeof sock) != 0 ||
	    (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) != 0 &&
	     snprintf(err, sizeof err, "pipe: %s", strerror(errno))) ||
	    mq_open(statedir, &q, err, sizeof err) != MQ_OK) {
		syslog(LOG_ERR, "cannot start: %s", err);
		return 1;
	}
	d.paused = mq_paused(q);
	pthread_mutex_init(&d.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d.wake, &ca);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	log_debug_set_sink(broadcast, &d);
	syslog(LOG_INFO, "started for %s", statedir);
	if (pthread_create(&sender, NULL, sender_main, &d) != 0) {
		mq_close(q);
		return 1;
	}
	while (!restart && !atomic_load(&d.stopping)) {
		struct pollfd p[2 + MAX_WATCHERS] = {{.fd = sigpipe_fds[0], .events = POLLIN},
						     {.fd = listen_fd, .events = POLLIN}};
		int np = 2;
		pthread_mutex_lock(&d.mu);
		for (int i = 0; i < d.nwatch; i++)
			p[np++] = (struct pollfd){.fd = d.watchers[i], .events = POLLIN};
		pthread_mutex_unlock(&d.mu);
		if (poll(p, (nfds_t)np, 1000) < 0 && errno != EINTR)
			break;
		/* Our socket gone (the state directory removed): nobody can
		 * reach us any more, so there is nothing left to serve. */
		struct stat sb;
		if (lstat(sock, &sb) != 0 && errno == ENOENT) {
			syslog(LOG_NOTICE, "the control socket %s is gone: stopping", sock);
			atomic_store(&d.stopping, true);
			break;
		}
		if (p[0].revents) {
			atomic_store(&d.stopping, true);
			break;
		}
		/* A watcher says nothing; readable means it went away. */
		for (int i = 2; i < np; i++)
			if (p[i].revents)
				drop_watcher(&d, p[i].fd);
		if (p[1].revents & POLLIN) {
			int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				serve_client(&d, q, fd, &restart);
		}
	}
	/* Stop the sender: a message in flight is abandoned, not recorded
	 * as a failure, and stays queued for the next daemon. */
	pthread_mutex_lock(&d.mu);
	atomic_store(&d.stopping, true);
	pthread_cond_signal(&d.wake);
	pthread_mutex_unlock(&d.mu);
	pthread_join(sender, NULL);
	log_debug_set_sink(NULL, NULL);
	for (int i = 0; i < d.nwatch; i++)
		close(d.watchers[i]);
	mq_close(q);
	syslog(LOG_INFO, restart ? "restarting" : "stopped");
	return restart ? MD_EXIT_RESTART : MD_EXIT_STOP;
}
