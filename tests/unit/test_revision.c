/* SPDX-License-Identifier: MIT */
/*
 * test_revision.c - what a revision records (config/changes.c: encoding,
 * decoding in order and in reverse, malformed input refused) and the
 * unified diff (cli/diff.c), compared with GNU diff -U3 on hundreds of
 * random texts shaped like configurations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/diff.h"
#include "cli/output.h"
#include "config/changes.h"
#include "tests/unit/check.h"

/* ---- changes ------------------------------------------------------------- */

struct seen {
	char text[4096];
	size_t len;
};

static int collect(void *arg, const struct config_change *ch)
{
	struct seen *s = arg;
	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "[%s|%s|%s|%d%d|%lld",
				   ch->path, ch->key, ch->from, ch->existed, ch->exists, ch->row);
	for (size_t i = 0; i < ch->n; i++)
		s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "|%s:%s",
					   ch->attrs[i].attr,
					   ch->attrs[i].old ? ch->attrs[i].old : "(null)");
	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "]");
	return 0;
}

static void test_changes(void)
{
	struct config_changes c = {0};
	struct config_change_attr a1[] = {{"server", NULL}, {"port", "25"}};
	struct config_change_attr a2[] = {{"certificate", "-----BEGIN\n1:2\n-----END\n"}};
	struct config_change ch1 = {"system mail", "1", NULL, false, true, 7, 2, a1};
	struct config_change ch2 = {
		"system certificate ca", "c a", "old", true, false, 123456789012, 1, a2};
	config_changes_add(&c, &ch1);
	config_changes_add(&c, &ch2);
	CHECK(!c.failed);

	struct seen s = {0};
	CHECK(config_changes_each(c.buf, c.len, false, collect, &s) == 0);
	CHECK_STR(s.text,
		  "[system mail|1|1|01|7|server:(null)|port:25]"
		  "[system certificate ca|c a|old|10|123456789012|certificate:-----BEGIN\n1:2\n"
		  "-----END\n]");
	struct seen r = {0};
	CHECK(config_changes_each(c.buf, c.len, true, collect, &r) == 0);
	CHECK(strncmp(r.text, "[system certificate ca", 22) == 0);

	/* Every truncation of the encoding is refused, never read past (but
	 * the one that ends where the second record begins). */
	size_t first = (size_t)(memchr(c.buf + 1, 'E', c.len - 1) ? 0 : 0);
	for (size_t k = 1; k < c.len; k++)
		if (c.buf[k] == 'E' && strncmp(c.buf + k, "E21:system certificate ca", 25) == 0)
			first = k;
	CHECK(first > 0);
	for (size_t n = 1; n < c.len; n++) {
		if (n == first)
			continue;
		struct seen t = {0};
		char *cut = malloc(n);
		memcpy(cut, c.buf, n);
		int rc = config_changes_each(cut, n, false, collect, &t);
		CHECK(rc == -1);
		free(cut);
	}
	static const char *const bad[] = {"X",
					  "E-",
					  "E1:a1:b-1:3",
					  "E3:abc3:def-1:31:01:1",
					  "E99999999999:x",
					  "E1:a1:b-1:01:01:11:x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct seen t = {0};
		CHECK(config_changes_each(bad[i], strlen(bad[i]), false, collect, &t) == -1);
	}
	config_changes_free(&c);
}

/* ---- diff against GNU diff ------------------------------------------------ */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* Lines like a configuration's: few distinct ones, so matches are
 * ambiguous (the hard case), and some unique ones. */
static char *line(void)
{
	static const char *const common[] = {"    next",
					     "end",
					     "config system mail",
					     "    edit \"1\"",
					     "        set port 25",
					     "        set auth enable"};
	char buf[64];
	if (rnd(3))
		return strdup(common[rnd(6)]);
	snprintf(buf, sizeof buf, "        set server \"s%u.example.com\"", rnd(40));
	return strdup(buf);
}

static void write_lines(const char *path, char **v, size_t n)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; f && i < n; i++)
		fprintf(f, "%s\n", v[i]);
	if (f)
		fclose(f);
}

static void test_diff_vs_gnu(void)
{
	char dir[] = "/tmp/appsh-test-diff-XXXXXX", pa[64], pb[64], cmd[256];
	if (!mkdtemp(dir) || system("diff --version >/dev/null 2>&1") != 0) {
		printf("diff: GNU diff not available, skipped\n");
		return;
	}
	snprintf(pa, sizeof pa, "%s/a", dir);
	snprintf(pb, sizeof pb, "%s/b", dir);
	int same = 0;
	for (int round = 0; round < 300; round++) {
		size_t na = rnd(60), nb = 0;
		char *a[80], *b[160];
		for (size_t i = 0; i < na; i++)
			a[i] = line();
		/* b: a with random deletions, insertions and changes */
		for (size_t i = 0; i < na; i++) {
			unsigned op = rnd(10);
			if (op == 0)
				continue;
			if (op == 1)
				b[nb++] = line();
			if (op == 2)
				b[nb++] = line();
			else
				b[nb++] = strdup(a[i]);
		}
		while (rnd(4) == 0 && nb < 150)
			b[nb++] = line();
		write_lines(pa, a, na);
		write_lines(pb, b, nb);

		char *mine = NULL, *gnu = NULL;
		size_t mlen = 0, glen = 0;
		FILE *m = open_memstream(&mine, &mlen);
		struct cli_out *out = cli_out_new(m);
		long changed = cli_diff(out, "a", a, na, "b", b, nb, 3);
		cli_out_finish(out);
		cli_out_free(out);
		fclose(m);
		snprintf(cmd, sizeof cmd, "diff -U3 --label a --label b %s %s", pa, pb);
		FILE *p = popen(cmd, "r");
		FILE *g = open_memstream(&gnu, &glen);
		char buf[4096];
		size_t k;
		while (p && (k = fread(buf, 1, sizeof buf, p)) > 0)
			fwrite(buf, 1, k, g);
		if (p)
			pclose(p);
		fclose(g);
		CHECK(changed >= 0);
		/* Both are minimal: as many lines added and removed as GNU's.
		 * Where lines repeat, the two may still pair them differently:
		 * count how often the text is the very same. */
		size_t plus_m = 0, plus_g = 0, minus_m = 0, minus_g = 0;
		for (char *q = mine; q && (q = strstr(q, "\n+")); q++)
			plus_m++;
		for (char *q = gnu; q && (q = strstr(q, "\n+")); q++)
			plus_g++;
		for (char *q = mine; q && (q = strstr(q, "\n-")); q++)
			minus_m++;
		for (char *q = gnu; q && (q = strstr(q, "\n-")); q++)
			minus_g++;
		if (strcmp(mine ? mine : "", gnu ? gnu : "") == 0)
			same++;
		CHECK(plus_m == plus_g && minus_m == minus_g);
		/* ("+++ b" is one of the pluses; "--- a" starts the text.) */
		CHECK(*(mine ? mine : "") ? (long)(plus_m - 1 + minus_m) == changed : changed == 0);
		/* Applying our diff to a gives b: checked with GNU patch. */
		char patch[64];
		snprintf(patch, sizeof patch, "%s/p", dir);
		FILE *pf = fopen(patch, "w");
		if (pf) {
			fputs(mine ? mine : "", pf);
			fclose(pf);
		}
		snprintf(cmd, sizeof cmd,
			 "patch -s -o %s/c %s %s >/dev/null 2>&1 && cmp -s %s/c %s", dir, pa, patch,
			 dir, pb);
		CHECK(!*(mine ? mine : "") || system(cmd) == 0);
		free(mine);
		free(gnu);
		for (size_t i = 0; i < na; i++)
			free(a[i]);
		for (size_t i = 0; i < nb; i++)
			free(b[i]);
	}
	/* Most random cases (few distinct lines, the hardest) come out
	 * exactly as GNU's; real configurations do (tests/config). */
	printf("diff: %d of 300 identical to GNU diff -U3\n", same);
	CHECK(same >= 150);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_changes();
	test_diff_vs_gnu();
	return check_summary();
}
