/* SPDX-License-Identifier: MIT */
/* test_output.c - line cutting, `| grep` and the `--More--` pager. */
#include "cli/output.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* A sink in memory; the text is valid after cli_out_finish (which flushes). */
struct sink {
	FILE *f;
	char *buf;
	size_t len;
	struct cli_out *out;
};

static void sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	s->out = s->f ? cli_out_new(s->f) : NULL;
	if (!s->out) {
		perror("sink_open");
		exit(2);
	}
}

static void sink_close(struct sink *s)
{
	cli_out_free(s->out);
	fclose(s->f);
	free(s->buf);
}

/* Splits a copy of words on spaces into argv; returns argc. */
static int split(char *words, char *argv[], int max)
{
	int argc = 0;

	for (char *w = strtok(words, " "); w && argc < max; w = strtok(NULL, " "))
		argv[argc++] = w;
	return argc;
}

static char result[1 << 16];

/* Runs input through `| grep ARGS`; returns what reached the sink. */
static const char *grep_run(const char *args, const char *input)
{
	char words[256], err[256] = "", *argv[16];
	struct sink s;
	int argc;

	snprintf(words, sizeof words, "%s", args);
	argc = split(words, argv, 16);
	sink_open(&s);
	if (cli_out_set_grep(s.out, argc, argv, err, sizeof err) != 0) {
		fprintf(stderr, "grep %s: unexpected error: %s\n", args, err);
		snprintf(result, sizeof result, "ERROR");
	} else {
		cli_out_write(s.out, input, strlen(input));
		cli_out_finish(s.out);
		snprintf(result, sizeof result, "%.*s", (int)s.len, s.buf);
	}
	sink_close(&s);
	return result;
}

/* Returns the error message for `| grep ARGS`, or "OK". */
static const char *grep_err(int argc, char *const argv[])
{
	struct sink s;

	sink_open(&s);
	if (cli_out_set_grep(s.out, argc, argv, result, sizeof result) == 0)
		snprintf(result, sizeof result, "OK");
	sink_close(&s);
	return result;
}

static const char numbers[] = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";

static const char show[] = "config system interface\n"
			   "    edit \"port1\"\n"
			   "        set vdom \"root\"\n"
			   "        set ip 192.168.1.99 255.255.255.0\n"
			   "        set allowaccess ping https ssh\n"
			   "        set type physical\n"
			   "    next\n"
			   "    edit \"port2\"\n"
			   "        set vdom \"root\"\n"
			   "        set ip 10.0.0.1 255.255.255.0\n"
			   "        set type physical\n"
			   "    next\n"
			   "    edit \"port3\"\n"
			   "        set vdom \"root\"\n"
			   "        set allowaccess ping\n"
			   "        set type physical\n"
			   "    next\n"
			   "end\n"
			   "config system dns\n"
			   "    set primary 8.8.8.8\n"
			   "end\n"
			   "config vpn ipsec phase1-interface\n"
			   "    edit \"vpn1\"\n"
			   "        set interface \"port1\"\n"
			   "        config ipv4-exclude-range\n"
			   "            edit 1\n"
			   "                set start-ip 10.1.1.1\n"
			   "            next\n"
			   "        end\n"
			   "        set psksecret ENC c2VjcmV0\n"
			   "    next\n"
			   "end\n";

static void test_plain(void)
{
	struct sink s;

	sink_open(&s);
	cli_out_write(s.out, "ab", 2);
	cli_out_write(s.out, "c\nde", 4);
	cli_out_printf(s.out, "f %d\n", 42);
	cli_out_write(s.out, "partial", 7);
	cli_out_finish(s.out);
	CHECK(s.len == strlen("abc\ndef 42\npartial\n"));
	CHECK_STR(s.buf, "abc\ndef 42\npartial\n");

	/* Embedded NUL bytes are part of the line. */
	cli_out_write(s.out, "x\0y\nz\0", 6);
	cli_out_finish(s.out);
	CHECK(s.len == 26 && memcmp(s.buf + 19, "x\0y\nz\0\n", 7) == 0);

	/* A long printf goes through the heap path. */
	char big[2000];
	memset(big, 'p', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cli_out_printf(s.out, "%s!\n", big);
	cli_out_finish(s.out);
	CHECK(s.len == 26 + 2001 && s.buf[26] == 'p' && s.buf[s.len - 2] == '!');
	sink_close(&s);
}

static void test_grep_basic(void)
{
	CHECK_STR(grep_run("e", "one\ntwo\nthree\n"), "one\nthree\n");
	CHECK_STR(grep_run("^t", numbers), "two\nthree\nten\n");
	CHECK_STR(grep_run("-v e", numbers), "two\nfour\nsix\n");
	CHECK_STR(grep_run("TWO", numbers), "");
	CHECK_STR(grep_run("-i TWO", numbers), "two\n");
	CHECK_STR(grep_run("-n e", "one\ntwo\nthree\n"), "1:one\n3:three\n");
	CHECK_STR(grep_run("-in T", numbers), "2:two\n3:three\n8:eight\n10:ten\n");
	CHECK_STR(grep_run("-vn e", numbers), "2:two\n4:four\n6:six\n");
	CHECK_STR(grep_run("-- -x", "a-x\n-y\n-x\n"), "a-x\n-x\n");
	/* A basic RE: | and + are ordinary characters, \( \) groups. */
	CHECK_STR(grep_run("a|b", "a\na|b\nb\n"), "a|b\n");
	CHECK_STR(grep_run("o+", "oo\no+\n"), "o+\n");
	CHECK_STR(grep_run("^\\(ab\\)*c$", "ababc\nabac\nc\n"), "ababc\nc\n");
	/* A pending partial line is filtered too. */
	CHECK_STR(grep_run("tail", "head\ntail"), "tail\n");
}

static void test_grep_count(void)
{
	CHECK_STR(grep_run("-c e", numbers), "7\n");
	CHECK_STR(grep_run("-vc e", numbers), "3\n");
	CHECK_STR(grep_run("-c zzz", numbers), "0\n");
	CHECK_STR(grep_run("-cin -A2 T", numbers), "4\n");
	CHECK_STR(grep_run("-c x", ""), "0\n");
}

static void test_grep_context(void)
{
	CHECK_STR(grep_run("-A1 ^t", numbers), "two\nthree\nfour\n--\nten\n");
	CHECK_STR(grep_run("-A 1 five", numbers), "five\nsix\n");
	CHECK_STR(grep_run("-B2 ^f", numbers), "two\nthree\nfour\nfive\n");
	CHECK_STR(grep_run("-B1 ^s", numbers), "five\nsix\nseven\n");
	CHECK_STR(grep_run("-C1 -n ^t", numbers),
		  "1-one\n2:two\n3:three\n4-four\n--\n9-nine\n10:ten\n");
	CHECK_STR(grep_run("-nC 1 six", numbers), "5-five\n6:six\n7-seven\n");
	CHECK_STR(grep_run("-B1 -A0 -n ^t", numbers),
		  "1-one\n2:two\n3:three\n--\n9-nine\n10:ten\n");
	/* -A0 still separates groups, as in GNU grep. */
	CHECK_STR(grep_run("-A0 ^t", numbers), "two\nthree\n--\nten\n");
	/* -A/-B win over -C in either order. */
	CHECK_STR(grep_run("-A0 -C2 six", numbers), "four\nfive\nsix\n");
	CHECK_STR(grep_run("-vA1 e", numbers), "two\nthree\nfour\nfive\nsix\nseven\n");
	CHECK_STR(grep_run("-C100000 six", "six\n"), "six\n");
}

static void test_grep_config(void)
{
	CHECK_STR(grep_run("-f allowaccess", show), "config system interface\n"
						    "    edit \"port1\"\n"
						    "        set allowaccess ping https ssh <---\n"
						    "    next\n"
						    "    edit \"port3\"\n"
						    "        set allowaccess ping <---\n"
						    "    next\n"
						    "end\n");
	CHECK_STR(grep_run("-f start-ip", show), "config vpn ipsec phase1-interface\n"
						 "    edit \"vpn1\"\n"
						 "        config ipv4-exclude-range\n"
						 "            edit 1\n"
						 "                set start-ip 10.1.1.1 <---\n"
						 "            next\n"
						 "        end\n"
						 "    next\n"
						 "end\n");
	/* Matches on context lines themselves, in two different blocks. */
	CHECK_STR(grep_run("-f port2\\|dns", show), "config system interface\n"
						    "    edit \"port2\" <---\n"
						    "    next\n"
						    "end\n"
						    "config system dns <---\n"
						    "end\n");
	/* The -B lines include "edit": it is printed once. */
	CHECK_STR(grep_run("-fB2 set.ip", show), "config system interface\n"
						 "    edit \"port1\"\n"
						 "        set vdom \"root\"\n"
						 "        set ip 192.168.1.99 255.255.255.0 <---\n"
						 "    next\n"
						 "    edit \"port2\"\n"
						 "        set vdom \"root\"\n"
						 "        set ip 10.0.0.1 255.255.255.0 <---\n"
						 "    next\n"
						 "end\n");
	CHECK_STR(grep_run("-fn -A1 8.8.8.8", show),
		  "19-config system dns\n20:    set primary 8.8.8.8 <---\n21-end\n");
	CHECK_STR(grep_run("-fi PSKSECRET", show), "config vpn ipsec phase1-interface\n"
						   "    edit \"vpn1\"\n"
						   "        set psksecret ENC c2VjcmV0 <---\n"
						   "    next\n"
						   "end\n");
	CHECK_STR(grep_run("-fc set", show), "14\n");
	/* Lines outside any config block are printed alone. */
	CHECK_STR(grep_run("-f x", "#config-version=x\nconfig a\nend\n"),
		  "#config-version=x <---\n");
	CHECK_STR(grep_run("-f nomatch", show), "");
}

static void test_grep_errors(void)
{
	char *none[] = {NULL};
	char *only_i[] = {"-i", NULL};
	char *bad_opt[] = {"-ix", "p", NULL};
	char *bad_a[] = {"-A", "x", "p", NULL};
	char *bad_a2[] = {"-A-1", "p", NULL};
	char *bad_b[] = {"-B100001", "p", NULL};
	char *bad_c[] = {"-C", "", "p", NULL};
	char *no_arg[] = {"-A", NULL};
	char *too_many[] = {"a", "b", NULL};
	char *bad_re[] = {"\\(", NULL};
	char *ok_max[] = {"-A100000", "-B", "0", "p", NULL};
	char *dashdash[] = {"--", NULL};

	CHECK_STR(grep_err(0, none), "grep: missing pattern");
	CHECK_STR(grep_err(1, only_i), "grep: missing pattern");
	CHECK_STR(grep_err(1, dashdash), "grep: missing pattern");
	CHECK_STR(grep_err(2, bad_opt), "grep: invalid option -- 'x'");
	CHECK_STR(grep_err(3, bad_a), "grep: invalid context length argument 'x'");
	CHECK_STR(grep_err(2, bad_a2), "grep: invalid context length argument '-1'");
	CHECK_STR(grep_err(2, bad_b), "grep: invalid context length argument '100001'");
	CHECK_STR(grep_err(3, bad_c), "grep: invalid context length argument ''");
	CHECK_STR(grep_err(1, no_arg), "grep: option requires an argument -- 'A'");
	CHECK_STR(grep_err(2, too_many), "grep: too many arguments");
	CHECK_STR(grep_err(4, ok_max), "OK");

	regex_t re;
	char want[256], msg[128];
	int rc = regcomp(&re, "\\(", 0);
	regerror(rc, &re, msg, sizeof msg);
	snprintf(want, sizeof want, "grep: bad pattern '\\(': %s", msg);
	CHECK(rc != 0);
	CHECK_STR(grep_err(1, bad_re), want);

	/* A failed `| grep` leaves the previous filter in place. */
	struct sink s;
	char *good[] = {"b", NULL};
	char err[128] = "";
	sink_open(&s);
	CHECK(cli_out_set_grep(s.out, 1, good, err, sizeof err) == 0);
	CHECK(cli_out_set_grep(s.out, 1, bad_re, err, sizeof err) == -1);
	cli_out_write(s.out, "a\nb\n", 4);
	cli_out_finish(s.out);
	CHECK_STR(s.buf, "b\n");
	sink_close(&s);
}

static void test_grep_usage(void)
{
	static const char usage[] = "Usage: grep [-invfcABC] PATTERN\n"
				    "Options:\n"
				    "\t-i      Ignore case distinctions\n"
				    "\t-n      Print line number with output lines\n"
				    "\t-v      Select non-matching lines\n"
				    "\t-f      Print fortinet config context\n"
				    "\t-c      Only print count of matching lines\n"
				    "\t-A      Print NUM lines of trailing context\n"
				    "\t-B      Print NUM lines of leading context\n"
				    "\t-C      Print NUM lines of output context\n";

	CHECK_STR(grep_run("-h", show), usage);
	CHECK_STR(grep_run("-h", ""), usage);
}

/* Consecutive commands through one cli_out start clean. */
static void test_reuse(void)
{
	struct sink s;
	char *args[] = {"-n", "b", NULL};

	sink_open(&s);
	CHECK(cli_out_set_grep(s.out, 2, args, result, sizeof result) == 0);
	cli_out_write(s.out, "a\nb\nc", 5);
	cli_out_finish(s.out);
	CHECK(cli_out_set_grep(s.out, 2, args, result, sizeof result) == 0);
	cli_out_write(s.out, "b\n", 2);
	cli_out_finish(s.out);
	cli_out_write(s.out, "c\n", 2);
	cli_out_finish(s.out);
	CHECK_STR(s.buf, "2:b\n1:b\nc\n");
	sink_close(&s);
}

static void test_long_lines(void)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 2);
	struct sink s;
	char *args[] = {"END$", NULL};

	memset(big, 'x', n);
	memcpy(big + n - 3, "END\n", 4);
	big[n + 1] = '\0';
	sink_open(&s);
	/* Written in odd-sized pieces, so the line grows in the buffer. */
	CHECK(cli_out_set_grep(s.out, 1, args, result, sizeof result) == 0);
	for (size_t off = 0; off < n + 1; off += 4099)
		cli_out_write(s.out, big + off, off + 4099 > n + 1 ? n + 1 - off : 4099);
	cli_out_write(s.out, "short\n", 6);
	cli_out_finish(s.out);
	CHECK(s.len == n + 1 && memcmp(s.buf, big, n + 1) == 0);

	/* In one piece, unfiltered, with no newline. */
	cli_out_write(s.out, big, n);
	cli_out_finish(s.out);
	CHECK(s.len == 2 * n + 2 && memcmp(s.buf + n + 1, big, n) == 0 && s.buf[s.len - 1] == '\n');
	sink_close(&s);
	free(big);
}

/* Bytes waiting on fd (non-blocking), as a string. */
static const char *drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (len + 1 < size && poll(&p, 1, 100) == 1) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_unbuffered(void)
{
	int fds[2];
	char buf[64];

	CHECK(pipe(fds) == 0);
	FILE *f = fdopen(fds[1], "w");
	struct cli_out *out = cli_out_new(f);

	cli_out_write(out, "held\n", 5);
	CHECK_STR(drain(fds[0], buf, sizeof buf), "");
	cli_out_set_unbuffered(out, true);
	cli_out_write(out, "now\npart", 8);
	CHECK_STR(drain(fds[0], buf, sizeof buf), "held\nnow\n");
	cli_out_finish(out);
	CHECK_STR(drain(fds[0], buf, sizeof buf), "part\n");
	cli_out_free(out);
	fclose(f);
	close(fds[0]);
}

static void test_pager(void)
{
	int master, slave;
	struct termios before, after;
	char tty[4096];
	struct sink s;

	if (openpty(&master, &slave, NULL, NULL, NULL) != 0) {
		fprintf(stderr, "test_pager: skipped, openpty: %s\n", strerror(errno));
		return;
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	tcgetattr(slave, &before);
	sink_open(&s);

	/* rows 3: pages of 2 lines.  'x' is ignored; space, Enter, then q. */
	CHECK(write(master, "x \rq", 4) == 4);
	cli_out_set_pager(s.out, slave, 3);
	for (int i = 1; i <= 10; i++)
		cli_out_printf(s.out, "L%d\n", i);
	CHECK(cli_out_quit(s.out));
	cli_out_write(s.out, "more\n", 5);
	cli_out_finish(s.out);
	CHECK(!cli_out_quit(s.out));
	CHECK_STR(s.buf, "L1\nL2\nL3\nL4\nL5\n");
	drain(master, tty, sizeof tty);
	CHECK(count(tty, "--More--") == 3);
	CHECK(count(tty, "--More--\r        \r") == 3);
	tcgetattr(slave, &after);
	CHECK(after.c_lflag == before.c_lflag &&
	      (after.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO));

	/* After finish the pager is off: nothing waits for a key. */
	for (int i = 1; i <= 5; i++)
		cli_out_printf(s.out, "M%d\n", i);
	cli_out_finish(s.out);
	CHECK(s.len == 15 + 15);
	CHECK_STR(drain(master, tty, sizeof tty), "");

	/* The pager counts the lines grep lets through; Q quits too. */
	char *args[] = {"-n", "^A", NULL};
	size_t mark = s.len;
	CHECK(write(master, "Q", 1) == 1);
	CHECK(cli_out_set_grep(s.out, 2, args, result, sizeof result) == 0);
	cli_out_set_pager(s.out, slave, 3);
	cli_out_printf(s.out, "A1\nB\nB\nA2\nB\nA3\nA4\n");
	cli_out_finish(s.out);
	CHECK_STR(s.buf + mark, "1:A1\n4:A2\n");
	CHECK(count(drain(master, tty, sizeof tty), "--More--") == 1);

	/* Output that fits on one page never prompts. */
	mark = s.len;
	cli_out_set_pager(s.out, slave, 3);
	cli_out_write(s.out, "a\nb\n", 4);
	cli_out_finish(s.out);
	CHECK_STR(s.buf + mark, "a\nb\n");
	CHECK_STR(drain(master, tty, sizeof tty), "");

	/* A hung-up terminal (read error or EOF) quits. */
	mark = s.len;
	close(master);
	cli_out_set_pager(s.out, slave, 2);
	cli_out_write(s.out, "a\nb\nc\n", 6);
	CHECK(cli_out_quit(s.out));
	cli_out_finish(s.out);
	CHECK_STR(s.buf + mark, "a\n");
	close(slave);
	sink_close(&s);
}

int main(void)
{
	test_plain();
	test_grep_basic();
	test_grep_count();
	test_grep_context();
	test_grep_config();
	test_grep_errors();
	test_grep_usage();
	test_reuse();
	test_long_lines();
	test_unbuffered();
	test_pager();
	return check_summary();
}
