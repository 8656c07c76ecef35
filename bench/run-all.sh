#!/usr/bin/env bash
# run-all.sh - every benchmark, then one summary table (what `make bench`
# runs).  Exports (hyperfine JSON and markdown) stay in $BENCH_OUT.
# Exit status: 0 when the benchmarks ran, whether or not a target was met
# (the table says that); 1 when one could not run or checked a wrong result.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_tools

rm -f "$BENCH_OUT/summary.tsv"
# Other work on the machine skews the timings: say how busy it was.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
"$BENCH_DIR/startup.sh"
echo
"$BENCH_DIR/bulk.sh"
echo && "$BENCH_DIR/smtp.sh"
echo && "$BENCH_DIR/maild.sh"
echo && "$BENCH_DIR/ping.sh"
echo && "$BENCH_DIR/sniffer.sh"

echo
echo "## Summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)," \
	"load $LOAD_BEFORE before, $(cut -d' ' -f1 /proc/loadavg) after)"
echo
echo "| measure | appsh | reference | result | CPU-time ratio | target | |"
echo "|---|---:|---:|---:|---:|---|---|"
while IFS=$'\t' read -r what a b r c t v; do
	echo "| $what | $a | $b | $r | $c | $t | $v |"
done <"$BENCH_OUT/summary.tsv"
echo
echo "exports: $BENCH_OUT"
