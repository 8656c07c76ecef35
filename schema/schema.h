/* SPDX-License-Identifier: MIT */
/*
 * schema.h - the one static description of the configuration tree.
 *
 * Every config node (containers such as "system", single objects such as
 * "system global", tables such as "system mail") and every attribute is a
 * const table entry here.  The walker derives `?`, TAB, abbreviation and
 * validation from it; the renderer derives `get`, `show` and
 * `show full-configuration`; the store keys values by the path words and
 * attribute names.  Nothing else restates an attribute.
 */
#ifndef APPSH_SCHEMA_SCHEMA_H
#define APPSH_SCHEMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum schema_type {
	SCHEMA_T_STRING,   /* free text up to max bytes, no control characters */
	SCHEMA_T_PASSWORD, /* secret text: encrypted at rest, `*` in get, ENC in show */
	SCHEMA_T_UINT,	   /* unsigned integer in [min, max] */
	SCHEMA_T_ENUM,	   /* one of enums[] */
	SCHEMA_T_IPV4,	   /* dotted quad */
	SCHEMA_T_IPV6,	   /* RFC 4291 text form */
};

struct schema_enum {
	const char *name;
	const char *help;
	const char *data; /* optional payload, e.g. the zone name behind a timezone index */
};

struct schema_attr {
	const char *name;
	const char *help;
	enum schema_type type;
	unsigned long min, max;		 /* UINT: range; STRING/PASSWORD: max length in bytes */
	const struct schema_enum *enums; /* ENUM: terminated by an entry with name NULL */
	const char *def;		 /* default value as text; NULL means empty */
	/* Extra check for a value already valid for its type: returns NULL when
	 * fine, else a message that names the problem ("not a host name"). */
	const char *(*check)(const char *value);
	/* Visibility: when when_attr is set, the attribute exists only while
	 * when_attr (a sibling) has the value when_value. */
	const char *when_attr, *when_value;
	bool multiline;	 /* the value may hold line feeds (PEM text pasted in quotes) */
	const char *ref; /* the value must name an entry of this table ("system
			    certificate local"); its keys are offered by ? and TAB */
	bool get_help;	 /* ENUM: `get` shows the choice's help text, as the
			    appliance shows a time zone; `show` keeps the word */
};

/*
 * Permission areas: what an admin profile grants none, read or read-write
 * on.  A config node names its area (.area); nodes without one take their
 * parent's.  diagnose/execute commands are tagged in the grammar
 * (cli/walk.h, .perm).  The names are the profile's attribute names.
 */
enum schema_area {
	SCHEMA_AREA_NONE = 0,	/* inherit (config), or free for everyone (grammar) */
	SCHEMA_AREA_SYSTEM,	/* system-setting: global, dns, certificates, status */
	SCHEMA_AREA_ADMIN,	/* admin-setting: admin users and profiles, sessions */
	SCHEMA_AREA_MAIL,	/* mail-setting: system mail */
	SCHEMA_AREA_DIAG_READ,	/* diag-read: ping, traceroute, nslookup, daemon status */
	SCHEMA_AREA_DIAG_WRITE, /* diag-write: debug, sniffer, daemon control, test mail */
	SCHEMA_AREA_COUNT,
};

enum schema_kind {
	SCHEMA_CONTAINER, /* only groups children: "system" */
	SCHEMA_OBJECT,	  /* one set of attributes: "system global" */
	SCHEMA_TABLE,	  /* entries keyed by key_name: "system mail" */
	SCHEMA_INFO,	  /* read-only information for `get`: "system status" */
};

struct schema_node {
	const char *name;
	const char *help;
	enum schema_kind kind;
	const struct schema_node *const *children; /* CONTAINER: NULL-terminated */
	const struct schema_attr *attrs;	   /* OBJECT/TABLE: terminated by name NULL */
	const char *key_name, *key_help;	   /* TABLE */
	unsigned long key_max;			   /* TABLE: longest key in bytes */
	const char *const *summary;		   /* TABLE: attributes in the `get` summary line */
	/* Rules that span attributes or entries (a key must match its
	 * certificate, someone must keep Super_User) are not here but in
	 * the configuration layer (config/rules.c), which runs them at
	 * commit; INFO blocks are printed by their command (cmds/). */
	enum schema_area area; /* permission area; SCHEMA_AREA_NONE: the parent's */
};

/* The root container; its children are the top-level path words. */
const struct schema_node *schema_root(void);

/* The permission area of the node at path: the deepest .area on the way. */
enum schema_area schema_area_of(const char *path);
/* The profile attribute name of an area ("mail-setting"), or "" for NONE. */
const char *schema_area_name(enum schema_area area);

/* The node at a space-separated path of exact names ("system mail"), or NULL. */
const struct schema_node *schema_lookup(const char *path);

/* Calls fn for every attribute, anywhere in the tree, whose values name
 * entries of the table at path (attr->ref == path), with the path of the
 * table or object that holds it.  A non-zero return stops the walk. */
int schema_each_ref(const char *path,
		    int (*fn)(void *arg, const char *holder, const struct schema_attr *attr),
		    void *arg);

size_t schema_attr_count(const struct schema_node *node);
/* Index of the attribute called name in node->attrs, or -1. */
int schema_attr_index(const struct schema_node *node, const char *name);

/*
 * Validates a value for an attribute by type, length, range and check().
 * Returns NULL when valid; otherwise writes a plain-words detail ("port: 70000
 * is out of range 1-65535") into msg and returns the FortiOS error class.
 */
struct schema_error {
	const char *parse; /* "value" or "command": which "... parse error before" line */
	int code;	   /* FortiOS return code, e.g. -651 */
};
const struct schema_error *schema_validate(const struct schema_attr *attr, const char *value,
					   char *msg, size_t msglen);

/* Checks a table key (length, control characters); same contract. */
const struct schema_error *schema_validate_key(const struct schema_node *table, const char *key,
					       char *msg, size_t msglen);

/* "<integer>", "<string>", "<passwd>", "<ipv4>", "<ipv6>" for help listings. */
const char *schema_type_slot(enum schema_type type);

/* Default value as text ("" when none). */
const char *schema_default(const struct schema_attr *attr);

/* The value of attribute i in vals (by index; NULL or a NULL entry means
 * unset): the set value, or the default. */
const char *schema_attr_value(const struct schema_node *node, char *const *vals, int i);
/* Whether attribute i exists given the values vals (its when_attr rule). */
bool schema_attr_visible(const struct schema_node *node, char *const *vals, int i);

/* Looks up enum entry by exact name, or NULL. */
const struct schema_enum *schema_enum_find(const struct schema_attr *attr, const char *name);

/* The IANA zone ("Europe/Berlin") of a `system global timezone` value
 * ("28"); "UTC" for NULL or an unknown value. */
const char *schema_timezone_zone(const char *value);

/* Checks used by attributes (schema/types.c). */
const char *schema_check_host(const char *value);
const char *schema_check_email(const char *value);
const char *schema_check_hostname(const char *value);
const char *schema_check_pem_cert(const char *value); /* one or more certificates */
const char *schema_check_pem_key(const char *value);  /* one private key */

#endif
