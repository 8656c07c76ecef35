/* SPDX-License-Identifier: MIT */
/* tokenize.c - quotes, escapes, `|` and a trailing `?`. */
#include "cli/tokenize.h"

#include <stdlib.h>
#include <string.h>

/* CR is not a blank: a stray CR inside a value must be refused as a
 * control character, not silently split the value in two. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Appends a word of n bytes.  The arrays grow by doubling: a 1 MB line
 * of one-letter words must not cost a copy per word. */
static bool push(struct cli_tokens *t, const char *buf, size_t n, bool quoted, size_t *cap)
{
	if ((size_t)t->argc + 2 > *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		char **argv = realloc(t->argv, c * sizeof *argv);
		if (argv)
			t->argv = argv;
		bool *q = argv ? realloc(t->quoted, c * sizeof *q) : NULL;
		if (!q)
			return false;
		t->quoted = q;
		*cap = c;
	}
	char *w = malloc(n + 1);
	if (!w)
		return false;
	memcpy(w, buf, n);
	w[n] = '\0';
	t->argv[t->argc] = w;
	t->quoted[t->argc] = quoted;
	t->argv[++t->argc] = NULL;
	return true;
}

enum cli_tok_status cli_tokenize(const char *line, size_t len, struct cli_tokens *t)
{
	char *word = malloc(len + 1);
	size_t n = 0, i = 0, cap = 0;
	char quote = 0;
	bool in_word = false, quoted = false;

	memset(t, 0, sizeof *t);
	t->pipe = -1;
	if (!word)
		return t->status = CLI_TOK_NOMEM;
	if (memchr(line, '\0', len)) {
		free(word);
		return t->status = CLI_TOK_NUL;
	}
	/* A final unquoted `?` is the help key, not text: find out first. */
	for (size_t j = 0; j < len; j++) {
		if (quote) {
			if (line[j] == '\\' && j + 1 < len)
				j++;
			else if (line[j] == quote)
				quote = 0;
		} else if (line[j] == '\\') {
			j++;
		} else if (line[j] == '"' || line[j] == '\'') {
			quote = line[j];
		} else if (line[j] == '?' && j + 1 == len) {
			t->help = true;
			len--;
		}
	}
	quote = 0;
	for (i = 0; i < len; i++) {
		char c = line[i];
		if (quote) {
			if (c == '\\' && i + 1 < len &&
			    (line[i + 1] == quote || line[i + 1] == '\\'))
				word[n++] = line[++i];
			else if (c == quote)
				quote = 0;
			else
				word[n++] = c;
		} else if (c == '"' || c == '\'') {
			quote = c;
			in_word = quoted = true;
		} else if (c == '\\') {
			if (i + 1 == len) {
				t->status = CLI_TOK_CONTINUE;
				break;
			}
			word[n++] = line[++i];
			in_word = quoted = true;
		} else if (is_blank(c) || c == '|') {
			if (in_word && !push(t, word, n, quoted, &cap))
				goto nomem;
			n = 0;
			in_word = quoted = false;
			if (c == '|') {
				if (!push(t, "|", 1, false, &cap))
					goto nomem;
				if (t->pipe < 0)
					t->pipe = t->argc;
			}
		} else {
			word[n++] = c;
			in_word = true;
		}
	}
	if (quote) {
		t->status = CLI_TOK_OPEN_QUOTE;
		t->open_quote = quote;
	}
	if (in_word && !push(t, word, n, quoted, &cap))
		goto nomem;
	t->trailing_blank = !in_word && !quote && len > 0 && is_blank(line[len - 1]);
	free(word);
	return t->status;
nomem:
	free(word);
	cli_tokens_free(t);
	return t->status = CLI_TOK_NOMEM;
}

void cli_tokens_free(struct cli_tokens *t)
{
	for (int i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	free(t->quoted);
	t->argv = NULL;
	t->quoted = NULL;
	t->argc = 0;
}
