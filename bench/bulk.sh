#!/usr/bin/env bash
# bulk.sh - a 100,002-line script (10,000 `system mail` entries, 8 `set`s
# each) applied to a fresh state dir through stdin, against the sqlite3 tool
# loading the same entry/value rows in one transaction into a copy of an
# empty store made by appsh, two ways: INSERT statements as `.dump` writes
# them, and `.import` of CSV files (one prepared statement, sqlite3's fastest
# path).  Then peak RSS of the import, and `show` of all of it and `get` of
# one entry on the filled store.
# Targets: <= 3x sqlite3's time, <= 32 MB peak RSS, show and get < 0.5 s each.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_tools

N=${ENTRIES:-10000}
RUNS=${RUNS:-10}
S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT

# An empty store, as appsh creates it on first start.
"$APPSH" --state-dir "$S/empty" -c 'get system global' >/dev/null || die "appsh could not create a store"
[ ! -e "$S/empty/config.db-wal" ] || die "the empty store kept a WAL file; copy it too"
# A new store already holds the built-in administrators and profiles: the
# mail entries get the ids after theirs, as appsh gives them.
BASE=$(sqlite3 "$S/empty/config.db" 'SELECT coalesce(max(id), 0) FROM entry')

# The script, in the form `show` prints (what an operator re-imports), and
# the same rows as SQL in the form `sqlite3 .dump` prints (what a user of
# the sqlite3 tool would load) and as CSV for `.import`.  Every value
# differs from its default, so each entry stores 8 value rows.  passwd is left out: appsh stores it
# encrypted, and sqlite3 could not produce the same row.
awk -v n="$N" -v base="$BASE" -v script="$S/bulk.txt" -v sql="$S/bulk.sql" \
	-v entry_csv="$S/entry.csv" -v value_csv="$S/value.csv" 'BEGIN {
	print "config system mail" > script
	print "PRAGMA synchronous = FULL;\nBEGIN TRANSACTION;" > sql
	for (i = 1; i <= n; i++) {
		a["server"] = "smtp" i ".example.com"
		a["port"] = 1024 + i
		a["auth"] = "enable"
		a["auth-type"] = "certificate"
		a["user"] = "user" i "@example.com"
		a["from"] = "alerts" i "@example.com"
		a["secure-option"] = i % 2 ? "starttls" : "smtps"
		a["ssl-protocol"] = i % 2 ? "tlsv1.2" : "tlsv1.3"
		printf "    edit \"%d\"\n", i > script
		printf "INSERT INTO entry VALUES(%d,'\''system mail'\'','\''%d'\'');\n", base + i, i > sql
		printf "%d,system mail,%d\n", base + i, i > entry_csv
		split("server port auth auth-type user from secure-option ssl-protocol", k, " ")
		for (j = 1; j <= 8; j++) {
			v = a[k[j]]
			q = v ~ /^[0-9]+$|^(enable|certificate|starttls|smtps|tlsv1\..)$/ ? v : "\"" v "\""
			printf "        set %s %s\n", k[j], q > script
			printf "INSERT INTO value VALUES(%d,'\''%s'\'','\''%s'\'');\n", base + i, k[j], v > sql
			printf "%d,%s,%s\n", base + i, k[j], v > value_csv
		}
		print "    next" > script
	}
	print "end" > script
	print "COMMIT;" > sql
}'
# .import inside BEGIN/COMMIT joins that one transaction.
printf '%s\n' 'PRAGMA synchronous = FULL;' 'BEGIN TRANSACTION;' ".import --csv $S/entry.csv entry" \
	".import --csv $S/value.csv value" 'COMMIT;' >"$S/import.sql"
LINES=$(wc -l <"$S/bulk.txt")
echo "bulk: script of $LINES lines, $N entries; SQL of $(wc -l <"$S/bulk.sql") lines"


# One run of each, to check that they produce the same rows.
rows() {
	sqlite3 "$1" "SELECT e.id, e.path, e.key, v.attr, v.value FROM entry e
		JOIN value v ON v.entry = e.id WHERE e.path = 'system mail' ORDER BY e.id, v.attr"
}
"$APPSH" --state-dir "$S/a" <"$S/bulk.txt" >"$S/a.out" 2>&1 || { head "$S/a.out"; die "appsh failed the import"; }
[ ! -s "$S/a.out" ] || { head "$S/a.out"; die "appsh printed something during the import"; }
cp -a "$S/empty" "$S/q"
sqlite3 "$S/q/config.db" <"$S/bulk.sql" || die "sqlite3 failed the import"
rows "$S/a/config.db" >"$S/a.rows"
rows "$S/q/config.db" >"$S/q.rows"
[ "$(wc -l <"$S/a.rows")" -eq $((N * 8)) ] || die "appsh stored $(wc -l <"$S/a.rows") value rows, not $((N * 8))"
cmp -s "$S/a.rows" "$S/q.rows" || die "appsh and sqlite3 stored different rows (diff $S/a.rows $S/q.rows)"
rm -rf "$S/q" && cp -a "$S/empty" "$S/q"
sqlite3 "$S/q/config.db" <"$S/import.sql" || die "sqlite3 .import failed"
rows "$S/q/config.db" >"$S/q.rows"
cmp -s "$S/a.rows" "$S/q.rows" || die "appsh and sqlite3 .import stored different rows (diff $S/a.rows $S/q.rows)"
echo "bulk: appsh, sqlite3 < bulk.sql and sqlite3 .import store the same $((N * 8)) value rows"

# The import, side by side; --prepare gives each run a fresh state dir
# (appsh: none at all, so it also creates the store; sqlite3: the empty copy).
hyperfine --warmup 1 --runs "$RUNS" --output=null \
	--export-json "$BENCH_OUT/bulk.json" --export-markdown "$BENCH_OUT/bulk.md" \
	-n "appsh < bulk.txt" --prepare "rm -rf $S/a" "$APPSH --state-dir $S/a < $S/bulk.txt" \
	-n "sqlite3 < bulk.sql" --prepare "rm -rf $S/q && cp -a $S/empty $S/q" "sqlite3 $S/q/config.db < $S/bulk.sql" \
	-n "sqlite3 .import CSV" --prepare "rm -rf $S/q && cp -a $S/empty $S/q" "sqlite3 $S/q/config.db < $S/import.sql"

# Peak RSS (kB) of three imports into a fresh dir; the largest is reported.
rss() {
	local max=0 r
	for _ in 1 2 3; do
		rm -rf "$S/r"
		if [ "$1" = appsh ]; then
			r=$("$TIME" -f %M "$APPSH" --state-dir "$S/r" <"$S/bulk.txt" 2>&1 >/dev/null)
		else
			cp -a "$S/empty" "$S/r"
			r=$("$TIME" -f %M sqlite3 "$S/r/config.db" <"$S/bulk.sql" 2>&1 >/dev/null)
		fi
		[ "$r" -gt "$max" ] && max=$r
	done
	echo "$max"
}
RSS_A=$(rss appsh)
RSS_Q=$(rss sqlite3)
MB_A=$(python3 -c "print(f'{$RSS_A / 1024:.1f}')")
MB_Q=$(python3 -c "print(f'{$RSS_Q / 1024:.1f}')")

# Reading the filled store back (the last import left $S/a full).
"$APPSH" --state-dir "$S/a" -c 'show system mail' >"$S/show.out" || die "show failed"
[ "$(grep -c '^    edit "' "$S/show.out")" -eq "$N" ] || die "show did not print $N entries"
"$APPSH" --state-dir "$S/a" -c "get system mail $((N / 2))" >"$S/get.out" || die "get failed"
grep -q "^server *: smtp$((N / 2)).example.com$" "$S/get.out" || die "get did not print entry $((N / 2))"
hyperfine -N --warmup 2 --runs "$RUNS" --output=null \
	--export-json "$BENCH_OUT/read.json" --export-markdown "$BENCH_OUT/read.md" \
	-n "appsh -c 'show system mail' ($N entries)" "$APPSH --state-dir $S/a -c 'show system mail'" \
	-n "appsh -c 'get system mail $((N / 2))'" "$APPSH --state-dir $S/a -c 'get system mail $((N / 2))'"

A=$(json_stat "$BENCH_OUT/bulk.json" 0 median)
B=$(json_stat "$BENCH_OUT/bulk.json" 1 median)
C=$(json_stat "$BENCH_OUT/bulk.json" 2 median)
R=$(ratio "$A" "$B")
V=$(verdict "$R" 3)
RC=$(ratio "$A" "$C")
VC=$(verdict "$RC" 3)
CPU_A=$(json_cpu "$BENCH_OUT/bulk.json" 0)
CPU_R=$(ratio "$CPU_A" "$(json_cpu "$BENCH_OUT/bulk.json" 1)")
CPU_RC=$(ratio "$CPU_A" "$(json_cpu "$BENCH_OUT/bulk.json" 2)")
SHOW=$(json_stat "$BENCH_OUT/read.json" 0 median)
GET=$(json_stat "$BENCH_OUT/read.json" 1 median)
echo
echo "bulk: median appsh $(ms "$A") ms, sqlite3 < bulk.sql $(ms "$B") ms: ratio ${R}x (target <= 3x: $V); CPU time ratio ${CPU_R}x"
echo "bulk: median appsh $(ms "$A") ms, sqlite3 .import $(ms "$C") ms: ratio ${RC}x (target <= 3x: $VC); CPU time ratio ${CPU_RC}x"
echo "bulk: peak RSS appsh $MB_A MB (target <= 32 MB: $(verdict "$MB_A" 32)), sqlite3 $MB_Q MB"
echo "bulk: show of $N entries $(ms "$SHOW") ms, get of one $(ms "$GET") ms (target < 500 ms each)"
summary "bulk import vs INSERTs, median" "$(ms "$A") ms" "$(ms "$B") ms" "${R}x" "${CPU_R}x" "<= 3x" "$V"
summary "bulk import vs .import, median" "$(ms "$A") ms" "$(ms "$C") ms" "${RC}x" "${CPU_RC}x" "<= 3x" "$VC"
summary "bulk import, peak RSS" "$MB_A MB" "$MB_Q MB" "$MB_A MB" "-" "<= 32 MB" "$(verdict "$MB_A" 32)"
summary "show system mail, median" "$(ms "$SHOW") ms" "-" "$(ms "$SHOW") ms" "-" "< 500 ms" "$(verdict "$SHOW" 0.5)"
summary "get system mail $((N / 2)), median" "$(ms "$GET") ms" "-" "$(ms "$GET") ms" "-" "< 500 ms" "$(verdict "$GET" 0.5)"
