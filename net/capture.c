/* SPDX-License-Identifier: MIT */
/* capture.c - see capture.h. */
#include "net/capture.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* "c0, lo, any": the interfaces libpcap can open here. */
static void list_devices(char *buf, size_t len)
{
	pcap_if_t *all = NULL;
	char ebuf[PCAP_ERRBUF_SIZE];
	size_t o = 0;

	buf[0] = '\0';
	if (pcap_findalldevs(&all, ebuf) != 0)
		return;
	for (pcap_if_t *d = all; d && o + 1 < len; d = d->next) {
		/* Network interfaces only, not libpcap's other sources (dbus, nflog). */
		if (strcmp(d->name, "any") != 0 && if_nametoindex(d->name) == 0)
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", d->name);
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	pcap_freealldevs(all);
}

static pcap_t *failed(pcap_t *p, enum capture_error *kind, enum capture_error k)
{
	*kind = k;
	if (p)
		pcap_close(p);
	return NULL;
}

pcap_t *capture_open(const struct capture_opts *o, enum capture_error *kind, char *err,
		     size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;

	*kind = CAPTURE_OK;
	/* libpcap would take a name it cannot open for a "device" to try. */
	if (strcmp(o->ifname, "any") != 0 && if_nametoindex(o->ifname) == 0) {
		char devs[512];
		list_devices(devs, sizeof devs);
		snprintf(err, errlen, "interface %s does not exist%s%s%s", o->ifname,
			 *devs ? " (interfaces here: " : "", devs, *devs ? ")" : "");
		return failed(NULL, kind, CAPTURE_E_NODEV);
	}
	pcap_t *p = pcap_create(o->ifname, ebuf);
	if (!p) {
		snprintf(err, errlen, "cannot capture on %s: %s", o->ifname, ebuf);
		return failed(NULL, kind, CAPTURE_E_OTHER);
	}
	pcap_set_snaplen(p, o->snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_immediate_mode(p, 1);
	if (o->buffer_bytes > 0)
		pcap_set_buffer_size(p, o->buffer_bytes);
	int rc = pcap_activate(p);
	if (rc == PCAP_ERROR_PERM_DENIED || (rc < 0 && strstr(pcap_geterr(p), "ermission"))) {
		snprintf(err, errlen,
			 "capturing on %s is not permitted (it needs root or CAP_NET_RAW)",
			 o->ifname);
		return failed(p, kind, CAPTURE_E_PERM);
	}
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
		snprintf(err, errlen, "interface %s does not exist", o->ifname);
		return failed(p, kind, CAPTURE_E_NODEV);
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot capture on %s: %s", o->ifname, pcap_geterr(p));
		return failed(p, kind, CAPTURE_E_OTHER);
	}
	/* Cooked v2 carries the interface index; older readers get v1. */
	if (strcmp(o->ifname, "any") == 0 && pcap_set_datalink(p, DLT_LINUX_SLL2) != 0)
		pcap_set_datalink(p, DLT_LINUX_SLL);
	if (o->filter) {
		if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "bad filter '%s': %s", o->filter, pcap_geterr(p));
			return failed(p, kind, CAPTURE_E_FILTER);
		}
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			snprintf(err, errlen, "cannot set the filter '%s': %s", o->filter,
				 pcap_geterr(p));
			return failed(p, kind, CAPTURE_E_FILTER);
		}
	}
	if (pcap_setnonblock(p, 1, ebuf) != 0) {
		snprintf(err, errlen, "cannot capture on %s: %s", o->ifname, ebuf);
		return failed(p, kind, CAPTURE_E_OTHER);
	}
	return p;
}

bool capture_own_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd < 0 || strlen(ifname) >= sizeof ifr.ifr_name) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		ok = mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5];
	}
	close(fd);
	return ok;
}
