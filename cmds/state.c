/* SPDX-License-Identifier: MIT */
/* state.c - the commands' part of a session (state.h). */
#include "cmds/state.h"

#include <stdlib.h>

#include "cli/session.h"

struct cmds_state *cmds_state(struct cli *cli)
{
	struct cmds_state *s = cli->cmds_state;
	if (!s && (s = calloc(1, sizeof *s))) {
		ping_opts_default(&s->ping[0]);
		ping_opts_default(&s->ping[1]);
		trace_opts_default(&s->trace);
		cli->cmds_state = s;
	}
	return s;
}

void cmds_state_free(void *state)
{
	free(state);
}
