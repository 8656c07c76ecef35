#!/usr/bin/env bash
# run-fuzz.sh - runs the libFuzzer target for the tokenizer and walker for
# about 20 s on a copy of the seed corpus (`make fuzz` runs it for 10 min).
#
# The fuzz build is separate (clang, build-fuzz/, made by `make test-build`);
# without it the test is skipped.  A crash, leak, sanitizer report or
# timeout fails the test; the input that caused it is kept in
# $APPSH_BUILD/fuzz-artifacts/ and the tail of the fuzzer's log is printed.
set -u

FUZZ=${APPSH_SRC:?}/build-fuzz/fuzz/fuzz_cli
CORPUS=$APPSH_SRC/fuzz/corpus
ARTIFACTS=${APPSH_BUILD:-$APPSH_SRC/build-test}/fuzz-artifacts

if [ ! -x "$FUZZ" ]; then
	echo "SKIP: $FUZZ not built (make test-build builds it with clang)"
	exit 77
fi

PASSED=0 FAILED=0
pass() { echo "PASS $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/corpus" "$WORK/tmp" "$WORK/art"
cp "$CORPUS"/* "$WORK/corpus/"
seeds=$(find "$WORK/corpus" -type f | wc -l)

# TMPDIR: the target's state directory goes under WORK, so even one left
# behind by a crash is removed by the trap.
TMPDIR=$WORK/tmp "$FUZZ" -max_total_time=20 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$WORK/art/" "$WORK/corpus" \
	>"$WORK/log" 2>&1
rc=$?

if [ "$rc" -eq 0 ]; then
	pass "fuzzer ran 20 s without a crash, leak, sanitizer report or timeout"
else
	fail "fuzzer exited with status $rc"
	mkdir -p "$ARTIFACTS"
	for f in "$WORK"/art/*; do
		[ -e "$f" ] || continue
		cp "$f" "$ARTIFACTS/"
		echo "  input kept: $ARTIFACTS/${f##*/}"
		echo "  reproduce:  $FUZZ $ARTIFACTS/${f##*/}"
	done
	echo "  --- last lines of the fuzzer's log ---"
	tail -n 60 "$WORK/log" | sed 's/^/  /'
fi

# The next checks mean something only after a clean run.
if [ "$rc" -eq 0 ]; then
	# Inputs were run at all (a target that returns at once, or a corpus
	# that was not found, would pass the check above).
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/log")
	if [ "${runs:-0}" -gt "$seeds" ]; then
		pass "fuzzer executed $runs inputs (corpus: $seeds seeds)"
	else
		fail "fuzzer executed ${runs:-no} inputs (corpus: $seeds seeds)"
	fi
	# At a clean exit the target removes its private state directory.
	if [ -z "$(ls -A "$WORK/tmp")" ]; then
		pass "the target removed its state directory at exit"
	else
		fail "state directory left behind: $(ls "$WORK/tmp")"
	fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$rc" -eq 0 ]
