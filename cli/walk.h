/* SPDX-License-Identifier: MIT */
/*
 * walk.h - the command grammar and the one walker over it.
 *
 * The grammar is a tree of cli_node: keywords, and slots whose choices come
 * from the schema (config path words, table keys, attribute names, values).
 * cli_walk() matches words for execution; cli_choices() lists what may come
 * next for `?` and TAB.  Both run the same matching code, so help,
 * completion and execution cannot disagree.
 */
#ifndef APPSH_CLI_WALK_H
#define APPSH_CLI_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/session.h"

enum cli_slot {
	CLI_KEYWORD, /* the word itself */
	CLI_PATH,    /* config path words down to a node of an accepted kind */
	CLI_KEY,     /* a table key of the path's (or the shell's) table */
	CLI_ATTR,    /* an attribute of the object or entry being edited */
	CLI_VALUE,   /* a value for the attribute just named */
	CLI_ARG,     /* a typed argument of a diagnose/execute command */
};

/* Kinds a CLI_PATH may end on (bit = 1 << schema_kind). */
#define CLI_PATH_CONFIG ((1u << SCHEMA_OBJECT) | (1u << SCHEMA_TABLE))
#define CLI_PATH_GET	(CLI_PATH_CONFIG | (1u << SCHEMA_INFO))
#define CLI_PATH_SHOW	(CLI_PATH_CONFIG | (1u << SCHEMA_CONTAINER))

/*
 * What a command needs, as the .perm of a grammar node: an area
 * (enum schema_area), or'ed with CLI_PERM_WRITE for commands that change
 * something.  A node's .perm applies to it and everything after it until
 * a later node sets its own; nodes without one are free for everyone.
 * The walker hides from `?` and TAB what the session's profile does not
 * allow, and refuses it with a permission error (docs/admin.md).  To tag
 * a new diagnose/execute command, give its node one of these:
 *
 *	{.word = "sniffer", ..., .perm = CLI_PERM_DIAG_WRITE},
 */
#define CLI_PERM_AREA		 0xffu	/* the schema_area bits */
#define CLI_PERM_WRITE		 0x100u /* the command changes something: read-write needed */
#define CLI_PERM_CONFIG		 0x200u /* the area is the config node's (path word or shell) */
#define CLI_PERM_CFG_READ	 CLI_PERM_CONFIG
#define CLI_PERM_CFG_WRITE	 (CLI_PERM_CONFIG | CLI_PERM_WRITE)
#define CLI_PERM_SYSTEM_WRITE	 (SCHEMA_AREA_SYSTEM | CLI_PERM_WRITE)
#define CLI_PERM_ADMIN_READ	 SCHEMA_AREA_ADMIN
#define CLI_PERM_ADMIN_WRITE	 (SCHEMA_AREA_ADMIN | CLI_PERM_WRITE)
#define CLI_PERM_DIAG_READ	 SCHEMA_AREA_DIAG_READ
#define CLI_PERM_DIAG_WRITE	 (SCHEMA_AREA_DIAG_WRITE | CLI_PERM_WRITE)
#define CLI_PERM_DIAG_WRITE_INFO SCHEMA_AREA_DIAG_WRITE /* looks at diag-write settings */

struct cli_args;
typedef int (*cli_run_fn)(struct cli *cli, const struct cli_args *a);

struct cli_node {
	const char *word; /* CLI_KEYWORD */
	enum cli_slot slot;
	const char *help;
	unsigned modes;		       /* CLI_MODE_* where offered; 0 = everywhere */
	unsigned kinds;		       /* CLI_PATH: accepted end kinds */
	unsigned opt;		       /* bits or'ed into cli_args.opt when matched */
	const struct cli_node *next;   /* what may follow; ends with a zeroed node */
	cli_run_fn run;		       /* set: the line may end here */
	const struct schema_attr *arg; /* CLI_ARG: name, help, type and range */
	const char *table;	       /* CLI_ARG: offer this table's keys ("system mail") */
	unsigned perm;		       /* CLI_PERM_*: the right needed from here on; 0 = inherit */
};

#define CLI_OPT_FULL 1u /* "full-configuration" */
#define CLI_OPT_ENC  2u /* the value followed ENC: already encrypted */

struct cli_args {
	const struct schema_node *node; /* CLI_PATH's node, else the shell's */
	char path[256];			/* its store path */
	const char *key, *key2;		/* CLI_KEY words in order */
	const struct schema_attr *attr; /* CLI_ATTR */
	int attr_index;
	const char *value; /* CLI_VALUE */
	unsigned opt;
	bool secret; /* the line names a secret attribute */
	int argc;    /* CLI_ARG words, in order, with the attribute each matched */
	const char *argv[8];
	const struct schema_attr *argattr[8];
};

/*
 * Matches argv for execution.  Returns the run function of the last node,
 * with args filled in, or NULL after recording the error (cli_fail).
 * a->secret is set as soon as a secret attribute is named, even when the
 * line then fails, so the caller can keep such lines out of history.
 */
cli_run_fn cli_walk(struct cli *cli, int argc, char **argv, struct cli_args *a);

/* One thing that may come next. */
struct cli_choice {
	char word
		[128]; /* a word to type ("edit", "starttls", "1"), or a label ("<integer>", "<cr>") */
	char help[256];
	bool literal; /* word can be typed as is (completion inserts it) */
};

struct cli_choices {
	struct cli_choice *v;
	size_t n, cap;
	bool error; /* the words before did not parse (an error is recorded) */
};

/*
 * Lists what may follow argv[0..argc), keeping only choices that start with
 * partial (NULL or "" for all), in grammar order; <cr> comes last when
 * the line may end here.
 */
void cli_choices(struct cli *cli, int argc, char **argv, const char *partial,
		 struct cli_choices *out);
void cli_choices_free(struct cli_choices *c);

#endif
