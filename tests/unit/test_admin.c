/* SPDX-License-Identifier: MIT */
/* test_admin.c - trusted-host values and rules (and the migration of old
 * stores), audit times, file-transfer requests. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/login.h"
#include "cmds/cmds.h"
#include "cmds/sessions.h"
#include "config/priv.h" /* the store under the configuration, to age it */
#include "schema/admin.h"
#include "store/priv.h" /* its SQLite handle */
#include "tests/unit/check.h"

static void run(struct cli *cli, const char *script)
{
	CHECK(cli_run_script(cli, -1, script, false) == 0);
}

/* The appliance's schema: slot 1 admits all, 2-10 no one; each family
 * is checked against its own slots. */
static void trusted_hosts(const char *dir)
{
	struct cli cli;
	char err[256];
	CHECK(cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) == 0);
	run(&cli, "config system admin user\n"
		  "edit any\nset profileid Super_User\nnext\n"
		  "edit v4\nset profileid Super_User\nset trusthost1 10.0.0.0/8\nnext\n"
		  "edit both\nset profileid Super_User\nset trusthost1 10.0.0.0/8\n"
		  "set ipv6_trusthost2 2001:db8::/32\nset ipv6_trusthost1 2001:db8:1::/48\nnext\n"
		  "edit slot2\nset profileid Super_User\nset trusthost2 192.0.2.0/24\nnext\nend\n");
	CHECK(cli_login_trusted(&cli, "any", "192.0.2.1"));
	CHECK(cli_login_trusted(&cli, "any", "2001:db8::1"));
	CHECK(cli_login_trusted(&cli, "any", "console")); /* no address: all admitted */
	CHECK(cli_login_trusted(&cli, "v4", "10.1.2.3"));
	CHECK(cli_login_trusted(&cli, "v4", "::ffff:10.1.2.3"));
	CHECK(!cli_login_trusted(&cli, "v4", "192.0.2.1"));
	CHECK(cli_login_trusted(&cli, "v4", "2001:db8::1")); /* IPv6 not locked out */
	CHECK(!cli_login_trusted(&cli, "v4", "console"));    /* restricted: no address */
	CHECK(cli_login_trusted(&cli, "both", "2001:db8::1"));
	CHECK(cli_login_trusted(&cli, "both", "2001:db8:1::9"));
	CHECK(!cli_login_trusted(&cli, "both", "2001:db9::1"));
	CHECK(!cli_login_trusted(&cli, "both", "192.0.2.1"));
	CHECK(cli_login_trusted(&cli, "slot2", "198.51.100.1")); /* slot 1 still admits all */
	CHECK(!cli_login_trusted(&cli, "nobody", "10.1.2.3"));
	cli_session_close(&cli);
}

/* A store of schema version 3 (trusted hosts before the appliance's
 * schema) migrates without admitting anyone who was refused. */
static void migration(const char *dir)
{
	struct cli cli;
	char err[256];
	CHECK(cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) == 0);
	sqlite3 *db = store_sqlite(cli.cfg->st);
	CHECK(sqlite3_exec(
		      db,
		      "PRAGMA user_version = 3;"
		      "INSERT INTO entry(path, key) VALUES ('system admin user', 'o4'),"
		      " ('system admin user', 'o6'), ('system admin user', 'ounset'),"
		      " ('system admin user', 'oall');"
		      "INSERT INTO value(entry, attr, value) SELECT id, 'profileid', 'Super_User'"
		      " FROM entry WHERE key IN ('o4', 'o6', 'ounset', 'oall');"
		      "INSERT INTO value(entry, attr, value) SELECT id, 'trusthost3',"
		      " '10.0.0.0 255.0.0.0' FROM entry WHERE key = 'o4';"
		      "INSERT INTO value(entry, attr, value) SELECT id, 'ip6-trusthost4',"
		      " '2001:db8::/32' FROM entry WHERE key = 'o6';"
		      "INSERT INTO value(entry, attr, value) SELECT id, 'trusthost2', '0.0.0.0/0'"
		      " FROM entry WHERE key = 'ounset';"
		      "INSERT INTO value(entry, attr, value) SELECT id, 'ip6-trusthost2', '::/0'"
		      " FROM entry WHERE key = 'ounset';",
		      NULL, NULL, NULL) == SQLITE_OK);
	cli_session_close(&cli);
	CHECK(cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) == 0); /* migrates */
	/* o4: IPv4 10/8 only, as before; IPv6 still refused. */
	CHECK(cli_login_trusted(&cli, "o4", "10.9.9.9"));
	CHECK(!cli_login_trusted(&cli, "o4", "192.0.2.1"));
	CHECK(!cli_login_trusted(&cli, "o4", "2001:db8::1"));
	/* o6: 2001:db8::/32 only (renamed to ipv6_trusthost4); IPv4 refused. */
	CHECK(cli_login_trusted(&cli, "o6", "2001:db8::1"));
	CHECK(!cli_login_trusted(&cli, "o6", "2001:db9::1"));
	CHECK(!cli_login_trusted(&cli, "o6", "10.9.9.9"));
	/* Slots that meant "unset" and no slots at all: everyone, as before. */
	CHECK(cli_login_trusted(&cli, "ounset", "192.0.2.1"));
	CHECK(cli_login_trusted(&cli, "ounset", "2001:db9::1"));
	CHECK(cli_login_trusted(&cli, "oall", "192.0.2.1"));
	CHECK(cli_login_trusted(&cli, "oall", "console"));
	sqlite3_stmt *st;
	CHECK(sqlite3_prepare_v2(store_sqlite(cli.cfg->st),
				 "SELECT count(*) FROM value WHERE attr GLOB 'ip6-*'", -1, &st,
				 NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0);
	sqlite3_finalize(st);
	cli_session_close(&cli);
}

static void in_temp_dir(void (*fn)(const char *))
{
	char dir[] = "/tmp/test_admin.XXXXXX", cmd[64];
	CHECK(mkdtemp(dir) != NULL);
	fn(dir);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	uint32_t net, mask;
	unsigned char a6[16];
	unsigned len;

	CHECK(schema_trusthost4("10.1.2.0 255.255.255.0", &net, &mask) == 0);
	CHECK(net == 0x0a010200u && mask == 0xffffff00u);
	CHECK(schema_trusthost4("10.1.2.3/8", &net, &mask) == 0 && net == 0x0a000000u);
	CHECK(schema_trusthost4("0.0.0.0/0", &net, &mask) == 0 && mask == 0);
	CHECK(schema_trusthost4("10.0.0.0 255.0.255.0", &net, &mask) != 0); /* not contiguous */
	CHECK(schema_trusthost4("10.0.0.0/33", &net, &mask) != 0);
	CHECK(schema_trusthost4("10.0.0.0", &net, &mask) != 0);
	CHECK(schema_trusthost4("10.0.0.0/", &net, &mask) != 0);
	CHECK(schema_trusthost6("2001:db8::/32", a6, &len) == 0 && len == 32);
	CHECK(schema_trusthost6("2001:db8::", a6, &len) != 0);
	CHECK(schema_trusthost6("2001:db8::/129", a6, &len) != 0);

	CHECK(cmds_audit_parse_time("2026-11-29", 0) == 1795910400LL);
	CHECK(cmds_audit_parse_time("2026-11-29T01:02:03", 0) == 1795910400LL + 3723);
	CHECK(cmds_audit_parse_time("2026-11-29T01:02", 0) == 1795910400LL + 3720);
	CHECK(cmds_audit_parse_time("30m", 10000) == 10000 - 1800);
	CHECK(cmds_audit_parse_time("2d", 1000000) == 1000000 - 172800);
	CHECK(cmds_audit_parse_time("5x", 1000) == -1);
	CHECK(cmds_audit_parse_time("yesterday", 1000) == -1);
	CHECK(cmds_audit_parse_time("2026-11-29 junk", 1000) == -1);

	CHECK(cli_login_is_transfer("scp -t /tmp/x"));
	CHECK(cli_login_is_transfer("/usr/lib/openssh/sftp-server"));
	CHECK(cli_login_is_transfer("  rsync --server -vlogDtpre.iLsfxC . /x"));
	CHECK(!cli_login_is_transfer("get system status"));
	CHECK(!cli_login_is_transfer("scpx"));

	in_temp_dir(trusted_hosts);
	in_temp_dir(migration);
	return check_summary();
}
