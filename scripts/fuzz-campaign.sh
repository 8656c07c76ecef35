#!/bin/sh
# make fuzz: a long fuzzing campaign, by hand (the suite runs each target
# for seconds only, tests/fuzz).  Each target runs FUZZ_RUNS inputs
# (default 10 million) on a scratch copy of its corpus, using JOBS
# processes; then the inputs that found new coverage are merged into the
# corpus kept in the tree (fuzz/corpus*), ready to commit.  A crash stops
# the campaign with the input in build-fuzz/artifacts/.
#
# usage: scripts/fuzz-campaign.sh [TARGET...]   (default: all)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
FUZZ=${FUZZ_BUILD:-$SRC/build-fuzz}/fuzz
RUNS=${FUZZ_RUNS:-10000000}
JOBS=${JOBS:-1}
ART=${FUZZ_BUILD:-$SRC/build-fuzz}/artifacts
mkdir -p "$ART"
[ $# -gt 0 ] || set -- fuzz_cli fuzz_reply fuzz_sniff fuzz_tftp fuzz_changes fuzz_hello
for t in "$@"; do
	case $t in
	fuzz_cli) corpus=corpus opts= ;;
	fuzz_reply) corpus=corpus-reply opts=-max_len=16384 ;;
	fuzz_sniff) corpus=corpus-sniff opts=-max_len=9100 ;;
	fuzz_tftp) corpus=corpus-tftp opts=-max_len=600 ;;
	fuzz_changes) corpus=corpus-changes opts= ;;
	fuzz_hello) corpus=corpus-hello opts=-max_len=4096 ;;
	*) echo "fuzz-campaign: unknown target $t" >&2; exit 2 ;;
	esac
	W=$(mktemp -d)
	cp "$SRC/fuzz/$corpus"/* "$W/"
	echo "== $t: $RUNS inputs, corpus fuzz/$corpus ($(ls "$W" | wc -l) files)"
	# -runs counts the inputs of each job: spread them over the jobs (whose
	# logs, fuzz-N.log, go to the build directory).
	par=
	[ "$JOBS" -gt 1 ] && par="-jobs=$JOBS -workers=$JOBS"
	(cd "$ART/.." && "$FUZZ/$t" -runs=$((RUNS / JOBS)) $par -print_final_stats=1 \
		-artifact_prefix="$ART/$t-" $opts "$W")
	"$FUZZ/$t" -merge=1 $opts "$SRC/fuzz/$corpus" "$W"
	rm -rf "$W"
done
