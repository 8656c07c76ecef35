#!/bin/sh
# Builds the Debian package from a clean copy of the source tree (build
# directories left out), so the work tree is not touched:
#     scripts/build-deb.sh [OUT_DIR]       (default: build-deb/)
# then, as root:  apt-get install ./build-deb/appsh_<version>_<arch>.deb
# The build log is OUT_DIR/build.log.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/build-deb}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT" "$W/appsh"
tar -C "$SRC" --exclude='./build*' --exclude='./.git' --exclude='./obj-*' -cf - . |
	tar -C "$W/appsh" -xf -
cd "$W/appsh"
if ! DEB_BUILD_OPTIONS="nocheck parallel=${JOBS:-2}" dpkg-buildpackage -us -uc -b \
	>"$OUT/build.log" 2>&1; then
	tail -n 40 "$OUT/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log: $OUT/build.log)" >&2
	exit 1
fi
rm -f "$OUT"/appsh_*.deb
cp "$W"/appsh_*.deb "$OUT/"
ls "$OUT"/appsh_*.deb
