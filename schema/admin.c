/* SPDX-License-Identifier: MIT */
/*
 * admin.c - `config system admin user` and `config system admin profile`
 * (spec §7.3-§7.4).  The built-in entries (admin, Super_User,
 * Standard_User, Restricted_User, No_Permission_User) are not here: a new
 * store is seeded with them (store/store.c, migration 2), so they are
 * ordinary entries that `show` prints and an admin may edit, within the
 * rules that config/rules.c checks at every commit.
 */
#include "schema/admin.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/nodes.h"

int schema_trusthost4(const char *v, uint32_t *net, uint32_t *mask)
{
	char buf[40];
	struct in_addr a, m;
	size_t n = strcspn(v, " /");
	if (strlen(v) >= sizeof buf || n == strlen(v))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	const char *rest = v + n + 1;
	if (v[n] == '/') {
		char *end;
		if (!*rest || strspn(rest, "0123456789") != strlen(rest))
			return -1;
		unsigned long len = strtoul(rest, &end, 10);
		if (len > 32)
			return -1;
		m.s_addr = htonl(len ? 0xffffffffu << (32 - len) : 0);
	} else if (inet_pton(AF_INET, rest, &m) != 1) {
		return -1;
	}
	uint32_t hm = ntohl(m.s_addr);
	if (hm & (~hm >> 1)) /* the ones must be contiguous from the top */
		return -1;
	*net = ntohl(a.s_addr) & hm;
	*mask = hm;
	return 0;
}

int schema_trusthost6(const char *v, unsigned char addr[16], unsigned *len)
{
	char buf[64];
	const char *slash = strchr(v, '/');
	if (!slash || (size_t)(slash - v) >= sizeof buf || !slash[1] ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 3)
		return -1;
	memcpy(buf, v, slash - v);
	buf[slash - v] = '\0';
	unsigned long n = strtoul(slash + 1, NULL, 10);
	if (n > 128 || inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*len = (unsigned)n;
	return 0;
}

static const char *check_trusthost(const char *v)
{
	uint32_t net, mask;
	return schema_trusthost4(v, &net, &mask) == 0
		       ? NULL
		       : "is not an IPv4 address and mask (\"10.0.0.0 255.0.0.0\" or 10.0.0.0/8)";
}

static const char *check_trusthost6(const char *v)
{
	unsigned char a[16];
	unsigned len;
	return schema_trusthost6(v, a, &len) == 0 ? NULL : "is not an IPv6 prefix (2001:db8::/32)";
}

/* ---- system admin profile ---------------------------------------------- */

static const struct schema_enum rights[] = {
	{"none", "No access."},
	{"read", "Read access."},
	{"read-write", "Read and write access."},
	{0},
};

#define RIGHT(n, h)                                                                                \
	{                                                                                          \
		.name = n, .help = h, .type = SCHEMA_T_ENUM, .enums = rights, .def = "none"        \
	}

/* One attribute per schema_area, named by schema_area_name(). */
static const struct schema_attr profile_attrs[] = {
	RIGHT("admin-setting", "Administrators, profiles, sessions and the audit trail."),
	{.name = "description", .help = "Description.", .type = SCHEMA_T_STRING, .max = 127},
	RIGHT("diag-read", "Diagnostics that only read: ping, traceroute, nslookup, status."),
	RIGHT("diag-write", "Diagnostics that change things or see traffic: debug, sniffer, "
			    "daemon control, test mail."),
	RIGHT("mail-setting", "Mail server settings."),
	RIGHT("system-setting", "System settings: global, DNS, certificates, status."),
	{0},
};

static const char *const profile_summary[] = {"description", NULL};

static const struct schema_node admin_profile = {
	.name = "profile",
	.help = "Admin profiles: what each administrator may read and change.",
	.kind = SCHEMA_TABLE,
	.attrs = profile_attrs,
	.key_name = "profileid",
	.key_help = "Profile name.",
	.key_max = 35,
	.summary = profile_summary,
};

/* ---- system admin user ------------------------------------------------- */

/*
 * The appliance's trusted hosts (FortiAnalyzer/FortiManager schema): slot
 * 1 admits everyone by default (0.0.0.0/0, ::/0), slots 2-10 no one (the
 * all-ones host, which no client can have).  An IPv4 client must fall in a
 * trusthost slot, an IPv6 client in an ipv6_trusthost slot: restricting
 * one family leaves the other as its own slots say.
 */
#define TRUST4_NONE "255.255.255.255 255.255.255.255"
#define TRUST6_NONE "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"
#define TRUST4(n, d)                                                                               \
	{                                                                                          \
		.name = "trusthost" #n, .help = "Admin user trusted host IP.",                     \
		.type = SCHEMA_T_STRING, .max = 31, .def = d, .check = check_trusthost             \
	}
#define TRUST6(n, d)                                                                               \
	{                                                                                          \
		.name = "ipv6_trusthost" #n, .help = "Admin user trusted host IPv6.",              \
		.type = SCHEMA_T_STRING, .max = 49, .def = d, .check = check_trusthost6            \
	}

/* Alphabetical, except that the trusted hosts go 1..10 as on the appliance. */
static const struct schema_attr user_attrs[] = {
	{.name = "description", .help = "Description.", .type = SCHEMA_T_STRING, .max = 127},
	TRUST6(1, "::/0"),
	TRUST6(2, TRUST6_NONE),
	TRUST6(3, TRUST6_NONE),
	TRUST6(4, TRUST6_NONE),
	TRUST6(5, TRUST6_NONE),
	TRUST6(6, TRUST6_NONE),
	TRUST6(7, TRUST6_NONE),
	TRUST6(8, TRUST6_NONE),
	TRUST6(9, TRUST6_NONE),
	TRUST6(10, TRUST6_NONE),
	{.name = "profileid",
	 .help = "Admin profile: what this administrator may do.",
	 .type = SCHEMA_T_STRING,
	 .max = 35,
	 .ref = "system admin profile"},
	TRUST4(1, "0.0.0.0 0.0.0.0"),
	TRUST4(2, TRUST4_NONE),
	TRUST4(3, TRUST4_NONE),
	TRUST4(4, TRUST4_NONE),
	TRUST4(5, TRUST4_NONE),
	TRUST4(6, TRUST4_NONE),
	TRUST4(7, TRUST4_NONE),
	TRUST4(8, TRUST4_NONE),
	TRUST4(9, TRUST4_NONE),
	TRUST4(10, TRUST4_NONE),
	{0},
};

static const char *const user_summary[] = {"profileid", "description", NULL};

static const struct schema_node admin_user = {
	.name = "user",
	.help = "Administrators: the Unix accounts that log in to appsh.",
	.kind = SCHEMA_TABLE,
	.attrs = user_attrs,
	.key_name = "userid",
	.key_help = "User name (the Unix account's name).",
	.key_max = 32,
	.summary = user_summary,
};

static const struct schema_node *const admin_children[] = {&admin_profile, &admin_user, NULL};

const struct schema_node schema_system_admin = {
	.name = "admin",
	.help = "Administrator settings.",
	.kind = SCHEMA_CONTAINER,
	.children = admin_children,
	.area = SCHEMA_AREA_ADMIN,
};
