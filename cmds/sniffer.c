/* SPDX-License-Identifier: MIT */
/*
 * sniffer.c - `diagnose sniffer packet`: the capture loop.
 *
 * libpcap in immediate mode, non-blocking: read whatever the ring holds,
 * print it, and only when the ring is empty flush stdout (and the pcap
 * file) and wait in poll().  So a burst costs one write per stdio buffer,
 * not one per packet, and a quiet link still shows each packet at once.
 * On a terminal every batch is flushed.  Ctrl-C (the session's cancel) ends the
 * capture with the footer; in a script, where nobody else catches SIGINT,
 * the sniffer catches it (and SIGTERM) itself for as long as it runs.
 */
#include "cmds/sniffer.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli/output.h"
#include "cli/session.h"
#include "cli/walk.h"
#include "net/capture.h"
#include "net/sniff_decode.h"

/*
 * Immediate mode makes libpcap use a ring of fixed-size frames, each as
 * large as the frame size (64 KiB on an interface with offloads), so a
 * large frame size leaves few slots and a burst overflows them.  When
 * nothing past the headers is shown (verbosity 1 and 4, no file), 256
 * bytes per packet are enough and the same ring holds some 30,000.
 */
enum {
	FULL_FRAME = 65535,
	HEADER_FRAME = 256,
	RING_BYTES = 8 << 20,
	BIG_RING_BYTES = 32 << 20,
	IDLE_POLL_MS = 200,
	BURST_NAP_US = 500,
};

static const char *check_intf(const char *v)
{
	if (!*v || strlen(v) >= IF_NAMESIZE)
		return "is not an interface name (1 to 15 characters) or any";
	for (const char *p = v; *p; p++)
		if (*p == '/' || *p == ' ' || *p == ':')
			return "is not an interface name (1 to 15 characters) or any";
	return NULL;
}

const struct schema_attr cmds_sniff_intf_arg = {
	.name = "interface",
	.help = "Interface to capture on, or any.",
	.type = SCHEMA_T_STRING,
	.max = IF_NAMESIZE - 1,
	.check = check_intf,
};
const struct schema_attr cmds_sniff_filter_arg = {
	.name = "filter",
	.help = "Capture filter in tcpdump syntax, quoted ('host 10.0.0.1 and icmp'), or none.",
	.type = SCHEMA_T_STRING,
	.max = 1024,
};
const struct schema_attr cmds_sniff_verbose_arg = {
	.name = "verbose",
	.help = "1 header, 2 +IP hex, 3 +Ethernet hex, 4-6 the same with the interface name.",
	.type = SCHEMA_T_UINT,
	.min = 1,
	.max = 6,
};
const struct schema_attr cmds_sniff_count_arg = {
	.name = "count",
	.help = "Packets to capture; 0 until Ctrl-C.",
	.type = SCHEMA_T_UINT,
	.min = 0,
	.max = 4294967295u,
};
const struct schema_attr cmds_sniff_ts_arg = {
	.name = "tsformat",
	.help = "a: absolute UTC time, l: absolute local time, else relative seconds.",
	.type = SCHEMA_T_STRING,
	.max = 16,
};
const struct schema_attr cmds_sniff_frame_arg = {
	.name = "frame-size",
	.help = "Bytes kept of each packet; default 256 at verbose 1 and 4, else 65535.",
	.type = SCHEMA_T_UINT,
	.min = 64,
	.max = 65535,
};
const struct schema_attr cmds_sniff_file_arg = {
	.name = "file",
	.help = "Pcap file to write the capture to (tcpdump -r and Wireshark read it).",
	.type = SCHEMA_T_STRING,
	.max = 4095,
};

struct sniff {
	struct cli *cli;
	pcap_t *p;
	struct sniff_fmt fmt;
	char *buf;
	size_t buflen;
	unsigned long count, seen;
	bool stop;
	pcap_dumper_t *dump;
	FILE *dumpf;
	int write_errno; /* the pcap file could not be written */
	struct {
		unsigned index;
		char name[IF_NAMESIZE];
	} names[32]; /* "any": interface names by index */
	size_t nnames;
};

static const char *ifname_of(void *ctx, unsigned index)
{
	struct sniff *s = ctx;
	for (size_t i = 0; i < s->nnames; i++)
		if (s->names[i].index == index)
			return s->names[i].name;
	size_t slot = s->nnames < sizeof s->names / sizeof s->names[0] ? s->nnames++ : index % 32;
	s->names[slot].index = index;
	if (!if_indextoname(index, s->names[slot].name))
		snprintf(s->names[slot].name, sizeof s->names[slot].name, "if%u", index % 100000u);
	return s->names[slot].name;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sniff *s = (struct sniff *)user;
	if (s->stop)
		return;
	size_t n = sniff_format(&s->fmt, &h->ts, bytes, h->caplen, s->buf, s->buflen);
	cli_out_write(s->cli->out, s->buf, n);
	if (s->dump) {
		errno = 0;
		pcap_dump((u_char *)s->dump, h, bytes);
		if (ferror(s->dumpf)) {
			s->write_errno = errno ? errno : EIO;
			s->stop = true;
		}
	}
	s->seen++;
	if (s->count && s->seen >= s->count) {
		s->stop = true;
		pcap_breakloop(s->p);
	}
}

static void flush_file(struct sniff *s)
{
	if (!s->dump || s->write_errno)
		return;
	errno = 0;
	if (pcap_dump_flush(s->dump) != 0 || ferror(s->dumpf))
		s->write_errno = errno ? errno : EIO;
}

/* The capture itself, once everything is open. */
static int capture_loop(struct sniff *s, bool tty, char *err, size_t errlen)
{
	int fd = pcap_get_selectable_fd(s->p);
	bool busy = false;
	for (;;) {
		if (s->cli->cancel || cli_out_quit(s->cli->out))
			return 0;
		int n = pcap_dispatch(s->p, -1, on_packet, (u_char *)s);
		if (s->stop)
			return 0;
		if (n == PCAP_ERROR) {
			snprintf(err, errlen, "the capture stopped: %s", pcap_geterr(s->p));
			return -1;
		}
		if (n > 0) {
			if (tty)
				fflush(stdout);
			busy = true;
			continue;
		}
		/*
		 * Emptied the ring during a burst: in immediate mode poll() would
		 * wake for every single packet, and the context switches would
		 * cost more than the printing.  A short nap lets a batch gather
		 * (at most BURST_NAP_US of delay, only while packets flow).
		 */
		if (busy) {
			busy = false;
			struct timespec nap = {0, BURST_NAP_US * 1000};
			nanosleep(&nap, NULL);
			continue;
		}
		/* Idle: everything so far onto the screen and into the file. */
		fflush(stdout);
		flush_file(s);
		if (s->write_errno)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (fd < 0)
			usleep(IDLE_POLL_MS * 1000);
		else if (poll(&pfd, 1, IDLE_POLL_MS) < 0 && errno != EINTR)
			return 0;
	}
}

static int open_file(struct sniff *s, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	/* A capture may replace a capture, not a device or a directory. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "cannot write %s: not a regular file", path);
		return -1;
	}
	s->dumpf = fopen(path, "wb");
	if (!s->dumpf) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(s->dumpf, NULL, _IOFBF, 64 * 1024);
	s->dump = pcap_dump_fopen(s->p, s->dumpf);
	if (!s->dump) {
		snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(s->p));
		fclose(s->dumpf);
		s->dumpf = NULL;
		return -1;
	}
	return 0;
}

int cmds_sniffer_packet(struct cli *cli, const struct cli_args *a)
{
	const char *intf = a->argv[0], *filter = "none", *path = NULL;
	struct sniff s = {.cli = cli};
	unsigned frame = 0;
	char err[PCAP_ERRBUF_SIZE + 1200];
	uint8_t mac[6];
	int rc = 0;

	s.fmt.verbose = 1;
	s.fmt.ts = SNIFF_TS_RELATIVE;
	for (int i = 1; i < a->argc; i++) {
		const struct schema_attr *at = a->argattr[i];
		const char *v = a->argv[i];
		if (at == &cmds_sniff_filter_arg)
			filter = v;
		else if (at == &cmds_sniff_verbose_arg)
			s.fmt.verbose = atoi(v);
		else if (at == &cmds_sniff_count_arg)
			s.count = strtoul(v, NULL, 10);
		else if (at == &cmds_sniff_ts_arg)
			s.fmt.ts = !strcmp(v, "a")   ? SNIFF_TS_UTC
				   : !strcmp(v, "l") ? SNIFF_TS_LOCAL
						     : SNIFF_TS_RELATIVE;
		else if (at == &cmds_sniff_frame_arg)
			frame = (unsigned)atoi(v);
		else if (at == &cmds_sniff_file_arg)
			path = v;
	}
	bool all = !*filter || !strcmp(filter, "none");
	if (!frame)
		frame = (s.fmt.verbose == 1 || s.fmt.verbose == 4) && !path ? HEADER_FRAME
									    : FULL_FRAME;
	struct capture_opts co = {
		.ifname = intf,
		.filter = all ? NULL : filter,
		.snaplen = (int)frame,
		.buffer_bytes = frame > 2048 ? BIG_RING_BYTES : RING_BYTES,
		.promisc = true,
	};
	enum capture_error kind;
	s.p = capture_open(&co, &kind, err, sizeof err);
	if (!s.p)
		return cli_fail(cli, -1, NULL, NULL, err);
	if (path && open_file(&s, path, err, sizeof err) != 0) {
		pcap_close(s.p);
		return cli_fail(cli, -1, NULL, NULL, err);
	}
	s.fmt.linktype = pcap_datalink(s.p);
	if (strcmp(intf, "any") != 0) {
		s.fmt.ifname = intf;
		if (capture_own_mac(intf, mac))
			s.fmt.own_mac = mac;
	}
	s.fmt.ifname_of = ifname_of;
	s.fmt.ctx = &s;
	s.buflen = sniff_text_max(frame);
	s.buf = malloc(s.buflen);
	if (!s.buf) {
		if (s.dump)
			pcap_dump_close(s.dump);
		pcap_close(s.p);
		return cli_fail(cli, -1, NULL, NULL, "out of memory");
	}

	cli_out_printf(cli->out, "interfaces=[%s]\nfilters=[%s]\n", intf, all ? "none" : filter);
	fflush(stdout);
	/* Ctrl-C, and in a script a plain kill, end the capture with the
	 * footer (as tcpdump's statistics); only default handlers are replaced:
	 * the terminal's own (cli/editline.c) already cancels the session, and an
	 * ignored SIGINT (a background job) stays ignored. */
	static const int sigs[2] = {SIGINT, SIGTERM};
	struct sigaction old[2], sa = {.sa_handler = cli_cancel_handler};
	bool own[2];
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 2; i++) {
		sigaction(sigs[i], NULL, &old[i]);
		own[i] = old[i].sa_handler == SIG_DFL;
		if (own[i])
			sigaction(sigs[i], &sa, NULL);
	}
	cli->cancel = 0;
	gettimeofday(&s.fmt.start, NULL);

	char loop_err[PCAP_ERRBUF_SIZE + 64] = "";
	int lrc = capture_loop(&s, isatty(STDOUT_FILENO), loop_err, sizeof loop_err);

	for (int i = 0; i < 2; i++)
		if (own[i])
			sigaction(sigs[i], &old[i], NULL);
	cli->cancel = 0;
	struct pcap_stat st = {0};
	pcap_stats(s.p, &st);
	cli_out_printf(cli->out, "\n%u packets received by filter\n%u packets dropped by kernel\n",
		       st.ps_recv, st.ps_drop);
	if (s.dump) {
		flush_file(&s);
		pcap_dump_close(s.dump); /* closes dumpf */
		if (s.write_errno) {
			snprintf(err, sizeof err,
				 "cannot write %s: %s (the capture stopped after %lu packets; the "
				 "file holds fewer)",
				 path, strerror(s.write_errno), s.seen);
			rc = cli_fail(cli, -1, NULL, NULL, err);
		} else {
			cli_out_printf(cli->out, "%lu packets written to %s\n", s.seen, path);
		}
	}
	if (lrc != 0 && rc == 0)
		rc = cli_fail(cli, -1, NULL, NULL, loop_err);
	free(s.buf);
	pcap_close(s.p);
	return rc;
}
