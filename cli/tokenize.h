/* SPDX-License-Identifier: MIT */
/*
 * tokenize.h - split a command line into words (spec §3.1).
 *
 * Words are separated by blanks.  Single and double quotes group words and
 * are stripped; inside quotes a backslash escapes only the quote character
 * and itself.  Outside quotes a backslash escapes any character (`Mr\ X`),
 * and one at the very end asks for a continuation line.  An unquoted `|`
 * is a word of its own that starts the output filter.  An unquoted `?` as
 * the last character is a help request and is not part of any word.
 */
#ifndef APPSH_CLI_TOKENIZE_H
#define APPSH_CLI_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>

enum cli_tok_status {
	CLI_TOK_OK,
	CLI_TOK_OPEN_QUOTE, /* a quote is still open: the value goes on on the next line */
	CLI_TOK_CONTINUE,   /* the line ends in a backslash */
	CLI_TOK_NUL,	    /* the line holds a NUL byte */
	CLI_TOK_NOMEM,
};

struct cli_tokens {
	int argc;
	char **argv;  /* the words, unquoted and unescaped */
	bool *quoted; /* the word had quotes or escapes in it */
	int pipe;     /* index of the first word after `|`, or -1 */
	enum cli_tok_status status;
	char open_quote;     /* with CLI_TOK_OPEN_QUOTE: '"' or '\'' */
	bool trailing_blank; /* the line ends in a blank: the last word is complete */
	bool help;	     /* the line ended in an unquoted `?` */
};

/* Tokenizes line[0..len).  Returns the status also stored in t->status. */
enum cli_tok_status cli_tokenize(const char *line, size_t len, struct cli_tokens *t);
void cli_tokens_free(struct cli_tokens *t);

#endif
