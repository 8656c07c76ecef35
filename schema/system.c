/* SPDX-License-Identifier: MIT */
/*
 * system.c - the `system` branch of the config tree (spec §6-§7).
 * Attributes are listed alphabetically, as FortiAnalyzer's `get` prints them;
 * that order is also the `show` order and is part of the golden tests.
 */
#include "schema/nodes.h"

#include <string.h>

/* The TLS floors, shared by global-ssl-protocol and mail ssl-protocol. */
/* clang-format off */
#define SSL_VERSIONS \
	{"sslv3", "set SSLv3 as the lowest version."}, \
	{"tlsv1.0", "set TLSv1.0 as the lowest version."}, \
	{"tlsv1.1", "set TLSv1.1 as the lowest version."}, \
	{"tlsv1.2", "set TLSv1.2 as the lowest version."}, \
	{"tlsv1.3", "set TLSv1.3 as the lowest version."}
/* clang-format on */

static const struct schema_enum ssl_versions[] = {SSL_VERSIONS, {0}};

/* ---- system mail ---------------------------------------------------- */

static const struct schema_enum mail_auth[] = {
	{"disable", "Disable authentication."},
	{"enable", "Enable authentication."},
	{0},
};

static const struct schema_enum mail_auth_type[] = {
	{"certificate", "Use local certificate to authenticate."},
	{"psk", "Use username and password to authenticate."},
	{0},
};

static const struct schema_enum mail_secure_option[] = {
	{"default", "Try STARTTLS, proceed as plain text communication otherwise."},
	{"none", "Communication will be in plain text format."},
	{"smtps", "Communication will be protected by SMTPS."},
	{"starttls", "Communication will be protected by STARTTLS."},
	{0},
};

static const struct schema_enum mail_ssl_protocol[] = {
	{"follow-global-ssl-protocol",
	 "Follow system.global.global-ssl-protocol setting (default)."},
	SSL_VERSIONS,
	{0},
};

static const struct schema_attr mail_attrs[] = {
	{.name = "auth",
	 .help = "Enable authentication.",
	 .type = SCHEMA_T_ENUM,
	 .enums = mail_auth,
	 .def = "disable"},
	{.name = "auth-type",
	 .help = "SMTP authentication type.",
	 .type = SCHEMA_T_ENUM,
	 .enums = mail_auth_type,
	 .def = "psk"},
	{.name = "from",
	 .help = "Username for MAIL FROM.",
	 .type = SCHEMA_T_STRING,
	 .max = 127,
	 .check = schema_check_email},
	{.name = "local-cert",
	 .help = "SMTP local certificate.",
	 .type = SCHEMA_T_STRING,
	 .max = 35,
	 .when_attr = "auth-type",
	 .when_value = "certificate",
	 .ref = "system certificate local"},
	{.name = "passwd",
	 .help = "SMTP account password.",
	 .type = SCHEMA_T_PASSWORD,
	 .max = 63,
	 .when_attr = "auth-type",
	 .when_value = "psk"},
	{.name = "port",
	 .help = "SMTP server port.",
	 .type = SCHEMA_T_UINT,
	 .min = 1,
	 .max = 65535,
	 .def = "25"},
	{.name = "secure-option",
	 .help = "Communication secure option.",
	 .type = SCHEMA_T_ENUM,
	 .enums = mail_secure_option,
	 .def = "default"},
	{.name = "server",
	 .help = "SMTP server.",
	 .type = SCHEMA_T_STRING,
	 .max = 127,
	 .check = schema_check_host},
	{.name = "ssl-protocol",
	 .help = "set the lowest SSL protocol version for connection to mail server.",
	 .type = SCHEMA_T_ENUM,
	 .enums = mail_ssl_protocol,
	 .def = "follow-global-ssl-protocol"},
	{.name = "user", .help = "SMTP account username.", .type = SCHEMA_T_STRING, .max = 63},
	{0},
};

static const char *const mail_summary[] = {"server", "port", "auth", "secure-option", NULL};

static const struct schema_node system_mail = {
	.name = "mail",
	.help = "Mail server configuration.",
	.kind = SCHEMA_TABLE,
	.attrs = mail_attrs,
	.key_name = "id",
	.key_help = "Mail Service ID.",
	.key_max = 63,
	.summary = mail_summary,
	.area = SCHEMA_AREA_MAIL,
};

/* ---- system global -------------------------------------------------- */

static const struct schema_enum console_output[] = {
	{"standard", "Standard output."},
	{"more", "More page output."},
	{0},
};

/* Time zones by index, as the appliance sets them.  "00" (UTC) is appsh's
 * own addition and the default; the zone name is the payload. */
static const struct schema_enum timezones[] = {
	{"00", "(GMT) Coordinated Universal Time (UTC).", "UTC"},
	{"01", "(GMT-11:00) Midway Island, Samoa.", "Pacific/Pago_Pago"},
	{"02", "(GMT-10:00) Hawaii.", "Pacific/Honolulu"},
	{"03", "(GMT-9:00) Alaska.", "America/Anchorage"},
	{"04", "(GMT-8:00) Pacific Time (US & Canada).", "America/Los_Angeles"},
	{"06", "(GMT-7:00) Mountain Time (US & Canada).", "America/Denver"},
	{"08", "(GMT-6:00) Central Time (US & Canada).", "America/Chicago"},
	{"12", "(GMT-5:00) Eastern Time (US & Canada).", "America/New_York"},
	{"14", "(GMT-4:00) Atlantic Time (Canada).", "America/Halifax"},
	{"19", "(GMT-3:00) Brasilia.", "America/Sao_Paulo"},
	{"26", "(GMT) Greenwich Mean Time: Dublin, Edinburgh, Lisbon, London.", "Europe/London"},
	{"28", "(GMT+1:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna.", "Europe/Berlin"},
	{"32", "(GMT+2:00) Athens, Istanbul, Minsk.", "Europe/Athens"},
	{"37", "(GMT+3:00) Moscow, St. Petersburg, Volgograd.", "Europe/Moscow"},
	{"41", "(GMT+5:30) Calcutta, Chennai, Mumbai, New Delhi.", "Asia/Kolkata"},
	{"55", "(GMT+8:00) Beijing, Chongqing, Hong Kong, Urumqi.", "Asia/Shanghai"},
	{"60", "(GMT+9:00) Osaka, Sapporo, Tokyo.", "Asia/Tokyo"},
	{"64", "(GMT+10:00) Canberra, Melbourne, Sydney.", "Australia/Sydney"},
	{"71", "(GMT+12:00) Auckland, Wellington.", "Pacific/Auckland"},
	{0},
};

static const struct schema_enum enable_disable[] = {
	{"disable", "Disable."},
	{"enable", "Enable."},
	{0},
};

static const struct schema_enum revision_auto_delete[] = {
	{"by-days", "Delete revisions older than revision-max-days."},
	{"by-revisions", "Keep the newest revision-max-revisions revisions."},
	{"disable", "Keep every revision."},
	{0},
};

const char *schema_timezone_zone(const char *value)
{
	for (const struct schema_enum *e = timezones; value && e->name; e++)
		if (strcmp(e->name, value) == 0)
			return e->data;
	return "UTC";
}

static const struct schema_attr global_attrs[] = {
	{.name = "admin-timeout",
	 .help = "Idle timeout of interactive admin sessions, in minutes.",
	 .type = SCHEMA_T_UINT,
	 .min = 1,
	 .max = 480,
	 .def = "15"},
	{.name = "console-output",
	 .help = "Console output mode.",
	 .type = SCHEMA_T_ENUM,
	 .enums = console_output,
	 .def = "standard"},
	/* FortiManager's name: whether commits record revisions. */
	{.name = "create-revision",
	 .help = "Record a configuration revision at every commit.",
	 .type = SCHEMA_T_ENUM,
	 .enums = enable_disable,
	 .def = "enable"},
	{.name = "global-ssl-protocol",
	 .help = "set the lowest SSL protocol version for all SSL connections.",
	 .type = SCHEMA_T_ENUM,
	 .enums = ssl_versions,
	 .def = "tlsv1.2"},
	{.name = "hostname",
	 .help = "System hostname.",
	 .type = SCHEMA_T_STRING,
	 .max = 35,
	 .def = "appsh",
	 .check = schema_check_hostname},
	/* FortiManager's adom-rev-auto-delete family, for the one
	 * configuration appsh has (config/revision.c). */
	{.name = "revision-auto-delete",
	 .help = "Delete old configuration revisions automatically.",
	 .type = SCHEMA_T_ENUM,
	 .enums = revision_auto_delete,
	 .def = "by-revisions"},
	{.name = "revision-max-days",
	 .help = "Keep the revisions of this many days (the newest is always kept).",
	 .type = SCHEMA_T_UINT,
	 .min = 1,
	 .max = 3650,
	 .def = "365",
	 .when_attr = "revision-auto-delete",
	 .when_value = "by-days"},
	{.name = "revision-max-revisions",
	 .help = "Keep this many of the newest revisions.",
	 .type = SCHEMA_T_UINT,
	 .min = 1,
	 .max = 1000000,
	 .def = "20000",
	 .when_attr = "revision-auto-delete",
	 .when_value = "by-revisions"},
	{.name = "timezone",
	 .help = "Time zone.",
	 .type = SCHEMA_T_ENUM,
	 .enums = timezones,
	 .def = "00",
	 .get_help = true},
	{0},
};

static const struct schema_node system_global = {
	.name = "global",
	.help = "Global range attributes.",
	.kind = SCHEMA_OBJECT,
	.attrs = global_attrs,
};

/* ---- system dns ----------------------------------------------------- */

static const struct schema_attr dns_attrs[] = {
	{.name = "primary", .help = "Primary DNS IP.", .type = SCHEMA_T_IPV4, .def = "0.0.0.0"},
	{.name = "secondary", .help = "Secondary DNS IP.", .type = SCHEMA_T_IPV4, .def = "0.0.0.0"},
	{.name = "ip6-primary", .help = "IPv6 primary DNS IP.", .type = SCHEMA_T_IPV6, .def = "::"},
	{.name = "ip6-secondary",
	 .help = "IPv6 secondary DNS IP.",
	 .type = SCHEMA_T_IPV6,
	 .def = "::"},
	{0},
};

static const struct schema_node system_dns = {
	.name = "dns",
	.help = "DNS.",
	.kind = SCHEMA_OBJECT,
	.attrs = dns_attrs,
};

/* ---- system certificate ----------------------------------------------- */

/* The appliance's attribute names (FortiAnalyzer/FortiManager `system
 * certificate local` and `ca`), so that its `show` output reads back. */
static const struct schema_attr cert_local_attrs[] = {
	{.name = "certificate",
	 .help = "PEM certificate, intermediates after it.",
	 .type = SCHEMA_T_STRING,
	 .max = 32768,
	 .multiline = true,
	 .check = schema_check_pem_cert},
	{.name = "comment",
	 .help = "Local certificate comment.",
	 .type = SCHEMA_T_STRING,
	 .max = 127},
	{.name = "csr",
	 .help = "PEM certificate signing request (kept, not used).",
	 .type = SCHEMA_T_STRING,
	 .max = 32768,
	 .multiline = true},
	{.name = "password",
	 .help = "Password of the private key, when the key is encrypted.",
	 .type = SCHEMA_T_PASSWORD,
	 .max = 128},
	{.name = "private-key",
	 .help = "PEM private key of the certificate.",
	 .type = SCHEMA_T_PASSWORD,
	 .max = 16384,
	 .multiline = true,
	 .check = schema_check_pem_key},
	{0},
};

static const struct schema_attr cert_ca_attrs[] = {
	{.name = "ca",
	 .help = "PEM certificate of a trusted CA.",
	 .type = SCHEMA_T_STRING,
	 .max = 32768,
	 .multiline = true,
	 .check = schema_check_pem_cert},
	{.name = "comment", .help = "CA certificate comment.", .type = SCHEMA_T_STRING, .max = 127},
	{0},
};

static const char *const cert_summary[] = {"comment", NULL};

static const struct schema_node cert_local = {
	.name = "local",
	.help = "Local certificates: the client certificates mail servers may ask for.",
	.kind = SCHEMA_TABLE,
	.attrs = cert_local_attrs,
	.key_name = "name",
	.key_help = "Certificate name.",
	.key_max = 35,
	.summary = cert_summary,
};

static const struct schema_node cert_ca = {
	.name = "ca",
	.help = "CA certificates trusted beside the system's, e.g. a private mail server's CA.",
	.kind = SCHEMA_TABLE,
	.attrs = cert_ca_attrs,
	.key_name = "name",
	.key_help = "CA certificate name.",
	.key_max = 35,
	.summary = cert_summary,
};

static const struct schema_node *const cert_children[] = {&cert_ca, &cert_local, NULL};

static const struct schema_node system_certificate = {
	.name = "certificate",
	.help = "Certificates.",
	.kind = SCHEMA_CONTAINER,
	.children = cert_children,
};

/* ---- system status -------------------------------------------------- */

static const struct schema_node system_status = {
	.name = "status",
	.help = "System status.",
	.kind = SCHEMA_INFO,
};

static const struct schema_node *const system_children[] = {
	&schema_system_admin, &system_certificate, &system_dns, &system_global,
	&system_mail,	      &system_status,	   NULL,
};

const struct schema_node schema_system = {
	.name = "system",
	.help = "System settings.",
	.kind = SCHEMA_CONTAINER,
	.children = system_children,
	.area = SCHEMA_AREA_SYSTEM,
};
