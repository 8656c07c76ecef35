#!/bin/sh
# make test-stress: the whole suite while stress-ng keeps the machine busy
# (two CPU hogs and one I/O hog, as on the shared 2-core machines where
# `make test` once failed).  A test that passes alone must pass here too:
# tests assert on events (a reply, a RST, a timeout line), never on wall
# time tighter than a timeout they set themselves.
#
# usage: scripts/test-stress.sh [BUILD_DIR [JOBS]]
set -eu
BUILD=${1:-build-test}
JOBS=${2:-2}
command -v stress-ng >/dev/null || {
	echo "test-stress: stress-ng is missing (scripts/install-deps.sh installs it)" >&2
	exit 1
}
# The load stops with the suite: the trap ends it by its PID, and
# --timeout ends it anyway should this script be killed outright.
stress-ng --cpu 2 --io 1 --timeout 3h --quiet &
load=$!
trap 'kill "$load" 2>/dev/null; wait "$load" 2>/dev/null || :' EXIT
trap 'exit 130' INT TERM
echo "test-stress: stress-ng (pid $load) loads the machine: --cpu 2 --io 1"
cd "$BUILD"
ctest --output-on-failure -j "$JOBS"
