/* SPDX-License-Identifier: MIT */
/*
 * test_validate.c - schema_validate by type, schema_validate_key and the
 * check functions (host, e-mail, hostname): what passes, what fails, the
 * FortiOS error class (which "... parse error" line, which return code)
 * and that the detail line names the attribute (issue 2: "a detail line
 * that names the problem in plain words (e.g. port: 70000 is out of range
 * 1-65535)").
 */
#include "schema/schema.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

/* Attributes of each type, as the schema declares them. */
static const struct schema_enum onoff[] = {
	{"disable", "Disable."},
	{"enable", "Enable."},
	{0},
};
static const struct schema_attr a_port = {
	.name = "port", .help = "Port.", .type = SCHEMA_T_UINT, .min = 1, .max = 65535};
static const struct schema_attr a_zero = {
	.name = "count", .help = "Count.", .type = SCHEMA_T_UINT, .min = 0, .max = 4294967295ul};
static const struct schema_attr a_user = {
	.name = "user", .help = "User.", .type = SCHEMA_T_STRING, .max = 63};
static const struct schema_attr a_pass = {
	.name = "passwd", .help = "Password.", .type = SCHEMA_T_PASSWORD, .max = 63};
static const struct schema_attr a_auth = {
	.name = "auth", .help = "Auth.", .type = SCHEMA_T_ENUM, .enums = onoff};
static const struct schema_attr a_ip4 = {
	.name = "primary", .help = "Primary.", .type = SCHEMA_T_IPV4};
static const struct schema_attr a_ip6 = {
	.name = "ip6-primary", .help = "IPv6 primary.", .type = SCHEMA_T_IPV6};
static const struct schema_attr a_server = {.name = "server",
					    .help = "Server.",
					    .type = SCHEMA_T_STRING,
					    .max = 127,
					    .check = schema_check_host};

static char msg[1024];

/* Validates; returns the error (NULL = valid) and leaves the detail in msg. */
static const struct schema_error *v(const struct schema_attr *a, const char *value)
{
	strcpy(msg, "(no message)");
	return schema_validate(a, value, msg, sizeof msg);
}

static void ok(const struct schema_attr *a, const char *value)
{
	const struct schema_error *e = v(a, value);
	if (e)
		fprintf(stderr, "%s '%s': rejected: %s\n", a->name, value, msg);
	CHECK(e == NULL);
}

/* Expects a failure of class (parse, code) whose message contains want
 * (when not NULL). */
static void bad(const struct schema_attr *a, const char *value, const char *parse, int code,
		const char *want)
{
	const struct schema_error *e = v(a, value);

	if (!e) {
		fprintf(stderr, "%s '%s': accepted, should fail\n", a->name, value);
		CHECK(e != NULL);
		return;
	}
	CHECK_STR(e->parse, parse);
	if (e->code != code)
		fprintf(stderr, "%s '%s': code %d, want %d\n", a->name, value, e->code, code);
	CHECK(e->code == code);
	if (want && !strstr(msg, want))
		fprintf(stderr, "%s '%s': message [%s] lacks [%s]\n", a->name, value, msg, want);
	CHECK(!want || strstr(msg, want));
}

/*
 * Each error class once: the detail line names the attribute ("port: ..."),
 * so a script's `line N:` error says which value was wrong -- except where
 * spec §9 gives FortiOS's own text, which appsh prints verbatim (the golden
 * tests pin it; the parse-error line after it names the value).  Those
 * classes are listed with the exact text instead.
 */
static void test_names_attribute(void)
{
	char longer[80];
	static const struct {
		const struct schema_attr *a;
		const char *value, *what;
		const char *verbatim; /* spec §9 text, printed as is */
	} cases[] = {
		{&a_port, "70000", "uint out of range", NULL},
		{&a_port, "abc", "uint not digits", "invalid unsigned integer value: abc"},
		{&a_user, NULL, "string too long",
		 "string value is too long. the size is 64, the limit is 63"},
		{&a_user, "a\rb", "control character", NULL},
		{&a_user, "\xff", "invalid UTF-8", NULL},
		{&a_auth, "on", "not an enum value", NULL},
		{&a_ip4, "1.2.3", "bad IPv4", "invalid ip address"},
		{&a_ip6, "1::2::3", "bad IPv6", "invalid ipv6 address"},
		{&a_server, "a b", "check() failure", NULL},
	};
	memset(longer, 'x', 64);
	longer[64] = '\0';
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char named[128];
		const char *value = cases[i].value ? cases[i].value : longer;
		const struct schema_error *e = v(cases[i].a, value);
		CHECK(e != NULL);
		if (cases[i].verbatim) {
			CHECK_STR(msg, cases[i].verbatim);
			continue;
		}
		snprintf(named, sizeof named, "%s: ", cases[i].a->name);
		if (!e || strncmp(msg, named, strlen(named)) != 0)
			fprintf(stderr, "%s: message [%s] does not start with '%s'\n",
				cases[i].what, e ? msg : "(accepted)", named);
		CHECK(e && strncmp(msg, named, strlen(named)) == 0);
	}
}

static void test_uint(void)
{
	ok(&a_port, "1");
	ok(&a_port, "25");
	ok(&a_port, "65535");
	ok(&a_port, "00025"); /* leading zeros are still 25 */
	bad(&a_port, "0", "value", -651, "port: 0 is out of range 1-65535");
	bad(&a_port, "65536", "value", -651, "port: 65536 is out of range 1-65535");
	bad(&a_port, "70000", "value", -651, "port: 70000 is out of range 1-65535");
	bad(&a_port, "4294967296", "value", -651, "out of range 1-65535");
	bad(&a_port, "18446744073709551616", "value", -651, "out of range 1-65535");
	bad(&a_port, "99999999999999999999999999999999999999999999", "value", -651,
	    "out of range 1-65535");
	/* Not digits at all: the FortiOS text, naming the attribute too. */
	bad(&a_port, "-1", "value", -651, "invalid unsigned integer value: -1");
	bad(&a_port, "+1", "value", -651, "invalid unsigned integer value: +1");
	bad(&a_port, "abc", "value", -651, "invalid unsigned integer value: abc");
	bad(&a_port, "25x", "value", -651, "invalid unsigned integer value: 25x");
	bad(&a_port, " 25", "value", -651, "invalid unsigned integer value");
	bad(&a_port, "25 ", "value", -651, "invalid unsigned integer value");
	bad(&a_port, "0x19", "value", -651, "invalid unsigned integer value");
	bad(&a_port, "1e3", "value", -651, "invalid unsigned integer value");
	bad(&a_port, "", "value", -651, "invalid unsigned integer value");
	bad(&a_port, "٣", "value", -651, "invalid unsigned integer value"); /* Arabic-Indic 3 */

	/* A range starting at 0, up to 2^32-1. */
	ok(&a_zero, "0");
	ok(&a_zero, "4294967295");
	bad(&a_zero, "4294967296", "value", -651, "count: 4294967296 is out of range 0-4294967295");

	/* The real port attribute. */
	const struct schema_node *mail = schema_lookup("system mail");
	int i = mail ? schema_attr_index(mail, "port") : -1;
	CHECK(i >= 0);
	if (i >= 0) {
		ok(&mail->attrs[i], "587");
		bad(&mail->attrs[i], "70000", "value", -651, "port: 70000 is out of range 1-65535");
	}
}

static void test_string(void)
{
	char s[256];

	ok(&a_user, "");
	ok(&a_user, "alerts@example.com");
	ok(&a_user, "a b \"c\" 'd' \\ | ? # ;");
	memset(s, 'x', 63);
	s[63] = '\0';
	ok(&a_user, s);
	ok(&a_pass, s);
	s[63] = 'x';
	s[64] = '\0';
	/* The FortiOS text; the length class is "value ... -1". */
	bad(&a_user, s, "value", -1, "string value is too long. the size is 64, the limit is 63");
	bad(&a_pass, s, "value", -1, "the size is 64, the limit is 63");
	memset(s, 'x', 200);
	s[200] = '\0';
	bad(&a_user, s, "value", -1, "the size is 200, the limit is 63");

	/* The limit is in bytes: 31 two-byte letters and one ASCII = 63 bytes. */
	s[0] = '\0';
	for (int i = 0; i < 31; i++)
		strcat(s, "é");
	strcat(s, "a");
	CHECK(strlen(s) == 63);
	ok(&a_user, s);
	strcat(s, "é");
	bad(&a_user, s, "value", -1, "the size is 65, the limit is 63");

	/* Control characters: the detail names the attribute and the byte. */
	bad(&a_user, "a\rb", "value", -651, "user: control character 0x0d is not allowed");
	bad(&a_user, "a\nb", "value", -651, "control character 0x0a");
	bad(&a_user, "\x1b[31mred", "value", -651, "control character 0x1b");
	bad(&a_user, "a\x7f", "value", -651, "control character 0x7f");
	bad(&a_user, "a\tb", "value", -651, "control character 0x09");
	bad(&a_user, "\x01", "value", -651, "control character 0x01");
	bad(&a_pass, "pass\nword", "value", -651, "passwd: control character 0x0a");
	/* A control character wins over the length: say what is wrong first. */
	memset(s, 'x', 100);
	s[50] = '\n';
	s[100] = '\0';
	bad(&a_user, s, "value", -651, "control character 0x0a");

	/* UTF-8: valid text of 2, 3 and 4 bytes passes. */
	ok(&a_user, "Grüße");
	ok(&a_user, "日本語");
	ok(&a_user, "✓ 😀");
	ok(&a_user, "\xef\xbf\xbd");	 /* U+FFFD */
	ok(&a_user, "\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last code point */
	/* Invalid UTF-8 fails and names the attribute. */
	static const struct {
		const char *bytes, *what;
	} invalid[] = {
		{"\xff", "byte FF"},
		{"\xfe", "byte FE"},
		{"a\x80", "a lone continuation byte"},
		{"\xc3", "a truncated 2-byte sequence"},
		{"\xe6\x97", "a truncated 3-byte sequence"},
		{"\xf0\x9f\x98", "a truncated 4-byte sequence"},
		{"\xc3x", "a lead byte before ASCII"},
		{"\xc0\x80", "overlong NUL C0 80"},
		{"\xc1\xbf", "overlong 2-byte C1 BF"},
		{"\xe0\x80\xaf", "overlong 3-byte E0 80 AF ('/')"},
		{"\xf0\x80\x80\xaf", "overlong 4-byte F0 80 80 AF ('/')"},
		{"\xed\xa0\x80", "UTF-16 surrogate U+D800 (ED A0 80)"},
		{"\xf4\x90\x80\x80", "U+110000, beyond Unicode (F4 90 80 80)"},
		{"\xf5\x80\x80\x80", "lead byte F5"},
		{"\xf8\x88\x80\x80\x80", "a 5-byte form"},
	};
	for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
		const struct schema_error *e = v(&a_user, invalid[i].bytes);
		if (!e)
			fprintf(stderr, "invalid UTF-8 accepted: %s\n", invalid[i].what);
		CHECK(e != NULL);
		CHECK(!e || (strcmp(e->parse, "value") == 0 && e->code == -651));
		CHECK(!e || strstr(msg, "user: value is not valid UTF-8"));
	}
}

static void test_enum(void)
{
	ok(&a_auth, "enable");
	ok(&a_auth, "disable");
	/* Values are never abbreviated, and case matters (spec §2.4). */
	bad(&a_auth, "en", "command", -61, "auth: 'en' is not one of disable, enable");
	bad(&a_auth, "Enable", "command", -61, "'Enable' is not one of");
	bad(&a_auth, "enable ", "command", -61, NULL);
	bad(&a_auth, "", "command", -61, "is not one of");
	bad(&a_auth, "yes", "command", -61, "disable, enable");
	CHECK(schema_enum_find(&a_auth, "enable") == &onoff[1]);
	CHECK(schema_enum_find(&a_auth, "enabl") == NULL);

	/* The real secure-option lists all four options. */
	const struct schema_node *mail = schema_lookup("system mail");
	int i = mail ? schema_attr_index(mail, "secure-option") : -1;
	CHECK(i >= 0);
	if (i >= 0)
		bad(&mail->attrs[i], "tls", "command", -61,
		    "secure-option: 'tls' is not one of default, none, smtps, starttls");
	/* A long list does not overflow a small message buffer. */
	const struct schema_node *global = schema_lookup("system global");
	i = global ? schema_attr_index(global, "timezone") : -1;
	CHECK(i >= 0);
	if (i >= 0) {
		char small[24];
		memset(small, '#', sizeof small);
		const struct schema_error *e =
			schema_validate(&global->attrs[i], "99", small, sizeof small);
		CHECK(e && e->code == -61);
		CHECK(memchr(small, '\0', sizeof small) != NULL);
	}
}

static void test_ip(void)
{
	static const char *const good4[] = {"0.0.0.0", "1.2.3.4", "192.168.1.1", "255.255.255.255"};
	static const char *const bad4[] = {
		"",	     "1.2.3",
		"1.2.3.4.5", "256.1.1.1",
		"1.1.1.256", "1.1",
		"a.b.c.d",   "1.2.3.4 ",
		" 1.2.3.4",  "1.2.3.4/24",
		"-1.2.3.4",  "1..2.3",
		"::1",	     "1.2.3.4:25",
		"0x1.2.3.4", "1.2.3.04444",
		"1.2.3.4.",  "999999999999999",
		"localhost",
	};
	static const char *const good6[] = {
		"::",
		"::1",
		"2001:db8::1",
		"fe80::1",
		"2001:0db8:0000:0000:0000:ff00:0042:8329",
		"::ffff:192.0.2.1",
		"FE80::ABCD",
		"1:2:3:4:5:6:7:8",
		"0000:0000:0000:0000:0000:ffff:255.255.255.255", /* 45 characters */
	};
	static const char *const bad6[] = {
		"",
		"1.2.3.4",
		":::",
		"2001:db8::1::2",
		"12345::",
		"g::1",
		"1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7",
		"fe80::1%eth0",
		"[::1]",
		"::1/128",
		" ::1",
		"::1 ",
		"0000:0000:0000:0000:0000:ffff:255.255.255.2555",
	};

	for (size_t i = 0; i < sizeof good4 / sizeof *good4; i++)
		ok(&a_ip4, good4[i]);
	for (size_t i = 0; i < sizeof bad4 / sizeof *bad4; i++)
		bad(&a_ip4, bad4[i], "value", -8, "invalid ip address");
	for (size_t i = 0; i < sizeof good6 / sizeof *good6; i++)
		ok(&a_ip6, good6[i]);
	for (size_t i = 0; i < sizeof bad6 / sizeof *bad6; i++)
		bad(&a_ip6, bad6[i], "value", -8, "invalid ipv6 address");
}

static void test_check_host(void)
{
	static const char *const good[] = {
		"smtp.example.com",
		"localhost",
		"mail-1.example.co.uk",
		"a_b.example", /* underscores occur in real internal names */
		"192.0.2.1",
		"2001:db8::25",
		"::1",
		"example.com.", /* fully qualified, with the root dot */
		"xn--bcher-kva.example",
	};
	static const char *const badh[] = {
		"a..b",
		"a b",
		"smtp.example.com:25",
		"[192.0.2.1]",
		".example.com",
		"smtp/example",
		"smtp@example.com",
		"smtp,example.com",
		"smtp\\example.com",
		"bücher.example",
		"smtp;example.com",
	};
	char label[80];

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		const char *why = schema_check_host(good[i]);
		if (why)
			fprintf(stderr, "host '%s': %s\n", good[i], why);
		CHECK(why == NULL);
	}
	for (size_t i = 0; i < sizeof badh / sizeof *badh; i++) {
		const char *why = schema_check_host(badh[i]);
		if (!why)
			fprintf(stderr, "host '%s' accepted\n", badh[i]);
		CHECK(why != NULL && *why);
	}
	/* A label may be 63 characters, not 64. */
	memset(label, 'a', 63);
	strcpy(label + 63, ".com");
	CHECK(schema_check_host(label) == NULL);
	memset(label, 'a', 64);
	strcpy(label + 64, ".com");
	CHECK(schema_check_host(label) != NULL);

	/* Through schema_validate: the value class, the attribute named, and
	 * the empty value (no server) allowed. */
	ok(&a_server, "");
	ok(&a_server, "smtp.example.com");
	bad(&a_server, "a b", "value", -651,
	    "server: 'a b' is not a valid host name or IP address");
	bad(&a_server, "a..b", "value", -651, "server: 'a..b' is not a valid host name");
}

static void test_check_email(void)
{
	static const char *const good[] = {
		"a@b.c",	  "alerts@example.com", "first.last+tag@mail.example.org",
		"root@localhost", "ops@192.0.2.1",
	};
	static const char *const bade[] = {
		"",	     "alerts", "@example.com",	"alerts@",  "a b@c.d", "a@b c.d", "<a@b.c>",
		"\"a\"@b.c", "a@b..c", "a@[192.0.2.1]", "a\\b@c.d", "a@b.c\t", "a@b.c>",  "a@-@",
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		const char *why = schema_check_email(good[i]);
		if (why)
			fprintf(stderr, "email '%s': %s\n", good[i], why);
		CHECK(why == NULL);
	}
	for (size_t i = 0; i < sizeof bade / sizeof *bade; i++) {
		const char *why = schema_check_email(bade[i]);
		if (!why)
			fprintf(stderr, "email '%s' accepted\n", bade[i]);
		CHECK(why != NULL && *why);
	}
	/* The real `from` attribute uses it. */
	const struct schema_node *mail = schema_lookup("system mail");
	int i = mail ? schema_attr_index(mail, "from") : -1;
	CHECK(i >= 0);
	if (i >= 0) {
		ok(&mail->attrs[i], "alerts@example.com");
		ok(&mail->attrs[i], "");
		bad(&mail->attrs[i], "alerts", "value", -651,
		    "from: 'alerts' is not an e-mail address");
	}
}

static void test_check_hostname(void)
{
	static const char *const good[] = {"appsh", "FAZ-VM64", "faz_01.lab", "a", "0"};
	static const char *const badn[] = {"a b",    "faz#1", "a/b", "fäz",
					   "a$(id)", "a\"b",  "a'b", "a:b"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		CHECK(schema_check_hostname(good[i]) == NULL);
	for (size_t i = 0; i < sizeof badn / sizeof *badn; i++) {
		const char *why = schema_check_hostname(badn[i]);
		if (!why)
			fprintf(stderr, "hostname '%s' accepted\n", badn[i]);
		CHECK(why != NULL && *why);
	}
	const struct schema_node *global = schema_lookup("system global");
	int i = global ? schema_attr_index(global, "hostname") : -1;
	CHECK(i >= 0);
	if (i >= 0) {
		ok(&global->attrs[i], "FAZ-VM64");
		bad(&global->attrs[i], "my host", "value", -651,
		    "hostname: 'my host' may hold only");
		char s[64];
		memset(s, 'h', 36);
		s[36] = '\0';
		bad(&global->attrs[i], s, "value", -1, "the size is 36, the limit is 35");
	}
}

static void test_key(void)
{
	const struct schema_node *mail = schema_lookup("system mail");
	const struct schema_error *e;
	char s[80];

	CHECK(mail != NULL);
	if (!mail)
		return;
	CHECK(schema_validate_key(mail, "1", msg, sizeof msg) == NULL);
	CHECK(schema_validate_key(mail, "primary relay", msg, sizeof msg) == NULL);
	memset(s, 'k', 63);
	s[63] = '\0';
	CHECK(schema_validate_key(mail, s, msg, sizeof msg) == NULL);
	s[63] = 'k';
	s[64] = '\0';
	e = schema_validate_key(mail, s, msg, sizeof msg);
	CHECK(e && e->code == -1 && strcmp(e->parse, "value") == 0);
	CHECK(strstr(msg, "the size is 64, the limit is 63") != NULL);
	e = schema_validate_key(mail, "", msg, sizeof msg);
	CHECK(e && e->code == -651 && strcmp(e->parse, "value") == 0);
	CHECK(strstr(msg, "id:") != NULL);
	e = schema_validate_key(mail, "a\nb", msg, sizeof msg);
	CHECK(e && e->code == -651);
	CHECK(strstr(msg, "id: control character 0x0a") != NULL);
	e = schema_validate_key(mail, "\xff", msg, sizeof msg);
	CHECK(e && e->code == -651);
	CHECK(strstr(msg, "id: value is not valid UTF-8") != NULL);
}

static void test_misc(void)
{
	CHECK_STR(schema_type_slot(SCHEMA_T_UINT), "<integer>");
	CHECK_STR(schema_type_slot(SCHEMA_T_STRING), "<string>");
	CHECK_STR(schema_type_slot(SCHEMA_T_PASSWORD), "<passwd>");
	CHECK_STR(schema_type_slot(SCHEMA_T_IPV4), "<ipv4>");
	CHECK_STR(schema_type_slot(SCHEMA_T_IPV6), "<ipv6>");
	CHECK_STR(schema_default(&a_user), "");
	/* A tiny message buffer is truncated, never overrun. */
	char small[8];
	memset(small, '#', sizeof small);
	CHECK(schema_validate(&a_port, "70000", small, sizeof small) != NULL);
	CHECK(memchr(small, '\0', sizeof small) != NULL);
	/* A very long value: validation is linear and the message bounded. */
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	memset(big, '7', n);
	big[n] = '\0';
	bad(&a_port, big, "value", -651, "out of range");
	CHECK(strlen(msg) < 200);
	memset(big, 'x', n);
	bad(&a_user, big, "value", -1, "the size is 1048576, the limit is 63");
	bad(&a_auth, big, "command", -61, "is not one of");
	CHECK(strlen(msg) < 200);
	free(big);
}

int main(void)
{
	test_uint();
	test_string();
	test_enum();
	test_ip();
	test_check_host();
	test_check_email();
	test_check_hostname();
	test_key();
	test_misc();
	test_names_attribute();
	return check_summary();
}
