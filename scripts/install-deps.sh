#!/bin/sh
# Installs, on Debian 12, whatever the build and the tests need and is not
# there yet.  Quiet and quick when everything is present.
set -e
# build: compilers, libraries, formatter; tests: the real peers they start
# (aiosmtpd, Postfix with Cyrus SASL, dnsmasq, OpenSSL's CLI for the test PKI, nftables and iproute2
# for namespaces) and the terminal driver; bench: hyperfine, GNU time;
# packaging: mandoc (man page lint), debhelper and lintian (the .deb),
# tftpd-hpa (the TFTP server certificates are imported from); stress-ng
# for make test-stress.
need="cmake make gcc clang pkg-config libedit-dev libssl-dev libpcap-dev libsqlite3-dev libssh-dev
      libclang-rt-14-dev clang-format
      sqlite3 tmux expect python3 python3-aiosmtpd openssl swaks libnet-ssleay-perl
      libauthen-sasl-perl postfix sasl2-bin libsasl2-modules dnsmasq-base nftables
      iproute2 iputils-ping util-linux tcpdump
      openssh-server openssh-client
      hyperfine time stress-ng
      mandoc debhelper lintian tftpd-hpa"
missing=
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# postfix is here for its smtp-sink/smtp-source test tools: never configure
# or start it as the machine's MTA.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
# tftpd-hpa is here for in.tftpd, which the certificate tests start on a
# free port of their own: should its service start, it listens on loopback
# only.
echo 'tftpd-hpa tftpd-hpa/address string 127.0.0.1:69' | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 $missing >/dev/null
