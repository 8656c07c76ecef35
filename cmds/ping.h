/* SPDX-License-Identifier: MIT */
/* ping.h - `execute ping`, `execute ping6` and `execute ping-options`
 * (spec §8.4-§8.5); the engine is net/ping.h. */
#ifndef APPSH_CMDS_PING_H
#define APPSH_CMDS_PING_H

#include "schema/schema.h"

struct cli;
struct cli_args;

/* The arguments of the grammar (diag/grammar.c). */
extern const struct schema_attr cmds_ping_host_arg, cmds_ping6_host_arg;
extern const struct schema_attr cmds_ping_opt_data_size, cmds_ping_opt_df_bit,
	cmds_ping_opt_interval, cmds_ping_opt_pattern, cmds_ping_opt_repeat_count,
	cmds_ping_opt_source, cmds_ping_opt_timeout, cmds_ping_opt_tos, cmds_ping_opt_ttl,
	cmds_ping_opt_validate_reply;

int cmds_ping(struct cli *cli, const struct cli_args *a);
int cmds_ping6(struct cli *cli, const struct cli_args *a);
/* Or'ed into cli_args.opt by the `ping6-options` keyword: the handlers
 * below then work on ping6's options instead of ping's. */
#define CMDS_PING_OPT_V6 (1u << 8)

/* `execute ping[6]-options <option> <value>`, for every option above. */
int cmds_ping_set_option(struct cli *cli, const struct cli_args *a);
int cmds_ping_view_settings(struct cli *cli, const struct cli_args *a);
int cmds_ping_reset(struct cli *cli, const struct cli_args *a);

#endif
