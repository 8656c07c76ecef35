/* SPDX-License-Identifier: MIT */
/* debug.c - `diagnose debug ...` (spec §8.2) over the debug facility (log/). */
#include "cmds/debug.h"

#include <stdio.h>

#include "cli/walk.h"
#include "cmds/maild.h"
#include "log/debug.h"

static const char *check_level(const char *value)
{
	int level;
	return log_debug_parse_level(value, &level);
}

const struct schema_attr cmds_debug_level_arg = {
	.name = "level",
	.help = "Debug level, 0 (none) to 255 (all); -1 sets 0.",
	.type = SCHEMA_T_STRING,
	.max = 64,
	.check = check_level,
};

/* ---- handlers --------------------------------------------------------- */

static int set_app_level(struct cli *cli, const char *app, const struct cli_args *a)
{
	const char *w = a->argc > 0 ? a->argv[0] : "";
	const char *why;
	int level;
	/* The walker has validated the word, but it skips check() for "". */
	if ((why = log_debug_parse_level(w, &level))) {
		char msg[96];
		snprintf(msg, sizeof msg, "level: '%.40s' %s", w, why);
		return cli_fail(cli, -651, "value", w, msg);
	}
	log_debug_set_level(app, level);
	cmds_maild_debug_sync(cli);
	return 0;
}

int cmds_debug_fazmaild(struct cli *cli, const struct cli_args *a)
{
	return set_app_level(cli, "fazmaild", a);
}

int cmds_debug_enable(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	log_debug_set_enabled(true);
	cmds_maild_debug_sync(cli);
	return 0;
}

int cmds_debug_disable(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	log_debug_set_enabled(false);
	cmds_maild_debug_sync(cli);
	return 0;
}

int cmds_debug_timestamp_enable(struct cli *cli, const struct cli_args *a)
{
	(void)cli, (void)a;
	log_debug_set_timestamps(true);
	return 0;
}

int cmds_debug_timestamp_disable(struct cli *cli, const struct cli_args *a)
{
	(void)cli, (void)a;
	log_debug_set_timestamps(false);
	return 0;
}

int cmds_debug_reset(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	log_debug_reset();
	cmds_maild_debug_sync(cli);
	return 0;
}

static const char *onoff(bool on)
{
	return on ? "enable" : "disable";
}

/* The layout of spec §8.2: names padded to 32 columns after a 4-space indent.
 * appsh has no CLI debug and no terminal-session debug: those lines show
 * their fixed values so that the block reads like the appliance's. */
int cmds_debug_info(struct cli *cli, const struct cli_args *a)
{
	struct cli_out *o = cli->out;
	(void)a;
	cli_out_printf(o, "General\n");
	cli_out_printf(o, "    %-32s%d\n", "cli debug level:", 0);
	cli_out_printf(o, "    %-32s%s\n", "console debug output:", onoff(log_debug_enabled()));
	cli_out_printf(o, "    %-32s%s\n", "debug timestamps:", onoff(log_debug_timestamps()));
	cli_out_printf(o, "    %-32s%s\n", "terminal session debug output:", onoff(false));
	cli_out_printf(o, "    %-32s%s\n", "terminal session data masking:", onoff(false));
	cli_out_printf(o, "\nApplication\n");
	for (size_t i = 0; log_debug_app(i); i++) {
		char name[64];
		snprintf(name, sizeof name, "%s debug level:", log_debug_app(i));
		cli_out_printf(o, "    %-32s%d\n", name, log_debug_level(log_debug_app(i)));
	}
	return 0;
}
