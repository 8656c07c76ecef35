#!/usr/bin/env bash
# config.sh - what revisions and backups cost (issue 13):
#   - the 100,002-line bulk import (bulk.sh's script: 10,000 `system mail`
#     entries, one commit each) with revisions recorded (the default)
#     against `set create-revision disable`, side by side: target at most
#     1.10x; and against the sqlite3 tool inserting the same rows in one
#     transaction (bulk.sh's `< bulk.sql`): target at most 1.0x;
#   - `execute revision diff 0` on the filled store: from the empty
#     configuration to the 10,000 entries, target under 0.5 s;
#   - `execute backup all-settings file` and `execute restore all-settings
#     file` of that configuration into a fresh state directory (the same
#     key): each under 1 s.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_tools

N=${ENTRIES:-10000}
RUNS=${RUNS:-10}
S=$(mktemp -d)
trap 'rm -rf "$S"' EXIT

# The same script and SQL as bulk.sh.
"$APPSH" --state-dir "$S/empty" -c 'get system global' >/dev/null || die "appsh could not create a store"
"$APPSH" --state-dir "$S/off" -c 'config system global
set create-revision disable
end' >/dev/null
BASE=$(sqlite3 "$S/empty/config.db" 'SELECT coalesce(max(id), 0) FROM entry')
awk -v n="$N" -v base="$BASE" -v script="$S/bulk.txt" -v sql="$S/bulk.sql" 'BEGIN {
	print "config system mail" > script
	print "PRAGMA synchronous = FULL;\nBEGIN TRANSACTION;" > sql
	split("server port auth auth-type user from secure-option ssl-protocol", k, " ")
	for (i = 1; i <= n; i++) {
		a["server"] = "smtp" i ".example.com"; a["port"] = 1024 + i
		a["auth"] = "enable"; a["auth-type"] = "certificate"
		a["user"] = "user" i "@example.com"; a["from"] = "alerts" i "@example.com"
		a["secure-option"] = i % 2 ? "starttls" : "smtps"
		a["ssl-protocol"] = i % 2 ? "tlsv1.2" : "tlsv1.3"
		printf "    edit \"%d\"\n", i > script
		printf "INSERT INTO entry VALUES(%d,'\''system mail'\'','\''%d'\'');\n", base + i, i > sql
		for (j = 1; j <= 8; j++) {
			v = a[k[j]]
			q = v ~ /^[0-9]+$|^(enable|certificate|starttls|smtps|tlsv1\..)$/ ? v : "\"" v "\""
			printf "        set %s %s\n", k[j], q > script
			printf "INSERT INTO value VALUES(%d,'\''%s'\'','\''%s'\'');\n", base + i, k[j], v > sql
		}
		print "    next" > script
	}
	print "end" > script
	print "COMMIT;" > sql
}'

# Check once that revisions are recorded, and not when disabled.
rm -rf "$S/on1" && cp -a "$S/empty" "$S/on1"
"$APPSH" --state-dir "$S/on1" <"$S/bulk.txt" >/dev/null || die "import failed"
[ "$(sqlite3 "$S/on1/config.db" 'SELECT count(*) FROM revision')" = "$N" ] || die "not one revision per commit"
rm -rf "$S/off1" && cp -a "$S/off" "$S/off1"
"$APPSH" --state-dir "$S/off1" <"$S/bulk.txt" >/dev/null || die "import failed"
[ "$(sqlite3 "$S/off1/config.db" 'SELECT count(*) FROM revision')" -le 1 ] || die "revisions recorded while disabled"

echo "config: import with and without revisions, and sqlite3, interleaved ($RUNS runs)"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_OUT/config-import.json" \
	-n "import, revisions" --prepare "rm -rf $S/on && cp -a $S/empty $S/on" "$APPSH --state-dir $S/on < $S/bulk.txt" \
	-n "import, create-revision disable" --prepare "rm -rf $S/o && cp -a $S/off $S/o" "$APPSH --state-dir $S/o < $S/bulk.txt" \
	-n "sqlite3 < bulk.sql" --prepare "rm -rf $S/q && cp -a $S/empty $S/q" "sqlite3 $S/q/config.db < $S/bulk.sql" 2>&1 | grep -v '^$' || true
on=$(json_stat "$BENCH_OUT/config-import.json" 0 median)
off=$(json_stat "$BENCH_OUT/config-import.json" 1 median)
sq=$(json_stat "$BENCH_OUT/config-import.json" 2 median)
con=$(json_cpu "$BENCH_OUT/config-import.json" 0)
coff=$(json_cpu "$BENCH_OUT/config-import.json" 1)
csq=$(json_cpu "$BENCH_OUT/config-import.json" 2)
r=$(ratio "$on" "$off")
summary "bulk import, revisions on vs off, median" "$(ms "$on") ms" "$(ms "$off") ms" "${r}x" "$(ratio "$con" "$coff")x" "<= 1.10x" "$(verdict "$r" 1.10)"
r=$(ratio "$on" "$sq")
summary "bulk import with revisions vs sqlite3 INSERTs" "$(ms "$on") ms" "$(ms "$sq") ms" "${r}x" "$(ratio "$con" "$csq")x" "<= 1.0x" "$(verdict "$r" 1.0)"

echo "config: revision diff 0 (empty -> $N entries), backup, restore"
F=$S/on1
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$BENCH_OUT/config-ops.json" \
	-n "revision diff 0" --prepare true "$APPSH --state-dir $F -c 'execute revision diff 0'" \
	-n "backup all-settings file" --prepare true "$APPSH --state-dir $F -c 'execute backup all-settings file $S/b.conf'" \
	-n "restore all-settings file" --prepare "rm -rf $S/r && mkdir -m 700 $S/r && cp $F/secret.key $S/r/" \
	"$APPSH --state-dir $S/r -c 'execute restore all-settings file $S/b.conf'" 2>&1 | grep -v '^$' || true
"$APPSH" --state-dir "$F" -c 'show full-configuration' >"$S/a.txt"
"$APPSH" --state-dir "$S/r" -c 'show full-configuration' >"$S/b.txt"
cmp -s "$S/a.txt" "$S/b.txt" || die "the restored configuration differs"
[ "$("$APPSH" --state-dir "$F" -c 'execute revision diff 0' | grep -c '^+    edit')" = "$N" ] || die "the diff misses entries"
for i in 0 1 2; do
	t=$(json_stat "$BENCH_OUT/config-ops.json" $i median)
	name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["command"])' "$BENCH_OUT/config-ops.json" $i)
	limit=$([ $i = 0 ] && echo 0.5 || echo 1.0)
	summary "$name, $N entries, median" "$(ms "$t") ms" "-" "-" "-" "< ${limit} s" "$(verdict "$t" "$limit")"
done
