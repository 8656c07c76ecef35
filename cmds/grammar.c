/* SPDX-License-Identifier: MIT */
/*
 * grammar.c - the `diagnose` command tree.
 *
 * Plain tables in the style of cli/commands.c: siblings alphabetical (the
 * order `?` prints them), each level ending with a zeroed node.  Handlers
 * live with their feature (diag/debug.c for `diagnose debug`).
 */
#include "cmds/cmds.h"

#include "cmds/backup.h"
#include "cmds/certificate.h"
#include "cmds/debug.h"
#include "cmds/maild.h"
#include "cmds/mailtest.h"
#include "cmds/nslookup.h"
#include "cmds/ping.h"
#include "cmds/revision.h"
#include "cmds/sessions.h"
#include "cmds/sniffer.h"
#include "cmds/traceroute.h"

/* ---- diagnose debug --------------------------------------------------- */

static const struct cli_node debug_level[] = {
	{.slot = CLI_ARG, .arg = &cmds_debug_level_arg, .run = cmds_debug_fazmaild},
	{0},
};

static const struct cli_node debug_application[] = {
	{.word = "fazmaild", .help = "Mail daemon and mail server test.", .next = debug_level},
	{0},
};

static const struct cli_node debug_timestamp[] = {
	{.word = "disable", .help = "No timestamp.", .run = cmds_debug_timestamp_disable},
	{.word = "enable",
	 .help = "Start each debug line with the date and time.",
	 .run = cmds_debug_timestamp_enable},
	{0},
};

static const struct cli_node debug[] = {
	{.word = "application",
	 .help = "Set the debug level of an application.",
	 .next = debug_application},
	{.word = "disable", .help = "Disable debug output.", .run = cmds_debug_disable},
	{.word = "enable", .help = "Enable debug output.", .run = cmds_debug_enable},
	{.word = "info", .help = "Show the debug settings.", .run = cmds_debug_info},
	{.word = "reset",
	 .help = "Set all debug levels to 0, disable output and timestamps.",
	 .run = cmds_debug_reset},
	{.word = "timestamp", .help = "Timestamp debug lines.", .next = debug_timestamp},
	{0},
};

/* ---- diagnose test connection mailserver ------------------------------ */

static const struct cli_node mail_timeout[] = {
	{.slot = CLI_ARG, .arg = &cmds_mail_timeout_arg, .run = cmds_mailserver_test},
	{0},
};

static const struct cli_node mail_to[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_mail_to_arg,
	 .next = mail_timeout,
	 .run = cmds_mailserver_test},
	{0},
};

static const struct cli_node mail_from[] = {
	{.slot = CLI_ARG, .arg = &cmds_mail_from_arg, .next = mail_to},
	{0},
};

static const struct cli_node mail_server[] = {
	{.slot = CLI_ARG, .arg = &cmds_mail_server_arg, .table = "system mail", .next = mail_from},
	{0},
};

static const struct cli_node test_connection[] = {
	{.word = "mailserver",
	 .help = "Send a test message through a mail server, layer by layer.",
	 .next = mail_server},
	{0},
};

/* ---- diagnose test application fazmaild ------------------------------- */

/* Looking is diag-read; pausing, resuming and restarting are diag-write.
 * Any other number lists the tests, as on the appliance. */
static const struct cli_node fazmaild_test[] = {
	{.word = "1",
	 .help = "Show PID and daemon status.",
	 .run = cmds_maild_status,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "2",
	 .help = "Show runtime status.",
	 .run = cmds_maild_stats,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "3",
	 .help = "Show the queued messages.",
	 .run = cmds_maild_queue,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "90",
	 .help = "Pause sending mail.",
	 .run = cmds_maild_pause,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.word = "91",
	 .help = "Resume sending mail.",
	 .run = cmds_maild_resume,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.word = "99",
	 .help = "Restart fazmaild daemon.",
	 .run = cmds_maild_restart,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.slot = CLI_ARG,
	 .arg = &cmds_maild_test_arg,
	 .run = cmds_maild_usage,
	 .perm = CLI_PERM_DIAG_READ},
	{0},
};

static const struct cli_node test_application[] = {
	{.word = "fazmaild", .help = "Mail daemon.", .next = fazmaild_test},
	{0},
};

static const struct cli_node test[] = {
	{.word = "application", .help = "Test an application.", .next = test_application},
	{.word = "connection", .help = "Test a connection.", .next = test_connection},
	{0},
};

/* ---- diagnose sniffer packet ------------------------------------------ */

/* <interface> ['<filter>' [<verbose> [<count> [<tsformat> [<frame-size>]
 * [write <file>]]]]]: every argument after the interface may be left off. */
static const struct cli_node sniff_file[] = {
	{.slot = CLI_ARG, .arg = &cmds_sniff_file_arg, .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_write[] = {
	{.word = "write", .help = "Also write the packets to a pcap file.", .next = sniff_file},
	{0},
};

static const struct cli_node sniff_ts[] = {
	{.word = "write", .help = "Also write the packets to a pcap file.", .next = sniff_file},
	{.slot = CLI_ARG,
	 .arg = &cmds_sniff_frame_arg,
	 .next = sniff_write,
	 .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_count[] = {
	{.slot = CLI_ARG, .arg = &cmds_sniff_ts_arg, .next = sniff_ts, .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_verbose[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_sniff_count_arg,
	 .next = sniff_count,
	 .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_filter[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_sniff_verbose_arg,
	 .next = sniff_verbose,
	 .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_intf[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_sniff_filter_arg,
	 .next = sniff_filter,
	 .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniff_packet[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_sniff_intf_arg,
	 .next = sniff_intf,
	 .run = cmds_sniffer_packet},
	{0},
};

static const struct cli_node sniffer[] = {
	{.word = "packet", .help = "Capture and show packets.", .next = sniff_packet},
	{0},
};

/* ---- diagnose system admin-session -------------------------------------- */

static const struct cli_node audit_since[] = {
	{.slot = CLI_ARG, .arg = &cmds_audit_since_arg, .run = cmds_session_audit},
	{0},
};

static const struct cli_node audit_after_admin[] = {
	{.word = "since", .help = "Only from a time on.", .next = audit_since},
	{0},
};

static const struct cli_node audit_admin[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_audit_admin_arg,
	 .table = "system admin user",
	 .next = audit_after_admin,
	 .run = cmds_session_audit},
	{0},
};

static const struct cli_node audit_filters[] = {
	{.word = "admin", .help = "Only one administrator's rows.", .next = audit_admin},
	{.word = "since", .help = "Only from a time on.", .next = audit_since},
	{0},
};

static const struct cli_node session_kill[] = {
	{.slot = CLI_ARG, .arg = &cmds_session_id_arg, .run = cmds_session_kill},
	{0},
};

static const struct cli_node admin_session[] = {
	{.word = "audit",
	 .help = "Show the audit trail: commits, logins, refusals, kills.",
	 .next = audit_filters,
	 .run = cmds_session_audit,
	 .perm = CLI_PERM_ADMIN_READ},
	{.word = "kill",
	 .help = "End another administrator's session.",
	 .next = session_kill,
	 .perm = CLI_PERM_ADMIN_WRITE},
	{.word = "list",
	 .help = "List the administrators' sessions.",
	 .run = cmds_session_list,
	 .perm = CLI_PERM_ADMIN_READ},
	{.word = "status", .help = "Show this session.", .run = cmds_session_status},
	{0},
};

static const struct cli_node cmds_system[] = {
	{.word = "admin-session", .help = "Administrator sessions.", .next = admin_session},
	{0},
};

/* ---- diagnose --------------------------------------------------------- */

const struct cli_node cmds_diagnose[] = {
	{.word = "debug",
	 .help = "Debug console settings.",
	 .next = debug,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.word = "sniffer",
	 .help = "Packet sniffer.",
	 .next = sniffer,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.word = "system", .help = "System facility.", .next = cmds_system},
	{.word = "test", .help = "Test facility.", .next = test, .perm = CLI_PERM_DIAG_WRITE},
	{0},
};

/* ---- execute certificate ---------------------------------------------- */

/* ca|local import: the appliance's <filename> <tftp_ip> <cert_name>, or
 * appsh's <name> <cert-file> [<key-file>] (cmds/certificate.h). */
static const struct cli_node local_third[] = {
	{.slot = CLI_ARG, .arg = &cmds_cert_local_third_arg, .run = cmds_cert_import_local},
	{0},
};

static const struct cli_node local_second[] = {
	{.slot = CLI_ARG, .arg = &cmds_cert_second_arg, .next = local_third},
	{0},
};

static const struct cli_node local_first[] = {
	{.slot = CLI_ARG, .arg = &cmds_cert_first_arg, .next = local_second},
	{0},
};

static const struct cli_node ca_third[] = {
	{.slot = CLI_ARG, .arg = &cmds_cert_ca_name_arg, .run = cmds_cert_import_ca},
	{0},
};

static const struct cli_node ca_second[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_cert_second_arg,
	 .run = cmds_cert_import_ca,
	 .next = ca_third},
	{0},
};

static const struct cli_node ca_first[] = {
	{.slot = CLI_ARG, .arg = &cmds_cert_first_arg, .next = ca_second},
	{0},
};

static const struct cli_node local_import[] = {
	{.word = "import",
	 .help = "Import a certificate and its key: from a TFTP server, or from PEM files.",
	 .next = local_first},
	{0},
};

static const struct cli_node ca_import[] = {
	{.word = "import",
	 .help = "Import a CA certificate: from a TFTP server, or from a PEM file.",
	 .next = ca_first},
	{0},
};

static const struct cli_node certificate[] = {
	{.word = "ca", .help = "CA certificates.", .next = ca_import},
	{.word = "local", .help = "Local certificates.", .next = local_import},
	{0},
};

/* ---- execute nslookup, nslookup-mx ------------------------------------ */

static const struct cli_node nslookup_server[] = {
	{.slot = CLI_ARG, .arg = &cmds_nslookup_server_arg, .run = cmds_nslookup},
	{0},
};

static const struct cli_node nslookup_name[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_nslookup_name_arg,
	 .next = nslookup_server,
	 .run = cmds_nslookup},
	{0},
};

static const struct cli_node nslookup_mx_server[] = {
	{.slot = CLI_ARG, .arg = &cmds_nslookup_server_arg, .run = cmds_nslookup_mx},
	{0},
};

static const struct cli_node nslookup_mx_name[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_nslookup_name_arg,
	 .next = nslookup_mx_server,
	 .run = cmds_nslookup_mx},
	{0},
};

/* ---- execute ping, ping6, ping-options ----------------------------------- */

static const struct cli_node ping_host[] = {
	{.slot = CLI_ARG, .arg = &cmds_ping_host_arg, .run = cmds_ping},
	{0},
};

static const struct cli_node ping6_host[] = {
	{.slot = CLI_ARG, .arg = &cmds_ping6_host_arg, .run = cmds_ping6},
	{0},
};

#define PING_OPT(name)                                                                             \
	static const struct cli_node name[] = {                                                    \
		{.slot = CLI_ARG, .arg = &cmds_##name, .run = cmds_ping_set_option},               \
		{0},                                                                               \
	}
PING_OPT(ping_opt_data_size);
PING_OPT(ping_opt_df_bit);
PING_OPT(ping_opt_interval);
PING_OPT(ping_opt_pattern);
PING_OPT(ping_opt_repeat_count);
PING_OPT(ping_opt_source);
PING_OPT(ping_opt_timeout);
PING_OPT(ping_opt_tos);
PING_OPT(ping_opt_ttl);
PING_OPT(ping_opt_validate_reply);
#undef PING_OPT

/* Kept for the rest of the shell process (spec §8.5). */
static const struct cli_node ping_options[] = {
	{.word = "data-size", .help = "Data bytes per packet.", .next = ping_opt_data_size},
	{.word = "df-bit", .help = "Set the don't-fragment bit.", .next = ping_opt_df_bit},
	{.word = "interval", .help = "Seconds between packets.", .next = ping_opt_interval},
	{.word = "pattern", .help = "Payload pattern in hex.", .next = ping_opt_pattern},
	{.word = "repeat-count", .help = "Packets to send.", .next = ping_opt_repeat_count},
	{.word = "reset", .help = "Restore the default options.", .run = cmds_ping_reset},
	{.word = "source", .help = "Source address.", .next = ping_opt_source},
	{.word = "timeout", .help = "Seconds to wait for replies.", .next = ping_opt_timeout},
	{.word = "tos", .help = "IP type of service.", .next = ping_opt_tos},
	{.word = "ttl", .help = "Time to live.", .next = ping_opt_ttl},
	{.word = "validate-reply",
	 .help = "Check that replies echo the data sent.",
	 .next = ping_opt_validate_reply},
	{.word = "view-settings", .help = "Show the options.", .run = cmds_ping_view_settings},
	{0},
};

/* The same for ping6, without df-bit (IPv6 routers never fragment); the
 * `ping6-options` keyword sets CMDS_PING_OPT_V6 for the handlers. */
static const struct cli_node ping6_options[] = {
	{.word = "data-size", .help = "Data bytes per packet.", .next = ping_opt_data_size},
	{.word = "interval", .help = "Seconds between packets.", .next = ping_opt_interval},
	{.word = "pattern", .help = "Payload pattern in hex.", .next = ping_opt_pattern},
	{.word = "repeat-count", .help = "Packets to send.", .next = ping_opt_repeat_count},
	{.word = "reset", .help = "Restore the default options.", .run = cmds_ping_reset},
	{.word = "source", .help = "Source address.", .next = ping_opt_source},
	{.word = "timeout", .help = "Seconds to wait for replies.", .next = ping_opt_timeout},
	{.word = "tos", .help = "IPv6 traffic class.", .next = ping_opt_tos},
	{.word = "ttl", .help = "Hop limit.", .next = ping_opt_ttl},
	{.word = "validate-reply",
	 .help = "Check that replies echo the data sent.",
	 .next = ping_opt_validate_reply},
	{.word = "view-settings", .help = "Show the options.", .run = cmds_ping_view_settings},
	{0},
};

/* ---- execute traceroute, traceroute6, traceroute-options ---------------- */

static const struct cli_node trace_host[] = {
	{.slot = CLI_ARG, .arg = &cmds_trace_host_arg, .run = cmds_traceroute},
	{0},
};

static const struct cli_node trace6_host[] = {
	{.slot = CLI_ARG, .arg = &cmds_trace6_host_arg, .run = cmds_traceroute6},
	{0},
};

#define TRACE_OPT(name, attr)                                                                      \
	static const struct cli_node name[] = {                                                    \
		{.slot = CLI_ARG, .arg = &attr, .run = cmds_trace_set_option},                     \
		{0},                                                                               \
	}
TRACE_OPT(trace_opt_max_hops, cmds_trace_opt_max_hops);
TRACE_OPT(trace_opt_queries, cmds_trace_opt_queries);
TRACE_OPT(trace_opt_source, cmds_ping_opt_source);
TRACE_OPT(trace_opt_timeout, cmds_trace_opt_timeout);
#undef TRACE_OPT

/* Kept for the rest of the shell process, for traceroute and traceroute6. */
static const struct cli_node trace_options[] = {
	{.word = "max-hops", .help = "Largest TTL to try.", .next = trace_opt_max_hops},
	{.word = "queries", .help = "Probes per hop.", .next = trace_opt_queries},
	{.word = "reset", .help = "Restore the default options.", .run = cmds_trace_reset},
	{.word = "source", .help = "Source address.", .next = trace_opt_source},
	{.word = "timeout", .help = "Seconds to wait for each probe.", .next = trace_opt_timeout},
	{.word = "view-settings", .help = "Show the options.", .run = cmds_trace_view_settings},
	{0},
};

/* ---- execute backup, restore ------------------------------------------------ */

/* {sftp|scp} <server[:port]> <path> <user> <password> [<crptpasswd>], and
 * file <path> [<crptpasswd>]: one chain per handler. */
#define XFER_CHAIN(name, fn)                                                                       \
	static const struct cli_node name##_crypt[] = {                                            \
		{.slot = CLI_ARG, .arg = &cmds_backup_crypt_arg, .run = fn}, {0}};                 \
	static const struct cli_node name##_password[] = {{.slot = CLI_ARG,                        \
							   .arg = &cmds_backup_password_arg,       \
							   .next = name##_crypt,                   \
							   .run = fn},                             \
							  {0}};                                    \
	static const struct cli_node name##_user[] = {                                             \
		{.slot = CLI_ARG, .arg = &cmds_backup_user_arg, .next = name##_password}, {0}};    \
	static const struct cli_node name##_path[] = {                                             \
		{.slot = CLI_ARG, .arg = &cmds_backup_path_arg, .next = name##_user}, {0}};        \
	static const struct cli_node name[] = {                                                    \
		{.slot = CLI_ARG, .arg = &cmds_backup_server_arg, .next = name##_path}, {0}}
#define FILE_CHAIN(name, fn)                                                                       \
	static const struct cli_node name##_crypt[] = {                                            \
		{.slot = CLI_ARG, .arg = &cmds_backup_crypt_arg, .run = fn}, {0}};                 \
	static const struct cli_node name[] = {                                                    \
		{.slot = CLI_ARG, .arg = &cmds_backup_path_arg, .next = name##_crypt, .run = fn},  \
		{0}}

XFER_CHAIN(backup_sftp, cmds_backup_sftp);
XFER_CHAIN(backup_scp, cmds_backup_scp);
FILE_CHAIN(backup_file, cmds_backup_file);
XFER_CHAIN(restore_sftp, cmds_restore_sftp);
XFER_CHAIN(restore_scp, cmds_restore_scp);
FILE_CHAIN(restore_file, cmds_restore_file);

static const struct cli_node backup_to[] = {
	{.word = "file",
	 .help = "A file on this host (the root console only).",
	 .next = backup_file},
	{.word = "scp", .help = "Copy to an SSH server with SCP.", .next = backup_scp},
	{.word = "sftp", .help = "Copy to an SSH server with SFTP.", .next = backup_sftp},
	{0},
};
static const struct cli_node restore_from[] = {
	{.word = "file",
	 .help = "A file on this host (the root console only).",
	 .next = restore_file},
	{.word = "scp", .help = "Copy from an SSH server with SCP.", .next = restore_scp},
	{.word = "sftp", .help = "Copy from an SSH server with SFTP.", .next = restore_sftp},
	{0},
};
static const struct cli_node backup[] = {
	{.word = "all-settings", .help = "Back up all settings to a file.", .next = backup_to},
	{0},
};
static const struct cli_node restore[] = {
	{.word = "all-settings",
	 .help = "Replace all settings with a backup's (one revision).",
	 .next = restore_from},
	{0},
};

/* ---- execute revision ---------------------------------------------------- */

/* Free for every profile: what a revision shows or changes is checked
 * against the areas it touches (config/revision.c). */
static const struct cli_node revision_count[] = {
	{.slot = CLI_ARG, .arg = &cmds_revision_count_arg, .run = cmds_revision_list},
	{0},
};
static const struct cli_node revision_diff_b[] = {
	{.slot = CLI_ARG, .arg = &cmds_revision_id2_arg, .run = cmds_revision_diff},
	{0},
};
static const struct cli_node revision_diff_a[] = {
	{.slot = CLI_ARG,
	 .arg = &cmds_revision_id_arg,
	 .next = revision_diff_b,
	 .run = cmds_revision_diff},
	{0},
};
static const struct cli_node revision_revert_id[] = {
	{.slot = CLI_ARG, .arg = &cmds_revision_id_arg, .run = cmds_revision_revert},
	{0},
};
static const struct cli_node revision[] = {
	{.word = "diff",
	 .help = "Show what changed between two revisions (or since one).",
	 .next = revision_diff_a},
	{.word = "list",
	 .help = "List the configuration revisions, newest first.",
	 .next = revision_count,
	 .run = cmds_revision_list},
	{.word = "revert",
	 .help = "Make the configuration what it was after a revision (a new revision).",
	 .next = revision_revert_id},
	{0},
};

/* ---- execute ------------------------------------------------------------ */

const struct cli_node cmds_execute[] = {
	{.word = "backup",
	 .help = "Back up the configuration.",
	 .next = backup,
	 .perm = CLI_PERM_SYSTEM_WRITE},
	{.word = "certificate",
	 .help = "Certificate operations.",
	 .next = certificate,
	 .perm = CLI_PERM_SYSTEM_WRITE},
	{.word = "nslookup",
	 .help = "Look up a name's A and AAAA records (config system dns, or the server given).",
	 .next = nslookup_name,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "nslookup-mx",
	 .help = "Look up a domain's MX records (config system dns, or the server given).",
	 .next = nslookup_mx_name,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "ping",
	 .help = "Send ICMP echo requests to a host.",
	 .next = ping_host,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "ping-options",
	 .help = "Set or show the options of ping.",
	 .next = ping_options,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "ping6",
	 .help = "Send ICMPv6 echo requests to a host.",
	 .next = ping6_host,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "ping6-options",
	 .help = "Set or show the options of ping6.",
	 .opt = CMDS_PING_OPT_V6,
	 .next = ping6_options,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "restore",
	 .help = "Restore the configuration.",
	 .next = restore,
	 .perm = CLI_PERM_SYSTEM_WRITE},
	{.word = "revision", .help = "Configuration revisions.", .next = revision},
	{.word = "traceroute",
	 .help = "Show the route to a host (UDP probes).",
	 .next = trace_host,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "traceroute-options",
	 .help = "Set or show the options of traceroute and traceroute6.",
	 .next = trace_options,
	 .perm = CLI_PERM_DIAG_READ},
	{.word = "traceroute6",
	 .help = "Show the route to an IPv6 host (UDP probes).",
	 .next = trace6_host,
	 .perm = CLI_PERM_DIAG_READ},
	{0},
};
