/* SPDX-License-Identifier: MIT */
/*
 * main.c - appsh: picks the way in (terminal, script on stdin, -c) and
 * opens the state directory.  Everything else lives in the cli module.
 */
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/login.h"
#include "cmds/cmds.h"
#include "store/statedir.h"

/* LeakSanitizer stops the process's threads with ptrace, which a
 * set-group-ID (hence non-dumpable) process forbids, and it cannot read
 * ASAN_OPTIONS there either: such runs of a sanitizer build skip the leak
 * check (AddressSanitizer and UBSan still run). */
#if defined(__SANITIZE_ADDRESS__)
#define APPSH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define APPSH_ASAN 1
#endif
#endif
#ifdef APPSH_ASAN
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return getegid() != getgid() ? "detect_leaks=0" : "";
}
#endif

static void usage(FILE *f)
{
	fprintf(f, "Usage: appsh [--state-dir DIR] [--admin NAME] [--login] [-e] [-c COMMANDS]\n"
		   "An appliance-style shell for the FortiAnalyzer mail configuration.\n"
		   "\n"
		   "  -c COMMANDS        run the newline-separated COMMANDS, then exit\n"
		   "  -e                 stop at the first failing command (scripts and -c)\n"
		   "  --state-dir DIR    keep the store, key and history in DIR\n"
		   "                     (default: $APPSH_STATE_DIR, /var/lib/appsh for root,\n"
		   "                     else $XDG_STATE_HOME/appsh or ~/.local/state/appsh)\n"
		   "  --admin NAME       act as administrator NAME with their profile's rights\n"
		   "                     (default: the built-in admin with every right)\n"
		   "  --login            be a login shell (for sshd's ForceCommand): the\n"
		   "                     Unix account is the administrator, the system\n"
		   "                     state directory is used (see docs/admin.md)\n"
		   "  -h, --help         show this help\n"
		   "  -V, --version      show the version\n"
		   "\n"
		   "On a terminal appsh is interactive (TAB completes, ? lists what may come\n"
		   "next).  Otherwise it reads commands from standard input: no prompt,\n"
		   "errors on stderr as 'line N: ...', exit status 0 only if every command\n"
		   "succeeded.\n");
}

/* The login's way in: what sshd asked for, who, from where. */
static int login_setup(struct cli *cli, bool tty)
{
	struct passwd *pw = getpwuid(getuid());
	char err[400], source[64];

	if (!cli_login_client(source, sizeof source)) {
		const char *t = tty ? ttyname(STDIN_FILENO) : NULL;
		snprintf(source, sizeof source, "%s", t ? t : "console");
	}
	config_set_origin(cli->cfg, source,
			  getenv("SSH_CONNECTION") ? (tty ? "ssh-tty" : "ssh")
						   : (tty ? "tty" : "script"));
	if (!pw) {
		fprintf(stderr, "appsh: login refused: this account has no name\n");
		return -1;
	}
	if (cli_login_admin(cli, pw->pw_name, err, sizeof err) != 0) {
		fprintf(stderr, "appsh: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"state-dir", required_argument, NULL, 'S'},
		{"admin", required_argument, NULL, 'A'},
		{"login", no_argument, NULL, 'L'},
		{0},
	};
	const char *statedir_arg = NULL, *commands = NULL, *admin = NULL;
	bool stop_on_error = false, login_flag = false;
	char dir[4096], err[512] = "";
	struct cli cli;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "hVc:e", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("appsh %s\n", APPSH_VERSION);
			return 0;
		case 'S':
			statedir_arg = optarg;
			break;
		case 'A':
			admin = optarg;
			break;
		case 'L':
			login_flag = true;
			break;
		case 'c':
			commands = optarg;
			break;
		case 'e':
			stop_on_error = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "appsh: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	bool login = cli_login_detect(argv[0], login_flag);
	/* Installed set-group-ID (scripts/install-login.sh), appsh holds the
	 * group that owns the system store.  Only a login, which answers for
	 * its account by the admin table, may keep it. */
	if (!login && getegid() != getgid() && setresgid(getgid(), getgid(), getgid()) != 0) {
		fprintf(stderr, "appsh: cannot drop the appsh group\n");
		return 1;
	}
	if (login) {
		/* Under ForceCommand the command asked for is here, and -c holds
		 * the ForceCommand itself. */
		const char *orig = getenv("SSH_ORIGINAL_COMMAND");
		if (orig)
			commands = *orig ? orig : NULL;
		if (commands && cli_login_is_transfer(commands)) {
			fprintf(stderr,
				"appsh: file transfer (scp, sftp, rsync) is not available in "
				"the appliance shell\n");
			return 1;
		}
		admin = NULL;
	}
	/* Everything appsh writes (store, key, history) is the owner's alone,
	 * or in the shared system directory its group's. */
	umask(077);
	/* A peer that closes a socket must give an error, not kill the shell
	 * (OpenSSL writes with plain write(2)). */
	signal(SIGPIPE, SIG_IGN);
	int rc = login ? statedir_system(dir, sizeof dir, err, sizeof err)
		       : statedir_open(statedir_arg, dir, sizeof dir, err, sizeof err);
	if (rc == 0 && statedir_shared(dir))
		umask(007);
	if (rc != 0 || cli_session_open(&cli, &cmds_hooks, dir, err, sizeof err) != 0) {
		fprintf(stderr, "appsh: %s\n", err);
		return 1;
	}
	bool tty = !commands && isatty(STDIN_FILENO);
	if (login && login_setup(&cli, tty) != 0) {
		cli_session_close(&cli);
		return 1;
	}
	if (admin && config_become(cli.cfg, admin, err, sizeof err) != 0) {
		fprintf(stderr, "appsh: %s\n", err);
		cli_session_close(&cli);
		return 1;
	}
	if (!login && (tty || commands))
		config_set_origin(cli.cfg, "console", tty ? "tty" : "command");
	if ((login || tty) && cli_login_register(&cli) != 0) {
		fprintf(stderr, "appsh: %s\n", config_errmsg(cli.cfg));
		cli_session_close(&cli);
		return 1;
	}
	if (commands)
		status = cli_run_script(&cli, -1, commands, stop_on_error);
	else if (tty)
		status = cli_interactive(&cli);
	else
		status = cli_run_script(&cli, STDIN_FILENO, NULL, stop_on_error);
	if (cli.killed) {
		fprintf(stderr, "appsh: this session was killed by an administrator\n");
		status = 1;
	}
	cli_login_unregister(&cli);
	cli_session_close(&cli);
	return status;
}
