/* SPDX-License-Identifier: MIT */
/* ctl.c - the client side of fazmaild's control socket (see ctl.h). */
#include "maild/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A reply is small and quick; a daemon that does not answer in this time
 * is stuck, and the shell must not hang with it. */
#define REPLY_MS 5000

int mctl_path(const char *statedir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/fazmaild.sock", statedir);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int connect_to(const char *statedir, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (mctl_path(statedir, sun.sun_path, sizeof sun.sun_path) != 0) {
		snprintf(err, errlen, "the state directory's path is too long for a socket");
		return -1;
	}
	/* Non-blocking: a Unix socket whose backlog is full would block
	 * connect() for as long as the daemon is stuck. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		bool busy = errno == EAGAIN;
		snprintf(err, errlen,
			 busy ? "fazmaild is too busy to answer (%s)"
			      : "fazmaild is not running (%s)",
			 strerror(errno));
		close(fd);
		return busy ? -2 : -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int send_line(int fd, const char *request, char *err, size_t errlen)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s\n", request);
	if (n < 0 || (size_t)n >= sizeof line || write(fd, line, (size_t)n) != n) {
		snprintf(err, errlen, "cannot talk to fazmaild: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads until EOF (or the deadline) into a malloc'd string. */
static char *read_all(int fd, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (buf) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = REPLY_MS -
			    ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, errlen, "fazmaild did not answer in %d s", REPLY_MS / 1000);
			break;
		}
		if (len + 1024 > cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b)
				break;
			buf = b;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf[len] = '\0';
			return buf;
		}
		len += (size_t)n;
	}
	free(buf);
	if (!*err)
		snprintf(err, errlen, "out of memory");
	return NULL;
}

int mctl_request(const char *statedir, const char *request, char **reply, char *err, size_t errlen)
{
	*reply = NULL;
	*err = '\0';
	int fd = connect_to(statedir, err, errlen);
	if (fd < 0)
		return fd == -2 ? -2 : -1;
	char *all = send_line(fd, request, err, errlen) == 0 ? read_all(fd, err, errlen) : NULL;
	close(fd);
	if (!all)
		return -2;
	if (strncmp(all, "OK\n", 3) == 0) {
		memmove(all, all + 3, strlen(all + 3) + 1);
		*reply = all;
		return 0;
	}
	size_t n = strcspn(all, "\n");
	snprintf(err, errlen, "%.*s", (int)n, strncmp(all, "ERR ", 4) == 0 ? all + 4 : all);
	if (!*all)
		snprintf(err, errlen, "fazmaild closed the connection");
	free(all);
	return -2;
}

int mctl_watch(const char *statedir, char *err, size_t errlen)
{
	char ok[3];
	int fd = connect_to(statedir, err, errlen);
	if (fd < 0)
		return -1;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (send_line(fd, "watch", err, errlen) != 0 || poll(&p, 1, REPLY_MS) != 1 ||
	    read(fd, ok, 3) != 3 || memcmp(ok, "OK\n", 3) != 0) {
		if (!*err)
			snprintf(err, errlen, "fazmaild refused to stream its debug output");
		close(fd);
		return -1;
	}
	return fd;
}

/* The fazmaild program installed beside the running one. */
static int daemon_path(char *buf, size_t len)
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
	n = snprintf(buf, len, "%s/fazmaild", self);
	return n < 0 || (size_t)n >= len || access(buf, X_OK) != 0 ? -1 : 0;
}

int mctl_ensure(const char *statedir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd = connect_to(statedir, err, errlen);
	if (fd >= 0 || fd == -2) { /* running (busy is running too) */
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (daemon_path(path, sizeof path) != 0) {
		snprintf(err, errlen, "cannot start fazmaild: no fazmaild program beside this one");
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start fazmaild: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* fazmaild detaches itself once its socket listens; nothing of
		 * ours (the store's descriptors) must stay open in it. */
		close_range(3, ~0U, 0);
		execl(path, "fazmaild", "--state-dir", statedir, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Exit 0: it listens.  Otherwise another starter may have won the
	 * race; either way, the answer is whether it now answers. */
	for (int i = 0; i < 50; i++) {
		if ((fd = connect_to(statedir, err, errlen)) >= 0) {
			close(fd);
			return 0;
		}
		usleep(100 * 1000);
	}
	snprintf(err, errlen, "fazmaild did not start (exit status %d; see syslog)",
		 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}
