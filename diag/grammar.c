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

/* ---- diagnose --------------------------------------------------------- */

const struct cli_node diag_diagnose[] = {
	{.word = "debug", .help = "Debug console settings.", .next = debug},
	{.word = "test", .help = "Test facility.", .next = test},
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

/* ---- execute ------------------------------------------------------------ */

const struct cli_node diag_execute[] = {
	{.word = "certificate", .help = "Certificate operations.", .next = certificate},
	{.word = "nslookup",
	 .help = "Look up a name's A and AAAA records (config system dns, or the server given).",
	 .next = nslookup_name},
	{.word = "nslookup-mx",
	 .help = "Look up a domain's MX records (config system dns, or the server given).",
	 .next = nslookup_mx_name},
	{0},
};
