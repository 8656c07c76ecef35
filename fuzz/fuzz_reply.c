/* SPDX-License-Identifier: MIT */
/*
 * fuzz_reply.c - libFuzzer target for the SMTP reply parser and the EHLO
 * keyword reader (smtp/reply.c).
 *
 * Each input is the byte stream a server sends.  It goes through:
 *   1. the client's loop: parse a reply at the front, drop its bytes, parse
 *      again, until MORE, BAD or TOO_LONG.  Every DONE reply is checked
 *      against a plain line-by-line reading of RFC 5321 written here (the
 *      reference: same length, code, lines, text, enhanced code), parsed
 *      again on exactly its own bytes (same answer: nothing after it
 *      counts) and one byte short (MORE), and given to smtp_ehlo_parse.
 *      A final MORE must be a possible start of a reply; BAD and TOO_LONG
 *      must say why.
 *   2. the same stream fed as a client growing its buffer would (every
 *      line's end, then doubling sizes and a binary search for the byte
 *      where the answer changes), and in reads of pseudo-random sizes:
 *      both must see the same sequence of answers as step 1, each decided
 *      at the exact byte that settles it (the last byte of a DONE reply).
 *   3. smtp_ehlo_parse on the raw input taken as a reply's text (not
 *      NUL-terminated when it fills the buffer), so the keyword reader sees
 *      lines the parser would never let through.
 * Any violation prints what failed and aborts.  No state is kept between
 * inputs, so a crash file reproduces alone:
 *     build-fuzz/fuzz/fuzz_reply crash-<sha1>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz/fuzz.h"
#include "smtp/reply.h"

static void fail(const char *what, size_t at)
{
	fprintf(stderr, "fuzz_reply: %s (at byte %zu)\n", what, at);
	abort();
}

static uint64_t hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* ---- the reference: RFC 5321 §4.2 read line by line ---- */

/*
 * Checks the complete line s[0..len) (LF included) as line n of a reply
 * whose code is *code (set from line 1).  Returns -1 if it is not a valid
 * reply line, 0 for a continuation line, 1 for a last line; *t and *tn get its
 * text.
 */
static int ref_line(const char *s, size_t len, size_t n, int *code, const char **t, size_t *tn)
{
	size_t end = len - 1; /* the LF */
	int c = 0;

	if (len > SMTP_REPLY_MAX_LINE || n > SMTP_REPLY_MAX_LINES || memchr(s, '\0', len))
		return -1;
	if (end >= 1 && s[end - 1] == '\r' && end - 1 >= 3)
		end--;
	if (end < 3)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		c = c * 10 + (s[i] - '0');
	}
	if (n == 1 && (c < 200 || c > 599))
		return -1;
	if (n > 1 && c != *code)
		return -1;
	*code = c;
	*t = s + (end > 3 ? 4 : 3);
	*tn = end > 3 ? end - 4 : 0;
	if (end == 3)
		return 1;
	if (s[3] == '-')
		return 0;
	return s[3] == ' ' ? 1 : -1;
}

struct ref {
	size_t used; /* 0: the front of the input is no complete valid reply */
	int code;
	size_t lines;
	char enhanced[16];
	char text[sizeof((struct smtp_reply *)0)->text];
};

/* RFC 3463 class.subject.detail at the start of t[0..n), in another way
 * than reply.c: on a NUL-terminated copy with strspn. */
static void ref_enhanced(struct ref *ref, const char *t, size_t n)
{
	char s[SMTP_REPLY_MAX_LINE + 1];
	size_t a, b;

	memcpy(s, t, n);
	s[n] = '\0';
	ref->enhanced[0] = '\0';
	if (!strchr("245", ref->code / 100 + '0') || s[0] != ref->code / 100 + '0' || s[1] != '.')
		return;
	a = strspn(s + 2, "0123456789");
	if (a < 1 || a > 3 || s[2 + a] != '.')
		return;
	b = strspn(s + 3 + a, "0123456789");
	if (b < 1 || b > 3 || (s[3 + a + b] != ' ' && s[3 + a + b] != '\0'))
		return;
	memcpy(ref->enhanced, s, 3 + a + b);
	ref->enhanced[3 + a + b] = '\0';
}

static void ref_reply(const char *buf, size_t len, struct ref *ref)
{
	size_t pos = 0, tlen = 0;
	bool cut = false;

	memset(ref, 0, sizeof *ref);
	for (size_t n = 1;; n++) {
		const char *nl = memchr(buf + pos, '\n', len - pos), *t;
		size_t tn;
		int kind;

		if (!nl)
			return;
		size_t l = (size_t)(nl - (buf + pos)) + 1;
		if ((kind = ref_line(buf + pos, l, n, &ref->code, &t, &tn)) < 0)
			return;
		if (n == 1)
			ref_enhanced(ref, t, tn);
		if (!cut && tlen + (n > 1) + tn < sizeof ref->text) {
			if (n > 1)
				ref->text[tlen++] = '\n';
			memcpy(ref->text + tlen, t, tn);
			tlen += tn;
		} else {
			cut = true;
		}
		pos += l;
		if (kind == 1) {
			ref->used = pos;
			ref->lines = n;
			return;
		}
	}
}

/* Could buf[0..len) still become a reply?  The complete lines are valid
 * continuation lines, fewer than the limit, and the partial last line is
 * short, free of NUL, and starts with digits. */
static bool ref_may_continue(const char *buf, size_t len)
{
	size_t pos = 0, n = 1, tn;
	int code = 0;
	const char *nl, *t;

	for (; (nl = memchr(buf + pos, '\n', len - pos)); n++) {
		size_t l = (size_t)(nl - (buf + pos)) + 1;
		if (ref_line(buf + pos, l, n, &code, &t, &tn) != 0)
			return false;
		pos += l;
	}
	size_t k = len - pos;
	if (n > SMTP_REPLY_MAX_LINES || k >= SMTP_REPLY_MAX_LINE || memchr(buf + pos, '\0', k))
		return false;
	for (size_t i = 0; i < k && i < 3; i++)
		if (buf[pos + i] < '0' || buf[pos + i] > '9')
			return false;
	return true;
}

/* ---- EHLO ---- */

/* A list is words of printable non-blank ASCII, single spaces between,
 * each once (case-insensitively), and terminated inside its buffer. */
static void check_list(const char *s, size_t size, const char *what)
{
	if (!terminated(s, size))
		fail(what, 0);
	size_t len = strlen(s);
	if (len && (s[0] == ' ' || s[len - 1] == ' ' || strstr(s, "  ")))
		fail("an EHLO list has a stray space", 0);
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' && s[i] != ' ')
			fail("an EHLO list holds a control or 8-bit byte", i);
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, " ");
		for (const char *q = p + n + (p[n] == ' '); *q;) {
			size_t m = strcspn(q, " ");
			if (m == n && strncasecmp(p, q, n) == 0)
				fail("an EHLO list names a word twice", (size_t)(q - s));
			q += m + (q[m] == ' ');
		}
		p += n + (p[n] == ' ');
	}
}

static void check_ehlo(const struct smtp_reply *r)
{
	struct smtp_ehlo e;

	memset(&e, 0xA5, sizeof e);
	smtp_ehlo_parse(r, &e);
	check_list(e.keywords, sizeof e.keywords, "EHLO keywords not NUL-terminated");
	check_list(e.mech_names, sizeof e.mech_names, "EHLO mech_names not NUL-terminated");
	if (e.mechs & ~(unsigned)(SMTP_MECH_PLAIN | SMTP_MECH_LOGIN | SMTP_MECH_CRAM_MD5 |
				  SMTP_MECH_EXTERNAL))
		fail("EHLO mechs has an unknown bit", 0);
	if (r->code != 250 &&
	    (e.starttls || e.pipelining || e.eightbitmime || e.smtputf8 || e.enhancedstatuscodes ||
	     e.size || e.mechs || e.keywords[0] || e.mech_names[0]))
		fail("a reply other than 250 offered EHLO extensions", 0);
	if (e.mechs && !e.mech_names[0])
		fail("EHLO mechs set but no mechanism named", 0);
	if (e.starttls && !memchr(r->text, '\n', strnlen(r->text, sizeof r->text)))
		fail("STARTTLS read from a one-line reply", 0);
}

/* ---- the parser's answers ---- */

/* One answer, small enough to keep a list of. */
struct answer {
	enum smtp_reply_status st;
	size_t used, lines;
	int code;
	char enhanced[16];
	uint64_t text;
};

static void answer_of(struct answer *a, enum smtp_reply_status st, size_t used,
		      const struct smtp_reply *r)
{
	memset(a, 0, sizeof *a);
	a->st = st;
	a->used = used;
	a->lines = r->lines;
	a->code = r->code;
	memcpy(a->enhanced, r->enhanced, sizeof a->enhanced);
	a->text = hash(r->text, strlen(r->text));
}

static bool same_answer(const struct answer *a, const struct answer *b)
{
	return a->st == b->st && a->used == b->used && a->lines == b->lines && a->code == b->code &&
	       strcmp(a->enhanced, b->enhanced) == 0 && a->text == b->text;
}

/* The invariants of any one call on buf[0..len). */
static enum smtp_reply_status parse(const char *buf, size_t len, struct smtp_reply *r, size_t *used)
{
	memset(r, 0xA5, sizeof *r); /* no field may be left unset */
	*used = (size_t)-1;
	enum smtp_reply_status st = smtp_reply_parse(buf, len, r, used);

	if (!terminated(r->text, sizeof r->text) || !terminated(r->enhanced, sizeof r->enhanced))
		fail("a string in the reply is not NUL-terminated", len);
	if (*used > len)
		fail("used > len", len);
	switch (st) {
	case SMTP_REPLY_DONE:
		if (*used == 0 || buf[*used - 1] != '\n')
			fail("a DONE reply does not end with its LF", *used);
		if (r->code < 200 || r->code > 599 || r->code / 100 != buf[0] - '0')
			fail("a DONE reply's code is out of range or not its first digits", 0);
		if (r->lines < 1 || r->lines > SMTP_REPLY_MAX_LINES ||
		    *used > r->lines * (size_t)SMTP_REPLY_MAX_LINE)
			fail("a DONE reply has too many lines or bytes", *used);
		break;
	case SMTP_REPLY_MORE:
		if (*used != 0 || r->code != 0 || r->lines != 0 || r->text[0] || r->enhanced[0])
			fail("MORE consumed bytes or left a reply", len);
		if (!ref_may_continue(buf, len))
			fail("MORE for bytes that cannot start a reply", len);
		break;
	case SMTP_REPLY_BAD:
	case SMTP_REPLY_TOO_LONG:
		if (*used != 0 || r->code != 0 || !r->text[0])
			fail("BAD/TOO_LONG consumed bytes, kept a code or gave no reason", len);
		if (len == 0)
			fail("an empty buffer is not MORE", 0);
		break;
	default:
		fail("unknown status", len);
	}
	return st;
}

/* The DONE reply r at buf[0..used) against the reference and itself. */
static void check_done(const char *buf, size_t used, const struct smtp_reply *r)
{
	static struct ref ref;
	static struct smtp_reply again;
	size_t used2;

	ref_reply(buf, used, &ref);
	if (ref.used != used || ref.code != r->code || ref.lines != r->lines)
		fail("DONE disagrees with the reference reading (length, code or lines)", used);
	if (strcmp(ref.text, r->text) != 0)
		fail("DONE text differs from the reference reading", used);
	if (strcmp(ref.enhanced, r->enhanced) != 0)
		fail("DONE enhanced code differs from the reference reading", used);
	if (parse(buf, used, &again, &used2) != SMTP_REPLY_DONE || used2 != used ||
	    memcmp(&again, r, sizeof again) != 0)
		fail("the reply alone parses differently", used);
	if (parse(buf, used - 1, &again, &used2) != SMTP_REPLY_MORE)
		fail("a DONE reply less its last byte is not MORE", used - 1);
	check_ehlo(r);
}

/* Step 1: the client's loop on the whole stream.  Returns the number of
 * answers put in out[] (the last one is not DONE). */
static size_t whole_stream(const char *data, size_t size, struct answer *out)
{
	static struct smtp_reply r;
	static struct ref ref;
	size_t pos = 0, n = 0, used;
	enum smtp_reply_status st;

	for (;;) {
		st = parse(data + pos, size - pos, &r, &used);
		answer_of(&out[n++], st, used, &r);
		ref_reply(data + pos, size - pos, &ref);
		if (st != SMTP_REPLY_DONE) {
			if (ref.used)
				fail("a valid reply was not DONE", pos);
			return n;
		}
		check_done(data + pos, used, &r);
		pos += used;
	}
}

/* The answer on buf[0..len) as one struct. */
static void answer_at(const char *buf, size_t len, struct answer *a)
{
	static struct smtp_reply r;
	size_t used;
	enum smtp_reply_status st = parse(buf, len, &r, &used);
	answer_of(a, st, used, &r);
}

/*
 * Step 2a: a client growing its buffer.  From each reply's start: the
 * prefixes that end its first and its last line before the answer (where
 * a reply could end) must be MORE; prefixes of 1, 2, 4, ... bytes find where the answer stops being
 * MORE, a binary search the byte that decided it, and the answer there must
 * be the whole stream's.  (Every byte's prefix, as this once did, cost
 * ~300 parses per reply and kept the target under 1000 inputs/s; the
 * answer can only change at a line's end or at a byte that makes the
 * reply BAD, which the search finds.)
 */
static void grow(const char *data, size_t size, const struct answer *want, size_t nwant)
{
	size_t start = 0, k = 0;
	struct answer a;

	for (size_t i = 0; i < nwant; i++) {
		size_t lo = 0; /* a MORE prefix length (0 is MORE) */
		for (k = 1;; k *= 2) {
			if (k > size - start)
				k = size - start;
			answer_at(data + start, k, &a);
			if (a.st != SMTP_REPLY_MORE || k == size - start)
				break;
			lo = k;
		}
		if (a.st == SMTP_REPLY_MORE) {
			if (want[i].st != SMTP_REPLY_MORE || i + 1 != nwant)
				fail("growing the buffer: MORE where the stream gave an answer",
				     start);
			return;
		}
		/* first non-MORE length in (lo, k] */
		while (k - lo > 1) {
			size_t mid = lo + (k - lo) / 2;
			struct answer m;
			answer_at(data + start, mid, &m);
			if (m.st == SMTP_REPLY_MORE) {
				lo = mid;
			} else {
				k = mid;
				a = m;
			}
		}
		if (!same_answer(&a, &want[i]))
			fail("growing the buffer gives another answer than the whole stream",
			     start + k);
		if (a.st == SMTP_REPLY_DONE && k != a.used)
			fail("a DONE reply was not known at its last byte", start + k);
		/* The first and the last line that end before the deciding byte
		 * leave it MORE (every line's end would make this quadratic in
		 * the reply's lines). */
		const char *first = memchr(data + start, '\n', k - 1);
		const char *last = first ? memrchr(data + start, '\n', k - 1) : NULL;
		for (const char *lf = first; lf; lf = lf == last ? NULL : last) {
			struct answer m;
			answer_at(data + start, (size_t)(lf + 1 - (data + start)), &m);
			if (m.st != SMTP_REPLY_MORE)
				fail("a line's end before the answer is not MORE",
				     (size_t)(lf + 1 - data));
		}
		if (a.st != SMTP_REPLY_DONE)
			return;
		start += a.used;
	}
}

/* Step 2b: a client reading chunks of pseudo-random sizes (seeded by the
 * input, so a crash reproduces) into its buffer and parsing after each. */
static void chunked(const char *data, size_t size, const struct answer *want, size_t nwant)
{
	static struct smtp_reply r;
	uint64_t seed = hash(data, size) | 1;
	size_t start = 0, have = 0, i = 0, used;

	for (;;) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		/* Mostly reads of up to a few lines, now and then a few bytes: a
		 * parse after every few bytes of a long stream would make this
		 * step quadratic (step 2a covers the exact boundaries). */
		size_t chunk = seed % 4 == 0 ? 1 + seed % 24 : 1 + seed % 2048;
		have = have + chunk > size ? size : have + chunk;
		for (;;) {
			enum smtp_reply_status st = parse(data + start, have - start, &r, &used);
			struct answer a;
			if (st == SMTP_REPLY_MORE && have < size)
				break; /* read more */
			answer_of(&a, st, used, &r);
			if (i >= nwant || !same_answer(&a, &want[i]))
				fail("chunked reads give another answer than the whole stream",
				     have);
			i++;
			if (st != SMTP_REPLY_DONE) {
				if (i != nwant)
					fail("chunked reads stopped early", have);
				return;
			}
			start += used;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_reply raw;
	const char *buf = (const char *)data;
	/* every answer but the last uses at least 4 bytes ("250\n") */
	struct answer *want = malloc((size / 4 + 2) * sizeof *want);

	if (!want)
		return 0;
	size_t n = whole_stream(buf, size, want);
	grow(buf, size, want, n);
	chunked(buf, size, want, n);
	free(want);

	/* Step 3: the raw input as a 250 reply's text, NUL-terminated only
	 * if it is shorter than the buffer. */
	memset(&raw, 0, sizeof raw);
	raw.code = 250;
	raw.lines = 1;
	memcpy(raw.text, data, size < sizeof raw.text ? size : sizeof raw.text);
	check_ehlo(&raw);
	return 0;
}
