/* SPDX-License-Identifier: MIT */
/*
 * evidence.h - what the packets show while the mail test connects.
 *
 * evidence_start() opens a capture on "any" filtered to the server's
 * addresses and port, plus ICMP, before the first SYN; once a connection
 * attempt to one address has ended, evidence_result() reads what the
 * ring holds (SYNs, SYN-ACK, RST, ICMP errors and their source, ARP or
 * neighbour discovery for an address on this appliance's own subnet) and
 * evidence_describe() says it in one phrase: "3 SYN sent, no reply (ping
 * to the host: ok)", "SYN answered by RST", "ICMP net unreachable from
 * 10.99.1.1".  For SYNs left unanswered it pings the host to tell a port
 * filter from a dead host.
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

/* What the packets showed about the attempt to one address: facts only;
 * what they mean is diag/verdict.c's to say. */
struct evidence_wire {
	bool captured; /* a capture watched this address */
	unsigned syns; /* SYNs sent, each counted once */
	bool synack, rst;
	bool icmp;	 /* an ICMP error quoting our SYN */
	int icmp_family; /* AF_INET or AF_INET6 */
	uint8_t icmp_type, icmp_code;
	char icmp_from[64];   /* who sent it */
	bool icmp_from_self;  /* ... this appliance itself (no neighbour, local route) */
	bool on_link;	      /* the address is on one of this appliance's own subnets */
	unsigned neigh_asked; /* ARP requests / neighbour solicitations for it */
	bool neigh_answered;
	int ping;	    /* after unanswered SYNs: 1 echo reply, 0 none, -1 not tried */
	char ping_err[128]; /* why ping was not possible, or "" */
};

/* The facts about the attempt to addrs[i]; the first call for an address
 * whose SYNs went unanswered pings it (2 echo requests, 1 s at most). */
void evidence_result(struct evidence *ev, size_t i, struct evidence_wire *w);

/* One phrase about the attempt to addrs[i] (see above), in buf. */
void evidence_describe(struct evidence *ev, size_t i, char *buf, size_t len);

void evidence_stop(struct evidence *ev);

#endif
