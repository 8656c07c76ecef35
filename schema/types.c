/* SPDX-License-Identifier: MIT */
/* types.c - value validation by schema type, with FortiOS error classes. */
#include "schema/schema.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The FortiOS return codes we use (spec §9). */
static const struct schema_error err_length = {"value", -1};
static const struct schema_error err_ip = {"value", -8};
static const struct schema_error err_enum = {"command", -61};
static const struct schema_error err_value = {"value", -651};

const char *schema_type_slot(enum schema_type type)
{
	switch (type) {
	case SCHEMA_T_STRING:
		return "<string>";
	case SCHEMA_T_PASSWORD:
		return "<passwd>";
	case SCHEMA_T_UINT:
		return "<integer>";
	case SCHEMA_T_ENUM:
		return "<option>";
	case SCHEMA_T_IPV4:
		return "<ipv4>";
	case SCHEMA_T_IPV6:
		return "<ipv6>";
	}
	return "<value>";
}

const char *schema_default(const struct schema_attr *attr)
{
	return attr->def ? attr->def : "";
}

const struct schema_enum *schema_enum_find(const struct schema_attr *attr, const char *name)
{
	for (const struct schema_enum *e = attr->enums; e && e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Returns the first byte offset that is not valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1. */
static long utf8_invalid_at(const unsigned char *s)
{
	for (const unsigned char *p = s; *p;) {
		unsigned char c = *p, lo = 0x80, hi = 0xbf;
		int n;
		if (c < 0x80)
			n = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		else
			return p - s;
		/* The second byte has the tightest range; the rest are 80..BF. */
		for (int i = 1; i <= n; i++)
			if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
				return p - s;
		p += n + 1;
	}
	return -1;
}

/* Text values may hold any printable UTF-8 but no control characters:
 * CR, LF, NUL and ESC would corrupt `show` output and, later, SMTP lines. */
static const struct schema_error *check_text(const char *name, const char *v, unsigned long max,
					     bool multiline, char *msg, size_t len)
{
	size_t n = strlen(v);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p < 0x20 || *p == 0x7f) && !(multiline && *p == '\n')) {
			snprintf(msg, len, "%s: control character 0x%02x is not allowed in a value",
				 name, *p);
			return &err_value;
		}
	if (utf8_invalid_at((const unsigned char *)v) >= 0) {
		snprintf(msg, len, "%s: value is not valid UTF-8", name);
		return &err_value;
	}
	if (n > max) {
		snprintf(msg, len, "string value is too long. the size is %zu, the limit is %lu", n,
			 max);
		return &err_length;
	}
	return NULL;
}

static const struct schema_error *check_uint(const struct schema_attr *a, const char *v, char *msg,
					     size_t len)
{
	char *end;
	bool digits = *v != '\0';
	for (const char *p = v; *p; p++)
		digits = digits && isdigit((unsigned char)*p);
	if (!digits) {
		snprintf(msg, len, "invalid unsigned integer value: %.40s", v);
		return &err_value;
	}
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno == ERANGE || n < a->min || n > a->max) {
		snprintf(msg, len, "%s: %.40s is out of range %lu-%lu", a->name, v, a->min, a->max);
		return &err_value;
	}
	return NULL;
}

const struct schema_error *schema_validate(const struct schema_attr *a, const char *v, char *msg,
					   size_t len)
{
	const struct schema_error *err = NULL;
	unsigned char buf[16];

	switch (a->type) {
	case SCHEMA_T_STRING:
	case SCHEMA_T_PASSWORD:
		err = check_text(a->name, v, a->max, a->multiline, msg, len);
		break;
	case SCHEMA_T_UINT:
		err = check_uint(a, v, msg, len);
		break;
	case SCHEMA_T_ENUM:
		if (!schema_enum_find(a, v)) {
			int off = snprintf(msg, len, "%s: '%.40s' is not one of", a->name, v);
			for (const struct schema_enum *e = a->enums;
			     e->name && off > 0 && (size_t)off < len; e++)
				off += snprintf(msg + off, len - off, "%s %s",
						e == a->enums ? "" : ",", e->name);
			err = &err_enum;
		}
		break;
	case SCHEMA_T_IPV4:
		if (strlen(v) > 15 || inet_pton(AF_INET, v, buf) != 1) {
			snprintf(msg, len, "invalid ip address");
			err = &err_ip;
		}
		break;
	case SCHEMA_T_IPV6:
		if (strlen(v) > 45 || inet_pton(AF_INET6, v, buf) != 1) {
			snprintf(msg, len, "invalid ipv6 address");
			err = &err_ip;
		}
		break;
	}
	if (!err && a->check && *v) {
		const char *why = a->check(v);
		if (why) {
			if (a->type == SCHEMA_T_PASSWORD || a->multiline) /* never echo these */
				snprintf(msg, len, "%s: the value %s", a->name, why);
			else
				snprintf(msg, len, "%s: '%.40s' %s", a->name, v, why);
			err = &err_value;
		}
	}
	return err;
}

const struct schema_error *schema_validate_key(const struct schema_node *t, const char *key,
					       char *msg, size_t len)
{
	if (!*key) {
		snprintf(msg, len, "%s: the entry name may not be empty", t->key_name);
		return &err_value;
	}
	return check_text(t->key_name, key, t->key_max, false, msg, len);
}

/* A DNS name or an IP literal: what an SMTP server or DNS target may be. */
const char *schema_check_host(const char *v)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1)
		return NULL;
	size_t label = 0;
	bool digits_only = true;
	for (const char *p = v;; p++) {
		if (*p == '.' || !*p) {
			if (!*p && label == 0 && p > v + 1 && p[-1] == '.' && p[-2] != '.')
				break; /* a trailing dot: an absolute name */
			if (label == 0)
				return "is not a valid host name (empty label)";
			if (p[-1] == '-')
				return "is not a valid host name (a label ends with '-')";
			if (!*p)
				break;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
			if (label == 0 && *p == '-')
				return "is not a valid host name (a label starts with '-')";
			if (++label > 63)
				return "is not a valid host name (label longer than 63)";
			digits_only = digits_only && (isdigit((unsigned char)*p) || *p == '.');
		} else {
			return "is not a valid host name or IP address";
		}
	}
	/* "999.1.1.1" is neither a name nor an address. */
	return digits_only ? "is not a valid IP address" : NULL;
}

/* local@domain, without spaces or angle brackets: it goes into MAIL FROM. */
const char *schema_check_email(const char *v)
{
	const char *at = strchr(v, '@');
	if (!at || at == v || !at[1] || strchr(at + 1, '@'))
		return "is not an e-mail address (local@domain)";
	for (const char *p = v; *p; p++)
		if (isspace((unsigned char)*p) || *p == '<' || *p == '>' || *p == '"' || *p == '\\')
			return "is not an e-mail address (no spaces, quotes or brackets)";
	return schema_check_host(at + 1) ? "has an invalid domain" : NULL;
}

/* The host name is also the prompt: keep it to letters, digits, '-', '_' and '.'. */
const char *schema_check_hostname(const char *v)
{
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return "may hold only letters, digits, '-', '_' and '.'";
	return NULL;
}
