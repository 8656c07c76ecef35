/* SPDX-License-Identifier: MIT */
/* test_tokenize.c - cli_tokenize: blanks, quotes, escapes, `|`, `?`, continuation. */
#include "cli/tokenize.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static char words_buf[1 << 12], quoted_buf[256];

/* The words as "[w1][w2]..." so that one CHECK_STR shows them all. */
static const char *words(const struct cli_tokens *t)
{
	size_t off = 0;
	words_buf[0] = '\0';
	for (int i = 0; i < t->argc && off < sizeof words_buf; i++)
		off += snprintf(words_buf + off, sizeof words_buf - off, "[%s]", t->argv[i]);
	return words_buf;
}

/* The quoted flags as "0110". */
static const char *quoted(const struct cli_tokens *t)
{
	int i;
	for (i = 0; i < t->argc && i < (int)sizeof quoted_buf - 1; i++)
		quoted_buf[i] = t->quoted[i] ? '1' : '0';
	quoted_buf[i] = '\0';
	return quoted_buf;
}

/* Tokenizes a C string and checks status, words, help and trailing_blank. */
static void expect(const char *line, enum cli_tok_status st, const char *w, bool help,
		   bool trailing_blank)
{
	struct cli_tokens t;
	enum cli_tok_status got = cli_tokenize(line, strlen(line), &t);
	if (got != st || t.status != st || strcmp(words(&t), w) != 0 || t.help != help ||
	    t.trailing_blank != trailing_blank)
		fprintf(stderr, "line [%s]: status %d words %s help %d trailing_blank %d\n", line,
			t.status, words(&t), t.help, t.trailing_blank);
	CHECK(got == st);
	CHECK(t.status == st);
	CHECK_STR(words(&t), w);
	CHECK(t.help == help);
	CHECK(t.trailing_blank == trailing_blank);
	/* argv is NULL-terminated like main's. */
	CHECK(t.argc == 0 || t.argv[t.argc] == NULL);
	cli_tokens_free(&t);
}

static void test_blanks(void)
{
	expect("", CLI_TOK_OK, "", false, false);
	expect("   ", CLI_TOK_OK, "", false, true);
	expect("get", CLI_TOK_OK, "[get]", false, false);
	expect("get system status", CLI_TOK_OK, "[get][system][status]", false, false);
	expect("  get   system\tstatus  ", CLI_TOK_OK, "[get][system][status]", false, true);
	expect("set ", CLI_TOK_OK, "[set]", false, true);
	expect("set\t", CLI_TOK_OK, "[set]", false, true);
	/* LF outside quotes separates words (a continued line). */
	expect("a\nb", CLI_TOK_OK, "[a][b]", false, false);
	/* CR is not a blank: a stray CR stays in its word, where validation
	 * refuses it as a control character instead of splitting the value. */
	expect("end\r", CLI_TOK_OK, "[end\r]", false, false);
	expect("set user a\rb", CLI_TOK_OK, "[set][user][a\rb]", false, false);
}

static void test_quotes(void)
{
	struct cli_tokens t;

	expect("set user \"a b\"", CLI_TOK_OK, "[set][user][a b]", false, false);
	expect("set user 'a b'", CLI_TOK_OK, "[set][user][a b]", false, false);
	expect("set user \"it's\"", CLI_TOK_OK, "[set][user][it's]", false, false);
	expect("set user 'say \"hi\"'", CLI_TOK_OK, "[set][user][say \"hi\"]", false, false);
	/* Quotes join with the text around them into one word, as in a shell. */
	expect("ab\"c d\"ef", CLI_TOK_OK, "[abc def]", false, false);
	expect("'a''b'", CLI_TOK_OK, "[ab]", false, false);
	/* An empty quoted word is a word (set user ""). */
	expect("set user \"\"", CLI_TOK_OK, "[set][user][]", false, false);
	expect("set user '' ", CLI_TOK_OK, "[set][user][]", false, true);
	expect("\"\"", CLI_TOK_OK, "[]", false, false);
	/* A quoted value may span lines: the newline is part of it. */
	expect("set cert \"-----BEGIN\nabc\n-----END\"", CLI_TOK_OK,
	       "[set][cert][-----BEGIN\nabc\n-----END]", false, false);
	/* Blanks and `|` inside quotes are text. */
	expect("\"a\tb|c\"", CLI_TOK_OK, "[a\tb|c]", false, false);

	cli_tokenize("set 'x' y \"\" z\\ w", 17, &t);
	CHECK_STR(words(&t), "[set][x][y][][z w]");
	CHECK_STR(quoted(&t), "01011");
	CHECK(t.pipe == -1);
	cli_tokens_free(&t);
}

static void test_escapes(void)
{
	/* Outside quotes a backslash escapes any character. */
	expect("set fromname Mr\\ Customer", CLI_TOK_OK, "[set][fromname][Mr Customer]", false,
	       false);
	expect("a\\\"b", CLI_TOK_OK, "[a\"b]", false, false);
	expect("a\\'b", CLI_TOK_OK, "[a'b]", false, false);
	expect("a\\\\b", CLI_TOK_OK, "[a\\b]", false, false);
	expect("a\\nb", CLI_TOK_OK, "[anb]", false, false);
	expect("a\\|b", CLI_TOK_OK, "[a|b]", false, false);
	/* An escaped blank alone is a word of one blank; the line does not end
	 * in a blank that separates. */
	expect("set x \\ ", CLI_TOK_OK, "[set][x][ ]", false, false);
	/* Inside quotes a backslash escapes only the quote and itself. */
	expect("\"a\\\"b\"", CLI_TOK_OK, "[a\"b]", false, false);
	expect("\"a\\\\b\"", CLI_TOK_OK, "[a\\b]", false, false);
	expect("\"a\\nb\"", CLI_TOK_OK, "[a\\nb]", false, false);
	expect("\"a\\'b\"", CLI_TOK_OK, "[a\\'b]", false, false);
	expect("'a\\'b'", CLI_TOK_OK, "[a'b]", false, false);
	expect("'a\\\"b'", CLI_TOK_OK, "[a\\\"b]", false, false);
	expect("'C:\\\\dir'", CLI_TOK_OK, "[C:\\dir]", false, false);
	/* An escaped backslash at the end is a character, not a continuation. */
	expect("a\\\\", CLI_TOK_OK, "[a\\]", false, false);
}

static void test_pipe(void)
{
	struct cli_tokens t;

	cli_tokenize("show | grep port", 16, &t);
	CHECK_STR(words(&t), "[show][|][grep][port]");
	CHECK(t.pipe == 2);
	CHECK_STR(quoted(&t), "0000");
	cli_tokens_free(&t);

	/* No blanks needed around it. */
	cli_tokenize("show|grep port", 14, &t);
	CHECK_STR(words(&t), "[show][|][grep][port]");
	CHECK(t.pipe == 2);
	cli_tokens_free(&t);

	/* Only the first `|` sets pipe; a later one is a word for grep to refuse. */
	cli_tokenize("get | grep a | grep b", 21, &t);
	CHECK_STR(words(&t), "[get][|][grep][a][|][grep][b]");
	CHECK(t.pipe == 2);
	cli_tokens_free(&t);

	/* A `|` at the end: pipe points past the last word. */
	cli_tokenize("show |", 6, &t);
	CHECK_STR(words(&t), "[show][|]");
	CHECK(t.pipe == 2);
	CHECK(t.argc == 2);
	cli_tokens_free(&t);

	/* Quoted or escaped, `|` is text. */
	const char *lines[] = {"show \"|\" x", "show '|' x", "show \\| x", "show a\\|b"};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		cli_tokenize(lines[i], strlen(lines[i]), &t);
		CHECK(t.status == CLI_TOK_OK);
		CHECK(t.pipe == -1);
		CHECK(t.argc == 3 || t.argc == 2);
		cli_tokens_free(&t);
	}

	/* The pattern after `|` keeps its quotes' meaning. */
	cli_tokenize("show | grep \"a b\"", 17, &t);
	CHECK_STR(words(&t), "[show][|][grep][a b]");
	CHECK_STR(quoted(&t), "0001");
	CHECK(t.pipe == 2);
	cli_tokens_free(&t);
}

static void test_help(void)
{
	struct cli_tokens t;

	expect("?", CLI_TOK_OK, "", true, false);
	expect("set ?", CLI_TOK_OK, "[set]", true, true);
	expect("set ser?", CLI_TOK_OK, "[set][ser]", true, false);
	expect("config system mail ?", CLI_TOK_OK, "[config][system][mail]", true, true);
	/* `?` in the middle of a word, or before other text, is a character. */
	expect("set user a?b", CLI_TOK_OK, "[set][user][a?b]", false, false);
	expect("set user ? x", CLI_TOK_OK, "[set][user][?][x]", false, false);
	/* Inside quotes, or escaped, a final `?` is a character. */
	expect("set user \"a?\"", CLI_TOK_OK, "[set][user][a?]", false, false);
	expect("set user 'a?'", CLI_TOK_OK, "[set][user][a?]", false, false);
	expect("set user \"?\"", CLI_TOK_OK, "[set][user][?]", false, false);
	expect("set user a\\?", CLI_TOK_OK, "[set][user][a?]", false, false);
	/* Inside a still open quote: a literal `?`, the quote stays open. */
	expect("set user \"abc?", CLI_TOK_OPEN_QUOTE, "[set][user][abc?]", false, false);
	/* After a closed quote the final `?` is help again. */
	expect("set user \"a b\"?", CLI_TOK_OK, "[set][user][a b]", true, false);
	expect("set user \"a b\" ?", CLI_TOK_OK, "[set][user][a b]", true, true);
	/* An escaped backslash before it does not escape the `?`. */
	expect("set user a\\\\?", CLI_TOK_OK, "[set][user][a\\]", true, false);
	/* Only the last `?` is help; an earlier one is text. */
	expect("set user ??", CLI_TOK_OK, "[set][user][?]", true, false);
	/* Help after a pipe. */
	cli_tokenize("show | grep ?", 13, &t);
	CHECK_STR(words(&t), "[show][|][grep]");
	CHECK(t.help);
	CHECK(t.pipe == 2);
	CHECK(t.trailing_blank);
	cli_tokens_free(&t);
}

static void test_continue_and_open_quote(void)
{
	struct cli_tokens t;

	expect("set user \\", CLI_TOK_CONTINUE, "[set][user]", false, false);
	expect("\\", CLI_TOK_CONTINUE, "", false, false);

	cli_tokenize("set user \"abc", 13, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '"');
	CHECK(!t.trailing_blank);
	cli_tokens_free(&t);

	cli_tokenize("set user 'abc", 13, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '\'');
	cli_tokens_free(&t);

	/* The other quote character inside does not close it. */
	cli_tokenize("set user 'it\"s", 14, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '\'');
	cli_tokens_free(&t);

	cli_tokenize("set user \"it's", 14, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '"');
	cli_tokens_free(&t);

	/* An escaped quote does not close; the quote is still open. */
	cli_tokenize("set user \"a\\\"", 13, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '"');
	cli_tokens_free(&t);

	/* A backslash at the end inside quotes is text: the quote is what is open. */
	cli_tokenize("set user \"a\\", 12, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(t.open_quote == '"');
	cli_tokens_free(&t);

	/* Just an open quote with blanks after it. */
	cli_tokenize("set user \"  ", 12, &t);
	CHECK(t.status == CLI_TOK_OPEN_QUOTE);
	CHECK(!t.trailing_blank);
	cli_tokens_free(&t);

	/* The continuation the callers build: the quote closed on line two. */
	expect("set user \"a\nb\"", CLI_TOK_OK, "[set][user][a\nb]", false, false);
}

static void test_nul(void)
{
	struct cli_tokens t;
	static const char a[] = "set user a\0b";
	static const char b[] = "\0";
	static const char c[] = "set user \"a\0b\"";

	CHECK(cli_tokenize(a, sizeof a - 1, &t) == CLI_TOK_NUL);
	CHECK(t.status == CLI_TOK_NUL);
	cli_tokens_free(&t);
	CHECK(cli_tokenize(b, 1, &t) == CLI_TOK_NUL);
	cli_tokens_free(&t);
	CHECK(cli_tokenize(c, sizeof c - 1, &t) == CLI_TOK_NUL);
	cli_tokens_free(&t);
	/* len bounds the line: a NUL after it is not part of it. */
	CHECK(cli_tokenize(a, 10, &t) == CLI_TOK_OK);
	CHECK_STR(words(&t), "[set][user][a]");
	cli_tokens_free(&t);
}

/* len, not strlen, bounds the input: the tokenizer reads no byte past it. */
static void test_length_bound(void)
{
	struct cli_tokens t;
	/* Exactly 6 bytes with no terminator after them: ASan sees any overread. */
	char *exact = malloc(6);
	memcpy(exact, "set ab", 6);
	CHECK(cli_tokenize(exact, 6, &t) == CLI_TOK_OK);
	CHECK_STR(words(&t), "[set][ab]");
	cli_tokens_free(&t);
	/* Ending in a backslash, an open quote and a `?`, all at the edge. */
	memcpy(exact, "set a\\", 6);
	CHECK(cli_tokenize(exact, 6, &t) == CLI_TOK_CONTINUE);
	cli_tokens_free(&t);
	memcpy(exact, "set \"a", 6);
	CHECK(cli_tokenize(exact, 6, &t) == CLI_TOK_OPEN_QUOTE);
	cli_tokens_free(&t);
	memcpy(exact, "set a?", 6);
	CHECK(cli_tokenize(exact, 6, &t) == CLI_TOK_OK);
	CHECK(t.help);
	CHECK_STR(words(&t), "[set][a]");
	cli_tokens_free(&t);
	free(exact);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_long(void)
{
	struct cli_tokens t;
	size_t n = 1 << 20;
	char *line = malloc(n + 16);

	/* One word of 1 MB. */
	memcpy(line, "set user ", 9);
	memset(line + 9, 'x', n);
	CHECK(cli_tokenize(line, n + 9, &t) == CLI_TOK_OK);
	CHECK(t.argc == 3);
	CHECK(t.argc == 3 && strlen(t.argv[2]) == n);
	cli_tokens_free(&t);

	/* Many words: tokenizing stays linear.  32768 words take about a
	 * millisecond (ten under ASan); growing argv one word at a time would
	 * be quadratic where realloc copies (ASan, musl): seconds here, and
	 * many minutes for a 1 MB line of words. */
	size_t m = 1 << 16;
	for (size_t i = 0; i < m; i += 2) {
		line[i] = 'a';
		line[i + 1] = ' ';
	}
	double t0 = now();
	CHECK(cli_tokenize(line, m, &t) == CLI_TOK_OK);
	double dt = now() - t0;
	CHECK(t.argc == (int)(m / 2));
	CHECK(t.trailing_blank);
	cli_tokens_free(&t);
	if (dt > 1.0)
		fprintf(stderr, "%zu words took %.1f s\n", m / 2, dt);
	CHECK(dt < 1.0);

	/* A line of pipes: every one a word, pipe at the first. */
	m /= 2;
	memset(line, '|', m);
	t0 = now();
	CHECK(cli_tokenize(line, m, &t) == CLI_TOK_OK);
	dt = now() - t0;
	CHECK(t.argc == (int)m);
	CHECK(t.pipe == 1);
	cli_tokens_free(&t);
	if (dt > 1.0)
		fprintf(stderr, "%zu pipes took %.1f s\n", m, dt);
	CHECK(dt < 1.0);

	/* A 1 MB quoted value that never closes. */
	line[0] = '"';
	memset(line + 1, 'q', n - 1);
	CHECK(cli_tokenize(line, n, &t) == CLI_TOK_OPEN_QUOTE);
	CHECK(t.argc == 1 && strlen(t.argv[0]) == n - 1);
	cli_tokens_free(&t);
	free(line);
}

/* Binary garbage: every byte value but NUL, once each, outside quotes. */
static void test_bytes(void)
{
	struct cli_tokens t;
	char line[255];
	for (int i = 0; i < 255; i++)
		line[i] = (char)(i + 1);
	/* No quote characters, so the line tokenizes; high bytes pass through. */
	for (int i = 0; i < 255; i++)
		if (line[i] == '"' || line[i] == '\'' || line[i] == '\\')
			line[i] = 'x';
	CHECK(cli_tokenize(line, sizeof line, &t) == CLI_TOK_OK);
	CHECK(t.argc > 0);
	bool high = false;
	for (int i = 0; i < t.argc; i++)
		high = high || strchr(t.argv[i], (char)0xff) != NULL;
	CHECK(high);
	cli_tokens_free(&t);
}

int main(void)
{
	test_blanks();
	test_quotes();
	test_escapes();
	test_pipe();
	test_help();
	test_continue_and_open_quote();
	test_nul();
	test_length_bound();
	test_long();
	test_bytes();
	return check_summary();
}
