/* SPDX-License-Identifier: MIT */
/*
 * fazmaild.c - the mail daemon's program: one per state directory.
 *
 *   fazmaild [--foreground] [--state-dir DIR]
 *
 * Without --foreground it detaches once its control socket listens, so
 * that whoever started it (appsh, appsh-sendmail) can talk to it as soon
 * as it returns.  A lock on <dir>/fazmaild.pid keeps a second instance
 * from starting; the kernel drops the lock when the process dies, even by
 * kill -9, so a crash never leaves a stale lock behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "maild/ctl.h"
#include "maild/daemon.h"
#include "store/statedir.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: fazmaild [--foreground] [--state-dir DIR]\n");
}

static long env_seconds(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;
	return v && *v && !*end && n > 0 ? n : def;
}

/* Takes the instance lock; -1 (with the holder's pid in *other) if taken. */
static int take_lock(const char *dir, long *other, char *err, size_t errlen)
{
	char path[4200], buf[32] = "";
	snprintf(path, sizeof path, "%s/fazmaild.pid", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %.300s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		*other = n > 0 ? strtol(buf, NULL, 10) : 0;
		snprintf(err, errlen, "already running for %.300s (pid %ld)", dir, *other);
		close(fd);
		return -1;
	}
	return fd;
}

static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		syslog(LOG_WARNING, "cannot write the pid file: %s", strerror(errno));
}

/* Binds the control socket.  We hold the lock, so a socket file already
 * there is a dead daemon's. */
static int listen_on(const char *dir, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (mctl_path(dir, sun.sun_path, sizeof sun.sun_path) != 0) {
		snprintf(err, errlen, "the state directory's path is too long for a socket");
		return -1;
	}
	unlink(sun.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* 0660: the owner, and the state directory's group (the login shell's
	 * administrators); the directory's own mode is the first gate. */
	mode_t old = umask(0117);
	int rc = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || listen(fd, 64) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* After `restart`: a new process takes over (it detaches and listens
 * before this one exits, so the shell finds it). */
static void start_successor(const char *dir)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	/* Replaced on disk since we started (an upgrade): run the new file. */
	char *deleted = strstr(self, " (deleted)");
	if (deleted && !deleted[10])
		*deleted = '\0';
	pid_t pid = fork();
	if (pid == 0) {
		close_range(3, ~0U, 0);
		execl(self, "fazmaild", "--state-dir", dir, (char *)NULL);
		_exit(127);
	}
	int status;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"foreground", no_argument, NULL, 'f'},
		{"state-dir", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *dirarg = NULL;
	bool foreground = false;
	char dir[4096], err[512];
	long other = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			foreground = true;
			break;
		case 'S':
			dirarg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	umask(077);
	struct md_options mo = {
		.queue_timeout = env_seconds("APPSH_MAILD_QUEUE_TIMEOUT", 1800),
		.retry_base = env_seconds("APPSH_MAILD_RETRY", 60),
	};
	if (statedir_open(dirarg, dir, sizeof dir, err, sizeof err) != 0) {
		fprintf(stderr, "fazmaild: %s\n", err);
		return 1;
	}
	/* In the group-shared system directory, the group may use what we
	 * create (the queue, the pid file), as appsh does. */
	if (statedir_shared(dir))
		umask(007);
	int lock = take_lock(dir, &other, err, sizeof err);
	int lfd = lock < 0 ? -1 : listen_on(dir, err, sizeof err);
	if (lfd < 0) {
		fprintf(stderr, "fazmaild: %s\n", err);
		return 1;
	}
	openlog("fazmaild", LOG_PID | (foreground ? LOG_PERROR : 0), LOG_MAIL);
	if (!foreground) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "fazmaild: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid > 0)
			_exit(0); /* the child holds the lock and the socket */
		setsid();
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
	}
	write_pid(lock);
	int rc = md_serve(dir, lfd, &mo);
	char sock[4200];
	if (mctl_path(dir, sock, sizeof sock) == 0)
		unlink(sock);
	close(lfd);
	close(lock); /* the successor may take it now */
	if (rc == MD_EXIT_RESTART) {
		/* Under a service manager, exit and let it start the new one
		 * (the unit says Restart=always). */
		if (foreground)
			return 75;
		start_successor(dir);
		rc = 0;
	}
	closelog();
	return rc;
}
