/* SPDX-License-Identifier: MIT */
/*
 * backup.c - `execute backup all-settings` and `execute restore
 * all-settings`, in the appliance's form (docs/cli.md, "Backup and
 * restore"):
 *
 *   execute backup  all-settings {sftp|scp} <server[:port]> <path> <user> <password> [<crptpasswd>]
 *   execute restore all-settings {sftp|scp} <server[:port]> <path> <user> <password> [<crptpasswd>]
 *   execute backup  all-settings file <path> [<crptpasswd>]      (the root console)
 *   execute restore all-settings file <path> [<crptpasswd>]
 *
 * A backup is the configuration's `show` text under a header in the
 * appliance's style with a SHA-256 of the text, so that a truncated or
 * altered file is refused.  Secrets stay as `ENC` under this appliance's
 * key.  With a crptpasswd the text carries the secrets themselves and the
 * whole file is sealed with AES-256-GCM under a key from scrypt (memory
 * hard): it restores on any appliance that is given the password.
 *
 * A restore reads the text with the real parser and rules into a scratch
 * configuration first (config_scratch_open), then makes the live one equal
 * to it as one revision in one transaction (config_apply): a file that is
 * damaged, wrong, or for a newer appsh changes nothing, and a kill -9
 * leaves the old configuration or the new one.
 *
 * The file goes through appsh-xfer (xfer/xfer.c, libssh), a separate
 * program run with the administrator's own identity: the SSH code never
 * holds the appsh group.
 */
#include "cmds/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/walk.h"
#include "cmds/showtext.h"
#include "config/revision.h"
#include "store/store.h"

#define MAX_BACKUP   (64u << 20)
#define SCRYPT_N     32768 /* 32 MB of memory per try: costly to guess */
#define SCRYPT_R     8
#define SCRYPT_P     1
#define SEALED_MAGIC "#appsh-encrypted-backup v=1"

/* ---- arguments ------------------------------------------------------------ */

static const char *check_server(const char *v)
{
	const char *colon = strrchr(v, ':');
	if (!*v || strpbrk(v, " /@"))
		return "is not a host name or address, with an optional :port";
	if (colon && strchr(v, ':') == colon) { /* host:port (an IPv6 address has more) */
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return "has a port that is not 1-65535";
	}
	return NULL;
}

const struct schema_attr cmds_backup_server_arg = {
	.name = "server",
	.help = "SSH server: name or address, and :port when not 22.",
	.type = SCHEMA_T_STRING,
	.max = 255,
	.check = check_server,
};
const struct schema_attr cmds_backup_path_arg = {
	.name = "path",
	.help = "File name (path) of the backup.",
	.type = SCHEMA_T_STRING,
	.max = 1024,
};
const struct schema_attr cmds_backup_user_arg = {
	.name = "user",
	.help = "User name on the server.",
	.type = SCHEMA_T_STRING,
	.max = 64,
};
const struct schema_attr cmds_backup_password_arg = {
	.name = "password",
	.help = "Password of that user.",
	.type = SCHEMA_T_PASSWORD,
	.max = 128,
};
const struct schema_attr cmds_backup_crypt_arg = {
	.name = "crptpasswd",
	.help = "Password that protects the backup; its secrets then restore anywhere.",
	.type = SCHEMA_T_PASSWORD,
	.min = 0,
	.max = 128,
};

/* What the command line said, by argument. */
struct where {
	const char *proto; /* "sftp", "scp", "file" */
	char host[256];
	int port;
	const char *path, *user, *password, *crypt;
};

static void parse_args(const struct cli_args *a, const char *proto, struct where *w)
{
	memset(w, 0, sizeof *w);
	w->proto = proto;
	w->port = 22;
	for (int i = 0; i < a->argc; i++) {
		const struct schema_attr *at = a->argattr[i];
		const char *v = a->argv[i];
		if (at == &cmds_backup_server_arg) {
			const char *colon = strrchr(v, ':');
			bool port = colon && strchr(v, ':') == colon;
			snprintf(w->host, sizeof w->host, "%.*s",
				 port ? (int)(colon - v) : (int)strlen(v), v);
			if (port)
				w->port = atoi(colon + 1);
		} else if (at == &cmds_backup_path_arg) {
			w->path = v;
		} else if (at == &cmds_backup_user_arg) {
			w->user = v;
		} else if (at == &cmds_backup_password_arg) {
			w->password = v;
		} else if (at == &cmds_backup_crypt_arg) {
			w->crypt = v;
		}
	}
}

static void describe(const struct where *w, char *buf, size_t len)
{
	if (strcmp(w->proto, "file") == 0)
		snprintf(buf, len, "file %s", w->path);
	else
		snprintf(buf, len, "%s://%s@%s:%d/%s", w->proto, w->user, w->host, w->port,
			 w->path);
}

/* ---- the file's format ---------------------------------------------------- */

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The text of a backup: the header, then body. */
static char *with_header(struct cli *cli, const char *body, size_t blen, size_t *len)
{
	char hex[65], *out = NULL;
	sha256_hex(body, blen, hex);
	FILE *f = open_memstream(&out, len);
	if (!f)
		return NULL;
	fprintf(f,
		"#config-version=APPSH-%s-FW-build0001:opmode=0:vdom=0:user=%s\n"
		"#conf_file_ver=%d\n#buildno=0001\n#global_vdom=1\n#checksum=sha256:%s\n",
		APPSH_VERSION, config_who(cli->cfg)->name, STORE_SCHEMA_VERSION, hex);
	fwrite(body, 1, blen, f);
	return fclose(f) == 0 ? out : (free(out), NULL);
}

/* Checks a backup's header and checksum; *body points at its text.  NULL,
 * or why the file is refused. */
static const char *check_header(char *text, size_t len, char **body, char *why, size_t wlen)
{
	const char *want = NULL;
	int version = -1;
	bool ours = false;
	char *p = text, *end = text + len;
	while (p < end && *p == '#') {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		*nl = '\0';
		if (strncmp(p, "#config-version=APPSH-", 22) == 0)
			ours = true;
		else if (strncmp(p, "#conf_file_ver=", 15) == 0)
			version = atoi(p + 15);
		else if (strncmp(p, "#checksum=sha256:", 17) == 0)
			want = p + 17;
		p = nl + 1;
	}
	if (!ours)
		return "it is not an appsh backup (no #config-version=APPSH- header)";
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(
			why, wlen,
			"it was made by a newer appsh (configuration version %d; this one reads up "
			"to %d)",
			version, STORE_SCHEMA_VERSION);
		return why;
	}
	char hex[65];
	sha256_hex(p, (size_t)(end - p), hex);
	if (version < 1 || !want || strcmp(want, hex) != 0)
		return "it is damaged: truncated or altered (its checksum does not match)";
	if (memchr(p, '\0', (size_t)(end - p)))
		return "it is damaged: it holds a NUL byte";
	*body = p;
	return NULL;
}

/* ---- sealing with a crptpasswd -------------------------------------------- */

static int derive(const char *pass, const unsigned char salt[16], unsigned char key[32])
{
	return EVP_PBE_scrypt(pass, strlen(pass), salt, 16, SCRYPT_N, SCRYPT_R, SCRYPT_P, 64u << 20,
			      key, 32) == 1
		       ? 0
		       : -1;
}

/* A value that tells a wrong password from a damaged file. */
static void key_check(const unsigned char key[32], unsigned char out[8])
{
	unsigned char mac[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, 32, (const unsigned char *)"appsh-backup-check", 18, mac, &n);
	memcpy(out, mac, 8);
}

static int gcm(bool enc, const unsigned char key[32], const unsigned char nonce[12],
	       const char *aad, const unsigned char *in, size_t len, unsigned char *out,
	       unsigned char tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0,
	    ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) == 1 &&
		 EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
		 EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 &&
		 (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1) &&
		 EVP_CipherFinal_ex(c, out + n, &n) == 1 &&
		 (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static void b64(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Seals plain text under crypt: a header line, then the base64 of
 * ciphertext and tag in lines of 76. */
static char *seal(const char *plain, size_t len, const char *crypt, size_t *outlen)
{
	unsigned char salt[16], nonce[12], key[32], check[8], tag[16];
	char s64[32], n64[32], c64[16], header[256];
	if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(nonce, sizeof nonce) != 1 ||
	    derive(crypt, salt, key) != 0)
		return NULL;
	key_check(key, check);
	b64(salt, sizeof salt, s64);
	b64(nonce, sizeof nonce, n64);
	b64(check, sizeof check, c64);
	snprintf(header, sizeof header,
		 SEALED_MAGIC " kdf=scrypt n=%d r=%d p=%d salt=%s nonce=%s check=%s\n", SCRYPT_N,
		 SCRYPT_R, SCRYPT_P, s64, n64, c64);
	unsigned char *ct = malloc(len + 16);
	char *out = NULL, *line = malloc(4 * ((len + 16) / 3 + 3));
	size_t size = 0;
	FILE *f = NULL;
	if (ct && line &&
	    gcm(true, key, nonce, header, (const unsigned char *)plain, len, ct, tag) == 0 &&
	    (f = open_memstream(&out, &size))) {
		memcpy(ct + len, tag, 16);
		fputs(header, f);
		b64(ct, len + 16, line);
		for (size_t i = 0, n = strlen(line); i < n; i += 76)
			fprintf(f, "%.76s\n", line + i);
		if (fclose(f) != 0) {
			free(out);
			out = NULL;
		}
	}
	OPENSSL_cleanse(key, sizeof key);
	free(ct);
	free(line);
	*outlen = size;
	return out;
}

/* Opens a sealed file: the plain text (malloc'd), or NULL with why. */
static char *unseal(char *text, size_t len, const char *crypt, size_t *plen, const char **why)
{
	char *nl = memchr(text, '\n', len);
	char salt64[64] = "", nonce64[64] = "", check64[64] = "";
	int n = 0, r = 0, p = 0;
	*why = "it is damaged: its encryption header cannot be read";
	if (!nl)
		return NULL;
	*nl = '\0';
	if (sscanf(text, SEALED_MAGIC " kdf=scrypt n=%d r=%d p=%d salt=%63s nonce=%63s check=%63s",
		   &n, &r, &p, salt64, nonce64, check64) != 6 ||
	    n != SCRYPT_N || r != SCRYPT_R || p != SCRYPT_P)
		return NULL;
	char header[256];
	snprintf(header, sizeof header, "%s\n", text);
	unsigned char salt[24], nonce[24], check[16], key[32], mine[8];
	if (EVP_DecodeBlock(salt, (unsigned char *)salt64, (int)strlen(salt64)) < 16 ||
	    EVP_DecodeBlock(nonce, (unsigned char *)nonce64, (int)strlen(nonce64)) < 12 ||
	    EVP_DecodeBlock(check, (unsigned char *)check64, (int)strlen(check64)) < 8)
		return NULL;
	if (!crypt) {
		*why = "it is encrypted: give its crptpasswd";
		return NULL;
	}
	if (derive(crypt, salt, key) != 0) {
		*why = "out of memory deriving the key";
		return NULL;
	}
	key_check(key, mine);
	if (CRYPTO_memcmp(mine, check, 8) != 0) {
		OPENSSL_cleanse(key, sizeof key);
		*why = "the crptpasswd does not open it";
		return NULL;
	}
	/* The base64 body without its line breaks. */
	char *b = nl + 1, *end = text + len, *flat = malloc((size_t)(end - b) + 1);
	unsigned char *raw = flat ? malloc((size_t)(end - b) + 1) : NULL, tag[16];
	size_t k = 0;
	for (char *q = b; flat && q < end; q++)
		if (*q != '\n')
			flat[k++] = *q;
	char *plain = NULL;
	*why = "it is damaged: truncated or altered";
	int rawlen =
		raw && k % 4 == 0 && k ? EVP_DecodeBlock(raw, (unsigned char *)flat, (int)k) : -1;
	if (rawlen >= 16) {
		rawlen -= (k && flat[k - 1] == '=') + (k > 1 && flat[k - 2] == '=');
		size_t clen = (size_t)rawlen - 16;
		memcpy(tag, raw + clen, 16);
		plain = malloc(clen + 1);
		if (plain &&
		    gcm(false, key, nonce, header, raw, clen, (unsigned char *)plain, tag) == 0) {
			plain[clen] = '\0';
			*plen = clen;
		} else {
			free(plain);
			plain = NULL;
		}
	}
	OPENSSL_cleanse(key, sizeof key);
	free(flat);
	free(raw);
	return plain;
}

/* The body with each secret as itself, for a sealed backup: `set <attr>
 * ENC <stored>` becomes `set <attr> "<plain>"`, quoted as show quotes. */
static char *open_secrets(struct cli *cli, char *body, size_t *len, char *why, size_t wlen)
{
	char *out = NULL, path[256] = "";
	size_t size = 0, n;
	char **lines = cmds_lines(body, &n);
	FILE *f = lines ? open_memstream(&out, &size) : NULL;
	if (!f) {
		free(lines);
		snprintf(why, wlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i], *enc = strstr(l, " ENC ");
		if (strncmp(l, "config ", 7) == 0)
			snprintf(path, sizeof path, "%s", l + 7);
		if (!enc || strncmp(l, "    ", 4) != 0 || !strstr(l, "set ")) {
			fprintf(f, "%s\n", l);
			continue;
		}
		char err[200];
		char *plain = config_secret_decrypt(cli->cfg, enc + 5, err, sizeof err);
		if (!plain) {
			snprintf(why, wlen, "a secret of config %s does not decrypt: %s", path,
				 err);
			fclose(f);
			free(out);
			free(lines);
			return NULL;
		}
		fprintf(f, "%.*s \"", (int)(enc - l), l);
		for (const char *c = plain; *c; c++) {
			if (*c == '"' || *c == '\\')
				fputc('\\', f);
			fputc(*c, f);
		}
		fputs("\"\n", f);
		config_secret_free(plain);
	}
	free(lines);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	*len = size;
	return out;
}

/* ---- moving the file -------------------------------------------------------- */

/* appsh-xfer beside this program. */
static int helper_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return snprintf(buf, len, "%s/appsh-xfer", self) < (int)len ? 0 : -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads fd to its end into a malloc'd buffer of at most max bytes. */
static char *read_all(int fd, size_t max, size_t *len, bool *too_big)
{
	size_t cap = 65536;
	char *buf = malloc(cap + 1);
	*len = 0;
	*too_big = false;
	while (buf) {
		if (*len == cap) {
			if (cap >= max) {
				*too_big = true;
				break;
			}
			char *b = realloc(buf, (cap *= 2) + 1);
			if (!b)
				break;
			buf = b;
		}
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				buf[*len] = '\0';
				return buf;
			}
			break;
		}
		*len += (size_t)n;
	}
	free(buf);
	return NULL;
}

/*
 * Runs appsh-xfer for w: put sends data, get returns the file (malloc'd).
 * Its notes (a new host key) are printed; a failure is recorded with its
 * message.  0, or -1.
 */
static int xfer(struct cli *cli, const struct where *w, bool put, const char *data, size_t dlen,
		char **got, size_t *glen)
{
	char helper[PATH_MAX], port[16];
	int in[2], out[2], errp[2];
	if (helper_path(helper, sizeof helper) != 0)
		return cli_fail(cli, -1, NULL, NULL, "cannot find appsh-xfer beside appsh");
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		return cli_fail(cli, -1, NULL, NULL, strerror(errno));
	snprintf(port, sizeof port, "%d", w->port);
	pid_t pid = fork();
	if (pid == 0) {
		/* The transfer runs as the administrator alone: without the
		 * appsh group that opens the store and the key. */
		gid_t g = getgid();
		if (setresgid(g, g, g) != 0)
			_exit(127);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		char *const argv[] = {
			"appsh-xfer", put ? "put" : "get", (char *)w->proto, (char *)w->host,
			port,	      (char *)w->user,	   (char *)w->path,  NULL};
		char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
		execve(helper, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		close(errp[0]);
		return cli_fail(cli, -1, NULL, NULL, strerror(errno));
	}
	/* appsh-xfer reads all of its input before it connects, so writing
	 * it whole first cannot deadlock; its output is read afterwards. */
	int wr = write_all(in[1], w->password, strlen(w->password));
	wr = wr || write_all(in[1], "\n", 1) || (put && write_all(in[1], data, dlen));
	close(in[1]);
	bool big = false;
	size_t olen = 0, elen = 0;
	char *o = read_all(out[0], MAX_BACKUP, &olen, &big);
	char *e = read_all(errp[0], 65536, &elen, &(bool){false});
	close(out[0]);
	close(errp[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bool ok = !wr && o && !big && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	/* Its lines: notes on success, the reason on failure. */
	char last[512] = "";
	for (char *line = e ? strtok(e, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		const char *text = strncmp(line, "appsh-xfer: ", 12) == 0 ? line + 12 : line;
		if (ok)
			cli_out_printf(cli->out, "%s\n", text);
		snprintf(last, sizeof last, "%s", text);
	}
	free(e);
	if (!ok) {
		free(o);
		char msg[600];
		snprintf(msg, sizeof msg, "the transfer failed: %s",
			 big	 ? "the file is larger than 64 MB"
			 : *last ? last
			 : WIFEXITED(status) && WEXITSTATUS(status) == 127
				 ? "appsh-xfer could not be run"
				 : "appsh-xfer ended without saying why");
		return cli_fail(cli, -1, NULL, NULL, msg);
	}
	if (got) {
		*got = o;
		*glen = olen;
	} else {
		free(o);
	}
	return 0;
}

/* The root console's local file: written as its owner, never through a
 * symbolic link, replaced whole (a new file renamed over the old). */
static int put_file(struct cli *cli, const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
		return cli_fail(cli, -651, "value", path, "the path is too long");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = fd < 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0 ? -1 : 0;
	int e = errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	struct stat sb;
	if (rc == 0 && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		rc = -1;
		e = ELOOP;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		unlink(tmp);
		char msg[600];
		snprintf(msg, sizeof msg, "cannot write %s: %s", path, strerror(e));
		return cli_fail(cli, -1, NULL, NULL, msg);
	}
	return 0;
}

static char *get_file(struct cli *cli, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool big = false;
	char *data = fd >= 0 ? read_all(fd, MAX_BACKUP, len, &big) : NULL;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (!data) {
		char msg[600];
		snprintf(msg, sizeof msg, "cannot read %s: %s", path,
			 big	  ? "larger than 64 MB"
			 : fd < 0 ? strerror(e)
				  : "read error");
		cli_fail(cli, -1, NULL, NULL, msg);
	}
	return data;
}

/* ---- the commands ------------------------------------------------------------ */

/* The root console only: the local file form works as root on this host. */
static int local_allowed(struct cli *cli)
{
	if (!cli->login && getuid() == 0 && !config_who(cli->cfg)->limited)
		return 0;
	return cli_fail(cli, -37, NULL, NULL,
			"permission denied: the local file form is for the root console; use "
			"sftp or scp");
}

/* Refuses unless the actor may read (or write) every area. */
static int need_all(struct cli *cli, bool write, const char *what)
{
	for (int a = SCHEMA_AREA_NONE + 1; a < SCHEMA_AREA_COUNT; a++)
		if (a != SCHEMA_AREA_DIAG_READ && a != SCHEMA_AREA_DIAG_WRITE &&
		    !config_allows(cli->cfg, a, write))
			return cli_refuse(cli, a, write, what, true);
	return 0;
}

static int backup(struct cli *cli, const struct where *w)
{
	struct config_error err;
	char where[1400], why[300];
	int rc = -1;
	size_t blen = 0, tlen = 0;
	char *body = NULL, *text = NULL, *sealed = NULL;

	describe(w, where, sizeof where);
	if (need_all(cli, false, "execute backup all-settings") != 0)
		return -1;
	struct config_snapshot *now = config_snapshot_at(cli->cfg, -1, &err);
	if (!now)
		return cli_fail_config(cli, &err);
	body = cmds_show_text(cli, now, &blen);
	config_snapshot_free(now);
	if (body && w->crypt) {
		char *open = open_secrets(cli, body, &blen, why, sizeof why);
		free(body);
		if (!(body = open)) {
			cli_fail(cli, -1, NULL, NULL, why);
			goto out;
		}
	}
	text = body ? with_header(cli, body, blen, &tlen) : NULL;
	if (text && w->crypt) {
		size_t slen = 0;
		sealed = seal(text, tlen, w->crypt, &slen);
		OPENSSL_cleanse(text, tlen);
		free(text);
		text = sealed;
		tlen = slen;
	}
	if (!text) {
		cli_fail(cli, -4, NULL, NULL, "out of memory");
		goto out;
	}
	if (strcmp(w->proto, "file") == 0 ? put_file(cli, w->path, text, tlen)
					  : xfer(cli, w, true, text, tlen, NULL, NULL))
		goto out;
	char hex[65];
	sha256_hex(text, tlen, hex);
	config_audit(cli->cfg, "backup", "all settings to %s%s, %zu bytes, sha256 %s", where,
		     w->crypt ? " (encrypted)" : "", tlen, hex);
	cli_out_printf(cli->out, "Backed up all settings to %s: %zu bytes, sha256 %s%s\n", where,
		       tlen, hex, w->crypt ? " (encrypted with the crptpasswd)" : "");
	rc = 0;
out:
	if (body)
		OPENSSL_cleanse(body, blen);
	free(body);
	free(text);
	return rc;
}

/* Secrets of another appliance's key, named for the operator. */
struct skipped {
	char *text;
	size_t len;
	int n;
};

static void skip_secret(void *arg, const char *path, const char *key, const char *attr)
{
	struct skipped *s = arg;
	char line[512];
	int n = *key ? snprintf(line, sizeof line, "  config %s, edit \"%s\": %s\n", path, key,
				attr)
		     : snprintf(line, sizeof line, "  config %s: %s\n", path, attr);
	char *t = realloc(s->text, s->len + (size_t)n + 1);
	if (!t)
		return;
	memcpy(t + s->len, line, (size_t)n + 1);
	s->text = t;
	s->len += (size_t)n;
	s->n++;
}

/* Reads body with the real parser into a scratch configuration: its
 * snapshot, or NULL with the error recorded. */
static struct config_snapshot *read_backup(struct cli *cli, const char *body,
					   struct skipped *skipped)
{
	struct config *scratch;
	struct config_error err;
	char msg[300];
	if (config_scratch_open(cli->cfg, &scratch, msg, sizeof msg) != 0) {
		cli_fail(cli, -1, NULL, NULL, msg);
		return NULL;
	}
	/* The scratch session prints nothing; its errors go to stderr with
	 * the backup's line numbers, as a script's do. */
	FILE *null = fopen("/dev/null", "w");
	struct cli_out *out = null ? cli_out_new(null) : NULL;
	struct config_snapshot *snap = NULL;
	if (out && config_group_begin(scratch, "scratch", "", &err) == 0) {
		struct cli s;
		cli_session_attach(&s, cli->hooks, scratch, out);
		s.foreign_secret = skip_secret;
		s.foreign_arg = skipped;
		int status = cli_run_script(&s, -1, body, true);
		cli_session_close(&s);
		if (status != 0) {
			config_group_end(scratch, false, NULL, NULL);
			cli_fail(cli, -1, NULL, NULL,
				 "the backup's configuration does not read (the lines above say "
				 "why); nothing was changed");
		} else if (config_group_end(scratch, true, NULL, &err) != 0 ||
			   !(snap = config_snapshot_at(scratch, -1, &err))) {
			cli_fail_config(cli, &err);
		}
	} else {
		cli_fail(cli, -4, NULL, NULL, "out of memory");
	}
	cli_out_free(out);
	if (null)
		fclose(null);
	config_close(scratch);
	return snap;
}

static int restore(struct cli *cli, const struct where *w)
{
	struct config_error err;
	char where[1400], why[300];
	size_t len = 0;
	char *text = NULL, *plain = NULL, *body;
	struct skipped skipped = {0};
	int rc = -1;

	describe(w, where, sizeof where);
	if (need_all(cli, true, "execute restore all-settings") != 0)
		return -1;
	if (cli->txn)
		return cli_fail(cli, -1, NULL, NULL, "end or abort the config shell first");
	if (strcmp(w->proto, "file") == 0 ? !(text = get_file(cli, w->path, &len))
					  : xfer(cli, w, false, NULL, 0, &text, &len) != 0)
		return -1;
	const char *bad;
	if (len >= sizeof SEALED_MAGIC - 1 &&
	    memcmp(text, SEALED_MAGIC, sizeof SEALED_MAGIC - 1) == 0) {
		size_t plen = 0;
		if (!(plain = unseal(text, len, w->crypt, &plen, &bad)))
			goto refused;
		free(text);
		text = plain;
		plain = NULL;
		len = plen;
	}
	if ((bad = check_header(text, len, &body, why, sizeof why)))
		goto refused;
	struct config_snapshot *target = read_backup(cli, body, &skipped);
	if (!target)
		goto out;
	char comment[160];
	long long rev;
	snprintf(comment, sizeof comment, "restore from %.140s", where);
	rc = config_apply(cli->cfg, target, "restore", comment, &rev, &err);
	config_snapshot_free(target);
	if (rc != 0) {
		cli_fail_config(cli, &err);
		goto out;
	}
	config_audit(cli->cfg, "restore", "all settings from %s: revision %lld%s", where, rev,
		     skipped.n ? ", some secrets not restored" : "");
	if (rev > 0)
		cli_out_printf(cli->out, "Restored all settings from %s as revision %lld.\n", where,
			       rev);
	else if (rev < 0)
		cli_out_printf(cli->out, "Restored all settings from %s.\n", where);
	else
		cli_out_printf(cli->out,
			       "Restored all settings from %s: the configuration was already the "
			       "same.\n",
			       where);
	if (skipped.n)
		cli_out_printf(cli->out,
			       "These %d secret(s) were made under another appliance's key and "
			       "were not restored; set them again (a backup with a crptpasswd "
			       "carries them):\n%s",
			       skipped.n, skipped.text);
	goto out;
refused : {
	char msg[1800];
	snprintf(msg, sizeof msg, "%s is refused: %s; nothing was changed", where, bad);
	cli_fail(cli, -651, NULL, NULL, msg);
}
out:
	if (text)
		OPENSSL_cleanse(text, len);
	free(text);
	free(skipped.text);
	return rc;
}

static int run(struct cli *cli, const struct cli_args *a, const char *proto, bool save)
{
	struct where w;
	parse_args(a, proto, &w);
	if (strcmp(proto, "file") == 0 && local_allowed(cli) != 0)
		return -1;
	return save ? backup(cli, &w) : restore(cli, &w);
}

int cmds_backup_sftp(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "sftp", true);
}

int cmds_backup_scp(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "scp", true);
}

int cmds_backup_file(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "file", true);
}

int cmds_restore_sftp(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "sftp", false);
}

int cmds_restore_scp(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "scp", false);
}

int cmds_restore_file(struct cli *cli, const struct cli_args *a)
{
	return run(cli, a, "file", false);
}
