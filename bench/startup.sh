#!/usr/bin/env bash
# startup.sh - start-up cost: `appsh -c 'get system mail 1'` against the
# sqlite3 tool reading the same entry from the same store, side by side in
# one hyperfine run.  Target: median <= 3x sqlite3's.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_tools

WARMUP=${WARMUP:-20}
RUNS=${RUNS:-300}

S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT

# A store with a few mail entries; entry 1 has every visible psk attribute.
"$APPSH" --state-dir "$S/state" <<'EOF' || die "could not prepare the store"
config system mail
edit 1
set server smtp.example.com
set port 587
set auth enable
set user alerts@example.com
set passwd S3cr3t
set from noreply@example.com
set secure-option starttls
set ssl-protocol tlsv1.2
next
edit 2
set server mx2.example.com
set secure-option smtps
next
edit backup
set server 192.0.2.25
set port 2525
next
edit 4
set auth-type certificate
next
end
EOF

APPSH_CMD="$APPSH --state-dir $S/state -c 'get system mail 1'"
SQL="SELECT v.attr, v.value FROM value v JOIN entry e ON e.id=v.entry WHERE e.path='system mail' AND e.key='1'"
SQLITE_CMD="sqlite3 $S/state/config.db \"$SQL\""

# Both must read entry 1 (a benchmark of a failing command measures nothing).
eval "$APPSH_CMD" | grep -q '^server *: smtp.example.com$' || die "appsh did not print entry 1"
[ "$(eval "$SQLITE_CMD" | grep -c '|')" -eq 8 ] || die "sqlite3 did not read entry 1's 8 values"

# -N: no intermediate shell, so the few milliseconds measured are the
# programs' own (hyperfine splits the command line like sh would).
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --output=null \
	--export-json "$BENCH_OUT/startup.json" --export-markdown "$BENCH_OUT/startup.md" \
	-n "appsh -c 'get system mail 1'" "$APPSH_CMD" \
	-n "sqlite3 SELECT (same entry)" "$SQLITE_CMD"

A=$(json_stat "$BENCH_OUT/startup.json" 0 median)
B=$(json_stat "$BENCH_OUT/startup.json" 1 median)
R=$(ratio "$A" "$B")
V=$(verdict "$R" 3)
CPU=$(ratio "$(json_cpu "$BENCH_OUT/startup.json" 0)" "$(json_cpu "$BENCH_OUT/startup.json" 1)")
echo
echo "startup: median appsh $(ms "$A") ms, sqlite3 $(ms "$B") ms: ratio ${R}x (target <= 3x: $V); CPU time ratio ${CPU}x"
summary "start-up, median" "$(ms "$A") ms" "$(ms "$B") ms" "${R}x" "${CPU}x" "<= 3x" "$V"
