/* SPDX-License-Identifier: MIT */
/*
 * evidence.h - what the packets show while the mail test connects.
 *
 * evidence_start() opens a capture on "any" filtered to the server's
 * addresses and port, plus ICMP, before the first SYN; once a connection
 * attempt to one address has ended, evidence_describe() reads what the
 * ring holds and says it in one phrase: "3 SYN sent, no reply (a firewall
 * or routing drop; ping to the host: ok)", "SYN answered by RST (nothing
 * listening on port 25)", "ICMP net unreachable from 10.99.1.1 (the
 * router has no route)".  For SYNs left unanswered it pings the host to
 * tell a port filter from a dead host.
 */
#ifndef APPSH_DIAG_EVIDENCE_H
#define APPSH_DIAG_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct evidence;

/*
 * Starts collecting for port on addrs[0..n) (copied).  Returns NULL with a
 * one-line reason in err when it cannot; *denied is then true when the
 * reason is a missing privilege (not root, no CAP_NET_RAW).
 */
struct evidence *evidence_start(const struct sockaddr_storage *addrs, size_t n, uint16_t port,
				bool *denied, char *err, size_t errlen);

/* One phrase about the attempt to addrs[i] (see above), in buf. */
void evidence_describe(struct evidence *ev, size_t i, char *buf, size_t len);

void evidence_stop(struct evidence *ev);

#endif
