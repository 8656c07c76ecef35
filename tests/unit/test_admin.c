/* SPDX-License-Identifier: MIT */
/* test_admin.c - trusted-host values, audit times, file-transfer requests. */
#include "cli/login.h"
#include "cmds/sessions.h"
#include "schema/admin.h"
#include "tests/unit/check.h"

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
	return check_summary();
}
