/* SPDX-License-Identifier: MIT */
/* test_secret.c - the key file and AES-256-GCM secrets (store/secret.h). */
#include "store/secret.h"
#include "tests/unit/check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir_a[] = "/tmp/appsh-secret-a-XXXXXX";
static char dir_b[] = "/tmp/appsh-secret-b-XXXXXX";
static char dir_c[] = "/tmp/appsh-secret-c-XXXXXX";

/* Removes a flat directory and what is in it. */
static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static struct secret_key *open_key(const char *dir)
{
	struct secret_key *k = NULL;
	char err[512] = "";
	if (secret_key_open(dir, &k, err, sizeof err) != 0)
		fprintf(stderr, "secret_key_open %s: %s\n", dir, err);
	CHECK(k != NULL);
	return k;
}

/* Encrypts and decrypts under key; returns 1 when the round trip is exact. */
static int round_trip(const struct secret_key *enc, const struct secret_key *dec, const char *text)
{
	char err[512] = "";
	char *b64 = secret_encrypt(enc, text, err, sizeof err);
	if (!b64) {
		fprintf(stderr, "encrypt: %s\n", err);
		return 0;
	}
	char *plain = secret_decrypt(dec, b64, err, sizeof err);
	int same = plain && strcmp(plain, text) == 0;
	if (!same)
		fprintf(stderr, "round trip of [%s]: got [%s] %s\n", text, plain ? plain : "(null)",
			err);
	/* The ciphertext does not hold the text in clear (only for texts long
	 * enough not to turn up in random base64 by chance). */
	if (strlen(text) >= 6 && strstr(b64, text))
		same = 0;
	secret_free(plain);
	free(b64);
	return same;
}

/* Decrypting must fail with a message, and not crash. */
static void refused(const struct secret_key *k, const char *b64, const char *why)
{
	char err[512] = "";
	char *plain = secret_decrypt(k, b64, err, sizeof err);
	if (plain)
		fprintf(stderr, "decrypt of %s succeeded: [%s]\n", why, plain);
	CHECK(plain == NULL);
	if (!*err)
		fprintf(stderr, "decrypt of %s: no message\n", why);
	CHECK(*err != '\0');
	secret_free(plain);
}

static void test_key_file(void)
{
	char path[4096];
	struct stat st;
	struct secret_key *k1, *k2;

	/* Created 0600 even under a permissive umask. */
	mode_t old = umask(0);
	k1 = open_key(dir_a);
	umask(old);
	snprintf(path, sizeof path, "%s/secret.key", dir_a);
	CHECK(stat(path, &st) == 0);
	CHECK((st.st_mode & 07777) == 0600);
	CHECK(S_ISREG(st.st_mode));
	CHECK(st.st_size == 32);
	/* No temporary file left behind. */
	CHECK(count_entries(dir_a) == 1);

	/* Reopened, it is the same key both ways. */
	k2 = open_key(dir_a);
	CHECK(k1 && k2 && round_trip(k1, k2, "S3cr3t"));
	CHECK(k1 && k2 && round_trip(k2, k1, "S3cr3t"));
	/* Opening does not rewrite it. */
	struct stat st2;
	CHECK(stat(path, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == 32);
	secret_key_free(k2);
	secret_key_free(k1);
	secret_key_free(NULL);
}

static void test_bad_key_files(void)
{
	char path[4096], err[512];
	struct secret_key *k = (struct secret_key *)1;
	int fd;

	/* A directory that does not exist: an error, no key. */
	err[0] = '\0';
	CHECK(secret_key_open("/nonexistent/appsh/dir", &k, err, sizeof err) != 0);
	CHECK(k == NULL);
	CHECK(*err != '\0');

	/* A short key file is refused, not padded. */
	snprintf(path, sizeof path, "%s/secret.key", dir_c);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "0123456789012345678901234567890", 31) == 31);
	close(fd);
	k = (struct secret_key *)1;
	err[0] = '\0';
	CHECK(secret_key_open(dir_c, &k, err, sizeof err) != 0);
	CHECK(k == NULL);
	CHECK(strstr(err, "32") != NULL);

	/* An empty key file is refused too, and is not silently replaced. */
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	err[0] = '\0';
	CHECK(secret_key_open(dir_c, &k, err, sizeof err) != 0);
	CHECK(k == NULL && *err);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size == 0);

	/* A symlink in place of the key is not followed. */
	unlink(path);
	CHECK(symlink("/etc/hostname", path) == 0);
	err[0] = '\0';
	CHECK(secret_key_open(dir_c, &k, err, sizeof err) != 0);
	CHECK(k == NULL && *err);
	unlink(path);
}

static void test_encrypt(void)
{
	struct secret_key *ka = open_key(dir_a), *kb = open_key(dir_b);
	char err[512] = "";
	if (!ka || !kb)
		return;

	/* Two keys in two directories differ. */
	CHECK(round_trip(ka, ka, "abc"));
	CHECK(round_trip(kb, kb, "abc"));

	/* A random nonce: the same text twice gives two ciphertexts. */
	char *c1 = secret_encrypt(ka, "same text", err, sizeof err);
	char *c2 = secret_encrypt(ka, "same text", err, sizeof err);
	CHECK(c1 && c2 && strcmp(c1, c2) != 0);
	/* Both decrypt. */
	char *p1 = c1 ? secret_decrypt(ka, c1, err, sizeof err) : NULL;
	char *p2 = c2 ? secret_decrypt(ka, c2, err, sizeof err) : NULL;
	CHECK(p1 && strcmp(p1, "same text") == 0);
	CHECK(p2 && strcmp(p2, "same text") == 0);
	secret_free(p1);
	secret_free(p2);

	/* Plain base64 of nonce|ciphertext|tag: 12 + 9 + 16 = 37 bytes, 52 chars. */
	CHECK(c1 && strlen(c1) == 52);
	CHECK(c1 &&
	      strspn(c1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
		      strlen(c1));

	/* A key from another directory does not decrypt it. */
	refused(kb, c1, "another key's ciphertext");

	/* Every single-character change is detected: GCM's tag covers all. */
	size_t n = strlen(c1);
	size_t pad = 0;
	while (pad < n && c1[n - 1 - pad] == '=')
		pad++;
	int accepted = 0;
	for (size_t i = 0; i < n - pad; i++) {
		char *t = strdup(c1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		char *p = secret_decrypt(ka, t, err, sizeof err);
		/* Changing the last char before '=' may only touch padding bits. */
		if (p && !(i == n - pad - 1))
			accepted++;
		secret_free(p);
		free(t);
	}
	CHECK(accepted == 0);

	/* Truncated: by a whole base64 quantum, by one character, to nothing. */
	char *t = strdup(c1);
	t[n - 4] = '\0';
	refused(ka, t, "truncated by 4");
	strcpy(t, c1);
	t[n - 1] = '\0';
	refused(ka, t, "truncated by 1");
	t[16] = '\0';
	refused(ka, t, "truncated to 16");
	free(t);
	/* Extended. */
	char *longer = malloc(n + 5);
	snprintf(longer, n + 5, "%sAAAA", c1);
	refused(ka, longer, "4 characters appended");
	free(longer);

	/* Garbage. */
	refused(ka, "", "the empty string");
	refused(ka, "AAAA", "4 characters");
	refused(ka, "not base64 at all!", "text");
	refused(ka, "****************************************", "40 invalid characters");
	refused(ka, "========================================", "40 '='");
	refused(ka, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "40 zero bytes");
	refused(ka, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "28 zero bytes");
	refused(ka, "S3cr3t", "a plaintext");
	/* Long garbage is refused quickly, without a huge allocation. */
	size_t big = 1 << 20;
	char *g = malloc(big + 1);
	memset(g, 'A', big);
	g[big] = '\0';
	refused(ka, g, "1 MB of base64");
	free(g);

	free(c1);
	free(c2);

	/* Texts: empty, the 63-byte limit of passwd, UTF-8, quotes and blanks. */
	char s63[64];
	memset(s63, 'p', 63);
	s63[63] = '\0';
	CHECK(round_trip(ka, ka, ""));
	CHECK(round_trip(ka, ka, "x"));
	CHECK(round_trip(ka, ka, s63));
	CHECK(round_trip(ka, ka, "pässwörd ✓ 日本語 😀"));
	CHECK(round_trip(ka, ka, "a b \"c\" 'd' \\ ENC ="));
	/* The empty text encrypts to nonce+tag only: 28 bytes, 40 characters. */
	char *e = secret_encrypt(ka, "", err, sizeof err);
	CHECK(e && strlen(e) == 40);
	free(e);

	/* A text too long to be a secret is refused cleanly. */
	char *huge = malloc(70001);
	memset(huge, 'h', 70000);
	huge[70000] = '\0';
	err[0] = '\0';
	e = secret_encrypt(ka, huge, err, sizeof err);
	CHECK(e == NULL && *err);
	free(e);
	free(huge);

	secret_free(NULL);
	secret_key_free(ka);
	secret_key_free(kb);
}

int main(void)
{
	if (!mkdtemp(dir_a) || !mkdtemp(dir_b) || !mkdtemp(dir_c)) {
		perror("mkdtemp");
		return 2;
	}
	test_key_file();
	test_bad_key_files();
	test_encrypt();
	rm_dir(dir_a);
	rm_dir(dir_b);
	rm_dir(dir_c);
	return check_summary();
}
