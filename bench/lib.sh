# shellcheck shell=bash
# lib.sh - shared by the benchmark scripts (sourced, not run).
#
# Environment:
#   APPSH      the shell under test (default: build/appsh, the release build)
#   BENCH_OUT  where exports and the summary go (default: build/bench)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(dirname "$BENCH_DIR")
APPSH=${APPSH:-$SRC_DIR/build/appsh}
BENCH_OUT=${BENCH_OUT:-$SRC_DIR/build/bench}
TIME=/usr/bin/time # GNU time, for peak RSS (Debian package "time")

die() {
	echo "bench: $*" >&2
	exit 1
}

need_tools() {
	[ -x "$APPSH" ] || die "no appsh at $APPSH (cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build)"
	local t
	for t in hyperfine sqlite3 python3; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	[ -x "$TIME" ] || die "GNU time is not installed (apt-get install time)"
	mkdir -p "$BENCH_OUT"
}

# json_stat FILE INDEX FIELD: one statistic (seconds) of hyperfine's JSON export.
json_stat() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])][sys.argv[3]])' "$@"
}

# json_cpu FILE INDEX: mean CPU time (user + system, seconds) of one command
# in hyperfine's JSON export; less disturbed than wall time by other work on
# the machine.
json_cpu() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print(r["user"] + r["system"])' "$@"
}

# ratio A B: A/B to two decimals.
ratio() {
	python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"
}

# ms SECONDS: milliseconds, one decimal.
ms() {
	python3 -c 'import sys; print(f"{float(sys.argv[1]) * 1000:.1f}")' "$1"
}

# verdict VALUE LIMIT: "met" when VALUE <= LIMIT, else "MISSED".
verdict() {
	python3 -c 'import sys; print("met" if float(sys.argv[1]) <= float(sys.argv[2]) else "MISSED")' "$1" "$2"
}

# summary MEASURE APPSH REFERENCE RESULT CPU-RATIO TARGET VERDICT: one row
# of the table that run-all.sh prints (tab-separated, $BENCH_OUT/summary.tsv).
summary() {
	local IFS=$'\t'
	echo "$*" >>"$BENCH_OUT/summary.tsv"
}
