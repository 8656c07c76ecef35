/* SPDX-License-Identifier: MIT */
/*
 * state.h - what the commands keep for the rest of a shell session: the
 * options of ping-options, ping6-options and traceroute-options (spec
 * §8.5).  Part of the session object (cli->cmds_state), made at first use
 * and freed with the session; two sessions never share it.
 */
#ifndef APPSH_CMDS_STATE_H
#define APPSH_CMDS_STATE_H

#include <stdbool.h>

#include "cmds/traceroute.h"
#include "net/ping.h"

struct cli;

struct cmds_state {
	struct ping_opts ping[2]; /* ping-options, ping6-options */
	struct trace_opts trace;  /* traceroute-options (both families) */
};

/* The session's state, with defaults at first use; NULL when out of memory. */
struct cmds_state *cmds_state(struct cli *cli);
/* For cli_hooks.state_free. */
void cmds_state_free(void *state);

#endif
