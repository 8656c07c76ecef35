/* SPDX-License-Identifier: MIT */
/*
 * grammar.c - the `diagnose` command tree.
 *
 * Plain tables in the style of cli/commands.c: siblings alphabetical (the
 * order `?` prints them), each level ending with a zeroed node.  Handlers
 * live with their feature (diag/debug.c for `diagnose debug`).
 */
#include "diag/diag.h"

#include "diag/certificate.h"
#include "diag/debug.h"
#include "diag/mailtest.h"
#include "diag/nslookup.h"
#include "diag/ping.h"
#include "diag/session.h"

/* ---- diagnose debug --------------------------------------------------- */

static const struct cli_node debug_level[] = {
	{.slot = CLI_ARG, .arg = &diag_debug_level_arg, .run = diag_debug_cmd_fazmaild},
	{0},
};

static const struct cli_node debug_application[] = {
	{.word = "fazmaild", .help = "Mail daemon and mail server test.", .next = debug_level},
	{0},
};

static const struct cli_node debug_timestamp[] = {
	{.word = "disable", .help = "No timestamp.", .run = diag_debug_cmd_timestamp_disable},
	{.word = "enable",
	 .help = "Start each debug line with the date and time.",
	 .run = diag_debug_cmd_timestamp_enable},
	{0},
};

static const struct cli_node debug[] = {
	{.word = "application",
	 .help = "Set the debug level of an application.",
	 .next = debug_application},
	{.word = "disable", .help = "Disable debug output.", .run = diag_debug_cmd_disable},
	{.word = "enable", .help = "Enable debug output.", .run = diag_debug_cmd_enable},
	{.word = "info", .help = "Show the debug settings.", .run = diag_debug_cmd_info},
	{.word = "reset",
	 .help = "Set all debug levels to 0, disable output and timestamps.",
	 .run = diag_debug_cmd_reset},
	{.word = "timestamp", .help = "Timestamp debug lines.", .next = debug_timestamp},
	{0},
};

/* ---- diagnose test connection mailserver ------------------------------ */

static const struct cli_node mail_timeout[] = {
	{.slot = CLI_ARG, .arg = &diag_mail_timeout_arg, .run = diag_mailserver_test},
	{0},
};

static const struct cli_node mail_to[] = {
	{.slot = CLI_ARG,
	 .arg = &diag_mail_to_arg,
	 .next = mail_timeout,
	 .run = diag_mailserver_test},
	{0},
};

static const struct cli_node mail_from[] = {
	{.slot = CLI_ARG, .arg = &diag_mail_from_arg, .next = mail_to},
	{0},
};

static const struct cli_node mail_server[] = {
	{.slot = CLI_ARG, .arg = &diag_mail_server_arg, .table = "system mail", .next = mail_from},
	{0},
};

static const struct cli_node test_connection[] = {
	{.word = "mailserver",
	 .help = "Send a test message through a mail server, layer by layer.",
	 .next = mail_server},
	{0},
};

static const struct cli_node test[] = {
	{.word = "connection", .help = "Test a connection.", .next = test_connection},
	{0},
};

/* ---- diagnose system admin-session -------------------------------------- */

static const struct cli_node audit_since[] = {
	{.slot = CLI_ARG, .arg = &diag_audit_since_arg, .run = diag_session_audit},
	{0},
};

static const struct cli_node audit_after_admin[] = {
	{.word = "since", .help = "Only from a time on.", .next = audit_since},
	{0},
};

static const struct cli_node audit_admin[] = {
	{.slot = CLI_ARG,
	 .arg = &diag_audit_admin_arg,
	 .table = "system admin user",
	 .next = audit_after_admin,
	 .run = diag_session_audit},
	{0},
};

static const struct cli_node audit_filters[] = {
	{.word = "admin", .help = "Only one administrator's rows.", .next = audit_admin},
	{.word = "since", .help = "Only from a time on.", .next = audit_since},
	{0},
};

static const struct cli_node session_kill[] = {
	{.slot = CLI_ARG, .arg = &diag_session_id_arg, .run = diag_session_kill},
	{0},
};

static const struct cli_node admin_session[] = {
	{.word = "audit",
	 .help = "Show the audit trail: commits, logins, refusals, kills.",
	 .next = audit_filters,
	 .run = diag_session_audit,
	 .perm = CLI_PERM_ADMIN_READ},
	{.word = "kill",
	 .help = "End another administrator's session.",
	 .next = session_kill,
	 .perm = CLI_PERM_ADMIN_WRITE},
	{.word = "list",
	 .help = "List the administrators' sessions.",
	 .run = diag_session_list,
	 .perm = CLI_PERM_ADMIN_READ},
	{.word = "status", .help = "Show this session.", .run = diag_session_status},
	{0},
};

static const struct cli_node diag_system[] = {
	{.word = "admin-session", .help = "Administrator sessions.", .next = admin_session},
	{0},
};

/* ---- diagnose --------------------------------------------------------- */

const struct cli_node diag_diagnose[] = {
	{.word = "debug",
	 .help = "Debug console settings.",
	 .next = debug,
	 .perm = CLI_PERM_DIAG_WRITE},
	{.word = "system", .help = "System facility.", .next = diag_system},
	{.word = "test", .help = "Test facility.", .next = test, .perm = CLI_PERM_DIAG_WRITE},
	{0},
};

/* ---- execute certificate ---------------------------------------------- */

static const struct cli_node local_key_file[] = {
	{.slot = CLI_ARG, .arg = &diag_key_file_arg, .run = diag_cert_import_local},
	{0},
};

static const struct cli_node local_cert_file[] = {
	{.slot = CLI_ARG, .arg = &diag_cert_file_arg, .next = local_key_file},
	{0},
};

static const struct cli_node local_name[] = {
	{.slot = CLI_ARG, .arg = &diag_cert_name_arg, .next = local_cert_file},
	{0},
};

static const struct cli_node ca_cert_file[] = {
	{.slot = CLI_ARG, .arg = &diag_cert_file_arg, .run = diag_cert_import_ca},
	{0},
};

static const struct cli_node ca_name[] = {
	{.slot = CLI_ARG, .arg = &diag_cert_name_arg, .next = ca_cert_file},
	{0},
};

static const struct cli_node local_import[] = {
	{.word = "import",
	 .help = "Import a certificate and its key from PEM files.",
	 .next = local_name},
	{0},
};

static const struct cli_node ca_import[] = {
	{.word = "import", .help = "Import a CA certificate from a PEM file.", .next = ca_name},
	{0},
};

static const struct cli_node certificate[] = {
	{.word = "ca", .help = "CA certificates.", .next = ca_import},
	{.word = "local", .help = "Local certificates.", .next = local_import},
	{0},
};

/* ---- execute nslookup, nslookup-mx ------------------------------------ */

static const struct cli_node nslookup_server[] = {
	{.slot = CLI_ARG, .arg = &diag_nslookup_server_arg, .run = diag_nslookup},
	{0},
};

static const struct cli_node nslookup_name[] = {
	{.slot = CLI_ARG,
	 .arg = &diag_nslookup_name_arg,
	 .next = nslookup_server,
	 .run = diag_nslookup},
	{0},
};

static const struct cli_node nslookup_mx_server[] = {
	{.slot = CLI_ARG, .arg = &diag_nslookup_server_arg, .run = diag_nslookup_mx},
	{0},
};

static const struct cli_node nslookup_mx_name[] = {
	{.slot = CLI_ARG,
	 .arg = &diag_nslookup_name_arg,
	 .next = nslookup_mx_server,
	 .run = diag_nslookup_mx},
	{0},
};

/* ---- execute ping, ping6, ping-options ----------------------------------- */

static const struct cli_node ping_host[] = {
	{.slot = CLI_ARG, .arg = &diag_ping_host_arg, .run = diag_ping},
	{0},
};

static const struct cli_node ping6_host[] = {
	{.slot = CLI_ARG, .arg = &diag_ping6_host_arg, .run = diag_ping6},
	{0},
};

#define PING_OPT(name)                                                                             \
	static const struct cli_node name[] = {                                                    \
		{.slot = CLI_ARG, .arg = &diag_##name, .run = diag_ping_set_option},               \
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
	{.word = "reset", .help = "Restore the default options.", .run = diag_ping_reset},
	{.word = "source", .help = "Source address.", .next = ping_opt_source},
	{.word = "timeout", .help = "Seconds to wait for replies.", .next = ping_opt_timeout},
	{.word = "tos", .help = "IP type of service.", .next = ping_opt_tos},
	{.word = "ttl", .help = "Time to live.", .next = ping_opt_ttl},
	{.word = "validate-reply",
	 .help = "Check that replies echo the data sent.",
	 .next = ping_opt_validate_reply},
	{.word = "view-settings", .help = "Show the options.", .run = diag_ping_view_settings},
	{0},
};

/* ---- execute ------------------------------------------------------------ */

const struct cli_node diag_execute[] = {
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
	{0},
};
