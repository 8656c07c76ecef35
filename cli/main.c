/* SPDX-License-Identifier: MIT */
/*
 * main.c - appsh: picks the way in (terminal, script on stdin, -c) and
 * opens the state directory.  Everything else lives in the cli module.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/statedir.h"

int cli_interactive(struct cli *cli);

static void usage(FILE *f)
{
	fprintf(f, "Usage: appsh [--state-dir DIR] [-e] [-c COMMANDS]\n"
		   "An appliance-style shell for the FortiAnalyzer mail configuration.\n"
		   "\n"
		   "  -c COMMANDS        run the newline-separated COMMANDS, then exit\n"
		   "  -e                 stop at the first failing command (scripts and -c)\n"
		   "  --state-dir DIR    keep the store, key and history in DIR\n"
		   "                     (default: $APPSH_STATE_DIR, /var/lib/appsh for root,\n"
		   "                     else $XDG_STATE_HOME/appsh or ~/.local/state/appsh)\n"
		   "  -h, --help         show this help\n"
		   "  -V, --version      show the version\n"
		   "\n"
		   "On a terminal appsh is interactive (TAB completes, ? lists what may come\n"
		   "next).  Otherwise it reads commands from standard input: no prompt,\n"
		   "errors on stderr as 'line N: ...', exit status 0 only if every command\n"
		   "succeeded.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"state-dir", required_argument, NULL, 'S'},
		{0},
	};
	const char *statedir_arg = NULL, *commands = NULL;
	bool stop_on_error = false;
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
	/* Everything appsh writes (store, key, history) is the owner's alone. */
	umask(077);
	/* A peer that closes a socket must give an error, not kill the shell
	 * (OpenSSL writes with plain write(2)). */
	signal(SIGPIPE, SIG_IGN);
	if (statedir_open(statedir_arg, dir, sizeof dir, err, sizeof err) != 0 ||
	    cli_session_open(&cli, dir, err, sizeof err) != 0) {
		fprintf(stderr, "appsh: %s\n", err);
		return 1;
	}
	if (commands)
		status = cli_run_script(&cli, -1, commands, stop_on_error);
	else if (isatty(STDIN_FILENO))
		status = cli_interactive(&cli);
	else
		status = cli_run_script(&cli, STDIN_FILENO, NULL, stop_on_error);
	cli_session_close(&cli);
	return status;
}
