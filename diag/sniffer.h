/* SPDX-License-Identifier: MIT */
/*
 * sniffer.h - `diagnose sniffer packet <interface|any> ['<filter>'
 * [<verbose> [<count> [<tsformat> [<frame-size>] [write <file>]]]]]`
 * (spec §8.7, plus the pcap file: docs/cli.md).  The capture loop lives in
 * sniffer.c, the decoder in sniff_decode.c.
 */
#ifndef APPSH_DIAG_SNIFFER_H
#define APPSH_DIAG_SNIFFER_H

#include "schema/schema.h"

struct cli;
struct cli_args;

extern const struct schema_attr diag_sniff_intf_arg, diag_sniff_filter_arg, diag_sniff_verbose_arg,
	diag_sniff_count_arg, diag_sniff_ts_arg, diag_sniff_frame_arg, diag_sniff_file_arg;

int diag_sniffer_packet(struct cli *cli, const struct cli_args *a);

#endif
