/* SPDX-License-Identifier: MIT */
/*
 * pingbench.c - runs the engine of `execute ping` (diag/ping.h, ping_run,
 * with the options ping-options would set) and prints each reply's
 * round-trip time in microseconds, one per line, for bench/ping.sh.
 * `execute ping` prints times to 0.1 ms as the appliance does, too coarse
 * to compare tens of microseconds on a veth pair; the engine measures
 * them to the microsecond.
 *
 * usage: pingbench ADDRESS COUNT INTERVAL_MS
 * Exits 0 when every request was answered.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ping.h"

static void on_event(void *ctx, const struct ping_event *ev)
{
	(void)ctx;
	if (ev->kind == PING_EV_REPLY && !ev->dup)
		printf("%lu\n", ev->rtt_us);
	else if (ev->kind != PING_EV_REPLY)
		fprintf(stderr, "pingbench: icmp_seq=%u: %s\n", ev->seq, ev->text);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: pingbench ADDRESS COUNT INTERVAL_MS\n");
		return 2;
	}
	struct sockaddr_storage dst;
	memset(&dst, 0, sizeof dst);
	struct sockaddr_in *d4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dst;
	if (inet_pton(AF_INET, argv[1], &d4->sin_addr) == 1) {
		d4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, argv[1], &d6->sin6_addr) == 1) {
		d6->sin6_family = AF_INET6;
	} else {
		fprintf(stderr, "pingbench: %s is not an address\n", argv[1]);
		return 2;
	}
	struct ping_opts o;
	ping_opts_default(&o);
	o.count = (unsigned)strtoul(argv[2], NULL, 10);
	o.interval_ms = (unsigned)strtoul(argv[3], NULL, 10);
	o.timeout_ms = 1000;
	struct ping_stats st;
	char err[300];
	if (ping_run(&dst, &o, NULL, on_event, NULL, &st, err, sizeof err) < 0) {
		fprintf(stderr, "pingbench: %s\n", err);
		return 1;
	}
	return st.received == st.sent ? 0 : 1;
}
