#!/usr/bin/env bash
# run-fuzz.sh - runs the libFuzzer targets briefly, each on a copy of its
# seed corpus: fuzz_cli (tokenizer and walker) for about 20 s, fuzz_reply
# (SMTP reply parser and EHLO reader), fuzz_sniff (the sniffer's packet
# decoder) and fuzz_changes (a revision's record) for about 10 s each,
# fuzz_hello (the TLS diagnosis' ServerHello reader) and fuzz_tftp (the
# TFTP packet parser) for about 5 s (`make fuzz` runs a long campaign by
# hand: scripts/fuzz-campaign.sh).
#
# The fuzz build is separate (clang, build-fuzz/, made by `make test-build`);
# without it the test is skipped.  A crash, leak, sanitizer report or
# timeout fails the test; the input that caused it is kept in
# $APPSH_BUILD/fuzz-artifacts/ and the tail of the fuzzer's log is printed.
set -u

FUZZ_DIR=${APPSH_SRC:?}/build-fuzz/fuzz
ARTIFACTS=${APPSH_BUILD:-$APPSH_SRC/build-test}/fuzz-artifacts

if [ ! -x "$FUZZ_DIR/fuzz_cli" ]; then
	echo "SKIP: $FUZZ_DIR/fuzz_cli not built (make test-build builds it with clang)"
	exit 77
fi

PASSED=0 FAILED=0 RC=0
pass() { echo "PASS $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# run_fuzzer NAME CORPUS SECONDS [libFuzzer options...]
run_fuzzer() {
	local name=$1 corpus=$2 secs=$3 fuzz=$FUZZ_DIR/$1 w=$WORK/$1 rc seeds runs
	shift 3
	if [ ! -x "$fuzz" ]; then
		fail "$name: $fuzz not built (make test-build builds it)"
		RC=1
		return
	fi
	mkdir "$w" "$w/corpus" "$w/tmp" "$w/art"
	cp "$corpus"/* "$w/corpus/"
	seeds=$(find "$w/corpus" -type f | wc -l)

	# TMPDIR: a target's state directory goes under WORK, so even one left
	# behind by a crash is removed by the trap.
	TMPDIR=$w/tmp "$fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$w/art/" "$@" "$w/corpus" \
		>"$w/log" 2>&1
	rc=$?

	if [ "$rc" -eq 0 ]; then
		pass "$name: fuzzer ran $secs s without a crash, leak, sanitizer report or timeout"
	else
		RC=$rc
		fail "$name: fuzzer exited with status $rc"
		mkdir -p "$ARTIFACTS"
		for f in "$w"/art/*; do
			[ -e "$f" ] || continue
			cp "$f" "$ARTIFACTS/$name-${f##*/}"
			echo "  input kept: $ARTIFACTS/$name-${f##*/}"
			echo "  reproduce:  $fuzz $ARTIFACTS/$name-${f##*/}"
		done
		echo "  --- last lines of the fuzzer's log ---"
		tail -n 60 "$w/log" | sed 's/^/  /'
		return
	fi

	# The next checks mean something only after a clean run.
	# Inputs were run at all (a target that returns at once, or a corpus
	# that was not found, would pass the check above).
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log")
	if [ "${runs:-0}" -gt "$seeds" ]; then
		pass "$name: fuzzer executed $runs inputs (corpus: $seeds seeds)"
	else
		fail "$name: fuzzer executed ${runs:-no} inputs (corpus: $seeds seeds)"
	fi
	# At a clean exit a target removes its private state directory.
	if [ -z "$(ls -A "$w/tmp")" ]; then
		pass "$name: the target left nothing in its TMPDIR"
	else
		fail "$name: state directory left behind: $(ls "$w/tmp")"
	fi
}

run_fuzzer fuzz_cli "$APPSH_SRC/fuzz/corpus" 20
# Inputs up to 16 KB: room for a reply of several 2048-byte lines, whose
# text (4 KB) is cut, and for the 100-line limit.
run_fuzzer fuzz_reply "$APPSH_SRC/fuzz/corpus-reply" 10 -max_len=16384
# Packets up to a jumbo frame's size.
run_fuzzer fuzz_sniff "$APPSH_SRC/fuzz/corpus-sniff" 10 -max_len=9100
# What a revision changed, as the store holds it.
run_fuzzer fuzz_changes "$APPSH_SRC/fuzz/corpus-changes" 10
# A ServerHello with its extensions fits in a few hundred bytes.
run_fuzzer fuzz_hello "$APPSH_SRC/fuzz/corpus-hello" 5 -max_len=4096
# TFTP datagrams: a full DATA packet and then some.
run_fuzzer fuzz_tftp "$APPSH_SRC/fuzz/corpus-tftp" 5 -max_len=600

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$RC" -eq 0 ]
