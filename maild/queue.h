/* SPDX-License-Identifier: MIT */
/*
 * queue.h - the mail queue: an SQLite database beside the config store
 * (<state dir>/mailq.db), shared by appsh-sendmail (which adds), fazmaild
 * (which delivers) and the shell (which looks).
 *
 * A message is in the queue from the moment mq_submit() returns until the
 * server accepted it (mq_delivered) or it failed for good (mq_failed,
 * mq_expire).  Every change is one transaction with synchronous=FULL, so a
 * returned call is on disk: a crash loses nothing acknowledged, and a
 * message half-submitted never becomes visible.  The counters shown by
 * `diagnose test application fazmaild 2` live in the same database and
 * change in the same transactions as the rows they count.
 *
 * Errors are returned with a message; nothing here prints.
 */
#ifndef APPSH_MAILD_QUEUE_H
#define APPSH_MAILD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQ_MAX		   5000 /* messages the queue holds (spec §8.1) */
#define MQ_TIMEOUT_DEFAULT 1800 /* seconds a message may wait (spec §8.1) */

enum {
	MQ_OK = 0,
	MQ_ERR = -1,  /* the database failed; see the message */
	MQ_FULL = -2, /* MQ_MAX messages are queued */
	MQ_BUSY = -3, /* another writer held the database past the deadline */
};

struct mq;

/* Opens (creating when absent) the queue of a state directory. */
int mq_open(const char *statedir, struct mq **out, char *err, size_t errlen);
void mq_close(struct mq *q);
const char *mq_errmsg(const struct mq *q);

/* One queued message.  Strings are owned by the struct (mq_msg_free). */
struct mq_msg {
	int64_t id;
	char *server;	  /* the system mail entry, "" = the default one */
	char *sender;	  /* envelope sender, "" = the entry's from */
	char *rcpts;	  /* envelope recipients, one per line */
	char *body;	  /* the RFC 5322 text */
	size_t len;	  /* bytes in body */
	int64_t created;  /* seconds since the epoch */
	int64_t next_try; /* not before this time */
	int attempts;
	char *last_error; /* why the last attempt failed, or "" */
};
void mq_msg_free(struct mq_msg *m);

/* Adds a message; *id gets its number.  MQ_FULL and MQ_BUSY are temporary. */
int mq_submit(struct mq *q, const char *server, const char *sender, const char *rcpts,
	      const char *body, size_t len, int64_t *id);

/* The due message with the earliest next_try (ties: oldest): 1 and *m, 0 none. */
int mq_next_due(struct mq *q, int64_t now, struct mq_msg *m);
/* When the next message falls due, or -1 when the queue is empty. */
int64_t mq_next_time(struct mq *q);

/* Outcomes of a delivery attempt. */
int mq_delivered(struct mq *q, int64_t id, int64_t now);
int mq_failed(struct mq *q, int64_t id, const char *why);
int mq_deferred(struct mq *q, int64_t id, int64_t next_try, const char *why);
/* Drops messages older than timeout seconds; *n gets how many. */
int mq_expire(struct mq *q, int64_t now, int64_t timeout, int *n);

struct mq_stats {
	int64_t sent, failed, discarded;
	int64_t last_sendmail, last_request; /* 0 = never */
	int queued;
};
int mq_stats(struct mq *q, struct mq_stats *s);

/* Whether sending is paused (`fazmaild 90`): kept in the queue, so that
 * a restart does not quietly resume what an operator paused. */
int mq_set_paused(struct mq *q, bool paused);
bool mq_paused(struct mq *q);

/* Calls cb for each queued message, oldest first (body not loaded). */
typedef int (*mq_list_cb)(void *arg, const struct mq_msg *m);
int mq_list(struct mq *q, mq_list_cb cb, void *arg);

#endif
