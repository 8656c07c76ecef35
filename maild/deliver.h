/* SPDX-License-Identifier: MIT */
/*
 * deliver.h - one queued message through its `system mail` server, over a
 * connection kept for the next message.
 *
 * The link caches one SMTP session and the TLS session to resume.  A
 * message for the same server with the same settings reuses it: RSET
 * first (the probe that tells a live connection from one the server
 * dropped while idle), and a fresh connection when the probe fails or the
 * server says 421.  A link is retired after LINK_MAX_MESSAGES messages or
 * LINK_MAX_AGE seconds, and closed after LINK_IDLE seconds without work.
 */
#ifndef APPSH_MAILD_DELIVER_H
#define APPSH_MAILD_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "maild/queue.h"

#define LINK_MAX_MESSAGES 100
#define LINK_MAX_AGE	  300
#define LINK_IDLE	  5

struct config;
struct md_link;

enum md_outcome {
	MD_SENT, /* the server accepted the message (250 after end of data) */
	MD_TEMP, /* try again later: 4xx, network, TLS, timeouts, no server yet */
	MD_PERM, /* 5xx or an address the server can never take: give up */
};

struct md_link *md_link_new(bool (*cancelled)(void *arg), void *arg);
void md_link_free(struct md_link *l);

/* Delivers m using the configuration; why (for the queue and the log)
 * says what went wrong when the outcome is not MD_SENT. */
enum md_outcome md_deliver(struct md_link *l, struct config *cfg, const struct mq_msg *m, char *why,
			   size_t whylen);

/* Closes the connection when it has been idle for LINK_IDLE seconds;
 * returns when to call again (-1: no connection open). */
time_t md_link_idle(struct md_link *l, time_t now);

#endif
