/* SPDX-License-Identifier: MIT */
/* status.c - `get system status` (spec §8.8). */
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "cmds/status.h"

#include "cli/session.h"
#include "log/clock.h"

int cmds_system_status(struct cli *cli, struct cli_out *out)
{
	const struct schema_node *g = schema_lookup("system global");
	int tz_index = schema_attr_index(g, "timezone");
	char *tz = config_read_attr(cli->cfg, "system global", "timezone");
	const struct schema_enum *zone = tz ? schema_enum_find(&g->attrs[tz_index], tz) : NULL;
	char host[64], serial[64] = "", now[64] = "", disk[96] = "unknown";
	struct statvfs vfs;

	config_hostname(cli->cfg, host, sizeof host);
	config_meta(cli->cfg, "serial", serial, sizeof serial);
	log_clock_format(time(NULL), "%a %b %d %H:%M:%S %Z %Y", now, sizeof now);
	if (statvfs(config_statedir(cli->cfg), &vfs) == 0)
		snprintf(disk, sizeof disk, "Free %.2fGB, Total %.2fGB",
			 (double)vfs.f_bavail * vfs.f_frsize / 1e9,
			 (double)vfs.f_blocks * vfs.f_frsize / 1e9);

	const char *rows[][2] = {
		{"Platform Type", "appsh"},
		{"Platform Full Name", "appsh appliance shell"},
		{"Version", "v" APPSH_VERSION "-build0001 (dev)"},
		{"Serial Number", serial},
		{"Hostname", host},
		{"Current Time", now},
		{"Time Zone", zone ? zone->help
			      : tz ? tz
				   : ""},
		{"Disk Usage", disk},
		{"State Directory", config_statedir(cli->cfg)},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		cli_out_printf(out, "%-27s : %s\n", rows[i][0], rows[i][1]);
	free(tz);
	return 0;
}
