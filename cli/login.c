/* SPDX-License-Identifier: MIT */
/* login.c - login-shell detection, the admin's identity and trusted hosts,
 * and the admin session registry. */
#include "cli/login.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/sessions.h"
#include "schema/admin.h"

bool cli_login_detect(const char *argv0, bool login_flag)
{
	struct stat self, shell;
	struct passwd *pw = getpwuid(getuid());
	if (login_flag || (argv0 && argv0[0] == '-'))
		return true;
	/* `ssh host cmd` runs "<shell> -c cmd" without the dash: the account's
	 * shell being appsh itself is what makes it a login then. */
	return pw && pw->pw_shell && stat("/proc/self/exe", &self) == 0 &&
	       stat(pw->pw_shell, &shell) == 0 && self.st_dev == shell.st_dev &&
	       self.st_ino == shell.st_ino;
}

bool cli_login_is_transfer(const char *cmd)
{
	static const char *const tools[] = {"scp", "sftp", "sftp-server", "rsync", "internal-sftp"};
	char word[256];
	size_t skip = strspn(cmd, " \t"), n = strcspn(cmd + skip, " \t\n");
	if (n == 0 || n >= sizeof word)
		return false;
	memcpy(word, cmd + skip, n);
	word[n] = '\0';
	const char *base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		if (strcmp(base, tools[i]) == 0)
			return true;
	return false;
}

bool cli_login_client(char *buf, size_t len)
{
	const char *c = getenv("SSH_CONNECTION");
	size_t n = c ? strcspn(c, " ") : 0;
	if (!n || n >= len)
		return false;
	memcpy(buf, c, n);
	buf[n] = '\0';
	return true;
}

static bool in4(const char *spec, uint32_t addr)
{
	uint32_t net, mask;
	return schema_trusthost4(spec, &net, &mask) == 0 && (addr & mask) == net;
}

static bool in6(const char *spec, const unsigned char *addr)
{
	unsigned char net[16];
	unsigned len;
	if (schema_trusthost6(spec, net, &len) != 0)
		return false;
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? (len - i * 8 >= 8 ? 8 : len - i * 8) : 0;
		unsigned char m = bits ? (unsigned char)(0xff << (8 - bits)) : 0;
		if ((addr[i] & m) != (net[i] & m))
			return false;
	}
	return true;
}

/*
 * The appliance's rule (docs/admin.md): an IPv4 client must fall in one of
 * trusthost1..10, an IPv6 client in one of ipv6_trusthost1..10; slot 1
 * admits everyone by default, slots 2-10 no one.  A login that does not
 * come over the network (the console) is admitted only when the slots
 * admit every address of both families: it has no address to check.
 */
bool cli_login_trusted(struct cli *cli, const char *admin, const char *addr)
{
	const struct schema_node *u = schema_lookup("system admin user");
	char **v = config_values_new(u);
	unsigned char a6[16];
	struct in_addr a4;
	bool ok = false, all4 = false, all6 = false;
	bool is4 = inet_pton(AF_INET, addr, &a4) == 1,
	     is6 = !is4 && inet_pton(AF_INET6, addr, a6) == 1;

	/* An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d). */
	if (is6 && memcmp(a6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memcpy(&a4, a6 + 12, 4);
		is4 = true;
		is6 = false;
	}
	if (!v || config_read(cli->cfg, "system admin user", u, admin, v) != 1) {
		config_values_free(u, v);
		return false;
	}
	for (int i = 0; u->attrs[i].name; i++) {
		const char *name = u->attrs[i].name, *val = schema_attr_value(u, v, i);
		uint32_t net, mask;
		unsigned len;
		unsigned char n6[16];
		if (strncmp(name, "trusthost", 9) == 0) {
			ok |= is4 && in4(val, ntohl(a4.s_addr));
			all4 |= schema_trusthost4(val, &net, &mask) == 0 && mask == 0;
		} else if (strncmp(name, "ipv6_trusthost", 14) == 0) {
			ok |= is6 && in6(val, a6);
			all6 |= schema_trusthost6(val, n6, &len) == 0 && len == 0;
		}
	}
	config_values_free(u, v);
	return is4 || is6 ? ok : all4 && all6;
}

int cli_login_admin(struct cli *cli, const char *name, char *err, size_t errlen)
{
	struct config *cfg = cli->cfg;
	char why[256];
	cli->login = true;
	if (config_become(cfg, name, why, sizeof why) != 0) {
		snprintf(err, errlen, "login refused: %s", why);
		config_audit(cfg, "login-refused", "%s", why);
		return -1;
	}
	const struct config_who *w = config_who(cfg);
	if (!cli_login_trusted(cli, name, w->source)) {
		snprintf(err, errlen,
			 "login refused: %s is not a trusted host of administrator '%s'", w->source,
			 name);
		config_audit(cfg, "login-refused", "%s is not a trusted host", w->source);
		return -1;
	}
	config_audit(cfg, "login", "profile %s, %s", w->profile, w->kind);
	return 0;
}

int cli_login_register(struct cli *cli)
{
	return config_session_register(cli->cfg);
}

void cli_login_unregister(struct cli *cli)
{
	if (!cli->killed)
		config_session_unregister(cli->cfg);
}

bool cli_login_killed(struct cli *cli)
{
	if (!cli->killed)
		cli->killed = config_session_killed(cli->cfg);
	return cli->killed;
}
