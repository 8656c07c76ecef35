#!/usr/bin/env bash
# run-deb.sh APPSH - the Debian package, built and installed for real:
#  - scripts/build-deb.sh (dpkg-buildpackage -us -uc -b on a clean copy);
#  - lintian finds no error;
#  - the .deb is installed with dpkg --root into a scratch root: an overlay
#    of this machine's root filesystem whose changes land in a tmpfs, in a
#    private mount namespace, so the maintainer scripts really run
#    (chrooted) and nothing of it reaches the machine;
#  - from the installed paths: the version, the group and the modes the
#    postinst set (set-group-ID appsh, the state directory 2770), /etc/shells,
#    the manual pages, the unit enabled, a store created, a message queued
#    with appsh-sendmail and seen by the daemon the shell reaches;
#  - remove and purge: the shell leaves /etc/shells, purge removes the state
#    directory and the overrides, the group stays (Debian policy).
set -u
pass=0 fail=0
check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "PASS $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg --root, mounts)"
for t in dpkg-buildpackage lintian unshare chroot; do
	command -v "$t" >/dev/null || skip "$t missing (scripts/install-deps.sh installs it)"
done
SRC=${APPSH_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# APPSH_DEB=path/to/appsh_*.deb tests that package instead of building one.
if [ -n "${APPSH_DEB:-}" ]; then
	mkdir "$T/out" && cp "$APPSH_DEB" "$T/out/"
elif ! JOBS=2 "$SRC/scripts/build-deb.sh" "$T/out" >"$T/build.out" 2>&1; then
	cat "$T/build.out"
	echo "FAIL dpkg-buildpackage -us -uc -b"
	echo "$pass passed, 1 failed"
	exit 1
fi
DEB=$(ls "$T"/out/appsh_*.deb)
echo "PASS dpkg-buildpackage -us -uc -b${APPSH_DEB:+ (given)}: ${DEB##*/}"
pass=$((pass + 1))
version=$(cat "$SRC/VERSION")
check "the package's version is VERSION's ($version)" \
	test "$(dpkg-deb -f "$DEB" Version)" = "$version"
lintian --fail-on error "$DEB" >"$T/lintian.out" 2>&1
check "lintian: no error" eval "! grep -q '^E:' '$T/lintian.out'"
sed 's/^/    /' "$T/lintian.out"
dpkg-deb -c "$DEB" >"$T/contents"
for f in usr/bin/appsh usr/bin/fazmaild usr/bin/appsh-sendmail lib/systemd/system/fazmaild.service \
	usr/share/man/man1/appsh.1.gz usr/share/man/man5/appsh-config.5.gz \
	usr/share/man/man8/fazmaild.8.gz usr/share/man/man8/appsh-sendmail.8.gz; do
	check "the package holds /$f" grep -q " \./$f\$" "$T/contents"
done

# The scratch root, in a private mount namespace (gone when it ends).
cat >"$T/inside.sh" <<'INSIDE'
set -u
T=$1 DEB=$2 version=$3
R=$T/ns/root
mount -t tmpfs tmpfs "$T/ns" && mkdir "$T/ns/up" "$T/ns/work" "$R" &&
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/ns/up,workdir=$T/ns/work" "$R" &&
	mount --bind /dev "$R/dev" && mount -t proc proc "$R/proc" || { echo "FAIL scratch root"; exit 1; }
pass=0 fail=0
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "PASS $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
in_root() { chroot "$R" "$@"; }
getent_root() { grep -q "^$1:" "$R/etc/$2"; }
export DEBIAN_FRONTEND=noninteractive
if dpkg --root="$R" -i "$DEB" >"$T/install.out" 2>&1; then
	pass=$((pass + 1)); echo "PASS dpkg --root -i installs it (maintainer scripts ran)"
else
	fail=$((fail + 1)); echo "FAIL dpkg --root -i installs it"; sed 's/^/    /' "$T/install.out"
fi
check "installed appsh: --version from the installed path" \
	eval "test \"\$(in_root /usr/bin/appsh --version)\" = 'appsh $version'"
check "get system status shows the same version" \
	eval "in_root /usr/bin/appsh -c 'get system status' | grep -q '^Version  *: v$version-'"
check "postinst: the system group appsh" getent_root appsh group
check "postinst: appsh is root:appsh 2755" \
	test "$(in_root stat -c '%U:%G %a' /usr/bin/appsh)" = "root:appsh 2755"
if [ -e "$R/usr/bin/appsh-postdrop" ]; then # the privilege split
	check "postinst: appsh-postdrop is root:appsh 2755" \
		test "$(in_root stat -c '%U:%G %a' /usr/bin/appsh-postdrop)" = "root:appsh 2755"
	check "postinst: appsh-capture is root:appsh 0750 with cap_net_raw" \
		eval "test \"\$(in_root stat -c '%U:%G %a' /usr/bin/appsh-capture)\" = 'root:appsh 750' &&
		      getcap '$R/usr/bin/appsh-capture' | grep -q cap_net_raw"
	check "postinst: fazmaild and appsh-sendmail hold no privilege" \
		eval "test \"\$(in_root stat -c '%a' /usr/bin/fazmaild /usr/bin/appsh-sendmail | sort -u)\" = 755"
else
	check "postinst: fazmaild and appsh-sendmail are root:appsh 2755" \
		eval "test \"\$(in_root stat -c '%U:%G %a' /usr/bin/fazmaild /usr/bin/appsh-sendmail | sort -u)\" = 'root:appsh 2755'"
fi
check "postinst: the modes are dpkg-statoverride entries" \
	eval "dpkg-statoverride --root '$R' --list | grep -q ' appsh 2755 /usr/bin/appsh\$'"
check "postinst: the daemon's account fazmaild, group appsh, no login" \
	eval "grep -q '^fazmaild:[^:]*:[0-9]*:'\$(grep '^appsh:' '$R/etc/group' | cut -d: -f3)':.*:/usr/sbin/nologin\$' '$R/etc/passwd'"
check "postinst: /var/lib/appsh is root:appsh 2770" \
	test "$(in_root stat -c '%U:%G %a' /var/lib/appsh)" = "root:appsh 2770"
check "postinst: the store exists, group-shared" \
	test "$(in_root stat -c '%G %a' /var/lib/appsh/config.db)" = "appsh 660"
check "postinst: /usr/bin/appsh is a login shell in /etc/shells" grep -qx /usr/bin/appsh "$R/etc/shells"
check "the unit is enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/fazmaild.service"
check "the man pages read with man" eval "in_root man -P cat appsh-config 2>/dev/null | grep -q 'config system mail'"
printf 'Subject: package\n\nhello\n' >"$R/tmp/msg"
check "installed appsh-sendmail queues a message" \
	eval "in_root /usr/bin/appsh-sendmail -f alerts@example.com ops@example.com <'$R/tmp/msg'"
check "the installed shell sees it in the daemon's queue" \
	eval "in_root /usr/bin/appsh -c 'diagnose test application fazmaild 2' | grep -q '^queue: *1/5000'"
pid=$(cat "$R/var/lib/appsh/fazmaild.pid" 2>/dev/null)
[ -n "$pid" ] && kill "$pid" 2>/dev/null
for _ in $(seq 200); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
check "dpkg --root -r removes it" dpkg --root="$R" -r appsh
check "postrm remove: /usr/bin/appsh left /etc/shells" eval "! grep -qx /usr/bin/appsh '$R/etc/shells'"
check "remove keeps the state directory" test -d "$R/var/lib/appsh"
check "dpkg --root -P purges it" dpkg --root="$R" -P appsh
check "postrm purge: the state directory is gone" test ! -e "$R/var/lib/appsh"
check "postrm purge: the overrides are gone" \
	eval "! dpkg-statoverride --root '$R' --list | grep -q /usr/bin/appsh"
check "postrm purge: the group and the account stay (policy)" \
	eval "getent_root appsh group && getent_root fazmaild passwd"
umount "$R/proc" "$R/dev" "$R" "$T/ns" 2>/dev/null
echo "inside: $pass passed, $fail failed"
[ "$fail" = 0 ]
INSIDE
mkdir "$T/ns"
unshare -m --propagation private bash "$T/inside.sh" "$T" "$DEB" "$version" >"$T/inside.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL|    )' "$T/inside.out"
pass=$((pass + $(grep -c '^PASS' "$T/inside.out")))
fail=$((fail + $(grep -c '^FAIL' "$T/inside.out")))
[ "$rc" = 0 ] || grep -q '^FAIL' "$T/inside.out" || { fail=$((fail + 1)); echo "FAIL the scratch root"; cat "$T/inside.out"; }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
