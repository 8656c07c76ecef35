/* SPDX-License-Identifier: MIT */
/*
 * sniffer.h - `diagnose sniffer packet <interface|any> ['<filter>'
 * [<verbose> [<count> [<tsformat> [<frame-size>] [write <file>]]]]]`
 * (spec §8.7, plus the pcap file: docs/cli.md).  The capture loop lives in
 * sniffer.c, the decoder in sniff_decode.c.
 */
#ifndef APPSH_CMDS_SNIFFER_H
#define APPSH_CMDS_SNIFFER_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr cmds_sniff_intf_arg, cmds_sniff_filter_arg, cmds_sniff_verbose_arg,
	cmds_sniff_count_arg, cmds_sniff_ts_arg, cmds_sniff_frame_arg, cmds_sniff_file_arg;

int cmds_sniffer_packet(struct cli *cli, const struct cli_args *a);

#endif
