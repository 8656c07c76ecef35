/* SPDX-License-Identifier: MIT */
/* statedir.c - resolve and create the state directory. */
#include "store/statedir.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int resolve(const char *explicit_dir, char *out, size_t len)
{
	const char *env = getenv("APPSH_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (explicit_dir && *explicit_dir)
		n = snprintf(out, len, "%s", explicit_dir);
	else if (env && *env)
		n = snprintf(out, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(out, len, "%s", STATEDIR_SYSTEM);
	else if (xdg && *xdg == '/')
		n = snprintf(out, len, "%s/appsh", xdg);
	else {
		if (!home || !*home) {
			struct passwd *pw = getpwuid(geteuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home)
			return -1;
		n = snprintf(out, len, "%s/.local/state/appsh", home);
	}
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* mkdir -p, with the last component 0700 and the parents 0755. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int statedir_open(const char *explicit_dir, char *out, size_t outlen, char *err, size_t errlen)
{
	struct stat sb;

	if (resolve(explicit_dir, out, outlen) != 0) {
		snprintf(err, errlen, "cannot determine the state directory (set APPSH_STATE_DIR)");
		return -1;
	}
	if (make_dirs(out) != 0) {
		snprintf(err, errlen, "cannot create state directory %s: %s", out, strerror(errno));
		return -1;
	}
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "state directory %s is not a directory", out);
		return -1;
	}
	return 0;
}

int statedir_system(char *out, size_t outlen, char *err, size_t errlen)
{
	struct stat sb;
	snprintf(out, outlen, "%s", STATEDIR_SYSTEM);
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen,
			 "the system state directory %s is missing: install appsh as a login "
			 "shell first (scripts/install-login.sh)",
			 out);
		return -1;
	}
	return 0;
}

bool statedir_shared(const char *dir)
{
	struct stat sb;
	return stat(dir, &sb) == 0 && (sb.st_mode & S_ISGID) && (sb.st_mode & S_IRWXG) == S_IRWXG &&
	       !(sb.st_mode & S_IRWXO);
}
