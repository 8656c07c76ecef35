#!/usr/bin/env bash
# run-man.sh APPSH - the manual pages and `make install`:
#  - every page built in <build>/man passes `mandoc -T lint` (warnings and
#    worse fail; style notes do not);
#  - the pages carry the version `appsh --version` prints (one VERSION);
#  - appsh-config(5), written from the schema, names the attributes;
#  - cmake --install into a DESTDIR puts the programs, the four pages and
#    the systemd unit (naming the installed fazmaild) under the prefix.
set -u
APPSH=${1:?usage: run-man.sh APPSH}
BUILD=${APPSH_BUILD:?}
MAN=$BUILD/man
pass=0 fail=0
check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "PASS $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
command -v mandoc >/dev/null || { echo "SKIP: mandoc missing (scripts/install-deps.sh installs it)"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

version=$("$APPSH" --version | sed -n 's/^appsh //p')
check "appsh --version prints a version ($version)" test -n "$version"
check "the version is VERSION's" test "$version" = "$(cat "${APPSH_SRC:?}/VERSION")"
for page in appsh.1 appsh-config.5 fazmaild.8 appsh-sendmail.8; do
	check "$page: built" test -s "$MAN/$page"
	check "$page: mandoc -T lint -W warning is clean" \
		mandoc -T lint -W warning "$MAN/$page"
	check "$page: .TH names appsh $version" grep -q "^\.TH .*\"appsh $version\"" "$MAN/$page"
	check "$page: renders" eval "mandoc -T utf8 '$MAN/$page' >/dev/null"
done
check "appsh-config(5): the mail table and its attributes" \
	eval "mandoc -T utf8 '$MAN/appsh-config.5' | col -b >'$T/config.txt' &&
	      grep -q 'config system mail' '$T/config.txt' &&
	      grep -q 'secure-option' '$T/config.txt' && grep -q 'STARTTLS' '$T/config.txt'"
check "appsh-config(5): every node of the tree" \
	eval "for n in 'system admin profile' 'system admin user' 'system certificate ca' \
	               'system certificate local' 'system dns' 'system global' 'system mail'; do
	        grep -q \"config \$n\" '$T/config.txt' || exit 1; done"

# make install's rules, into a DESTDIR with the prefix /usr.
if DESTDIR=$T/root cmake --install "$BUILD" --prefix /usr >"$T/install.log" 2>&1; then
	pass=$((pass + 1))
	echo "PASS cmake --install with DESTDIR and a prefix"
else
	fail=$((fail + 1))
	echo "FAIL cmake --install with DESTDIR and a prefix"
	cat "$T/install.log"
fi
for f in bin/appsh bin/fazmaild bin/appsh-sendmail; do
	check "installed: /usr/$f, executable" test -x "$T/root/usr/$f"
done
for f in man1/appsh.1 man5/appsh-config.5 man8/fazmaild.8 man8/appsh-sendmail.8; do
	check "installed: /usr/share/man/$f" test -s "$T/root/usr/share/man/$f"
done
unit=$T/root/usr/lib/systemd/system/fazmaild.service
check "installed: the systemd unit" test -s "$unit"
check "the unit starts the installed fazmaild" grep -qx 'ExecStart=/usr/bin/fazmaild .*' "$unit"
check "the installed appsh runs" eval "'$T/root/usr/bin/appsh' --version | grep -qx 'appsh $version'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
