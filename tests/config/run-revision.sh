#!/bin/bash
# run-revision.sh - configuration revisions (config/revision.c, docs/cli.md):
# a revision from each way in (a terminal, a script on stdin, -c, a revert),
# `execute revision list`, `diff` against expected text, `revert` (also of a
# rename and a delete, secrets kept as they were), a revert refused while a
# live terminal session edits what it would change, permissions, and
# retention by count and by age.
#
# usage: run-revision.sh path/to/appsh      (exit 0 pass, 1 fail)
set -u
APPSH=${1:?usage: run-revision.sh path/to/appsh}
SRC=${APPSH_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/appsh-rev.XXXXXX)
SOCK=$T/tmux.sock
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
check() {
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS: $name"
	else fail=$((fail + 1)); echo "FAIL: $name"; sed 's/^/    | /' "$T/out" "$T/err" 2>/dev/null | head -30; fi
}
S=$T/state
run() { "$APPSH" --state-dir "$S" "$@" >"$T/out" 2>"$T/err"; }
has() { grep -q -- "$1" "$T/out"; }
errhas() { grep -q -- "$1" "$T/err"; }
# The newest revision's id.
newest() { "$APPSH" --state-dir "$S" -c 'execute revision list 1' | awk 'NR == 2 { print $1 }'; }

# ---- each way in records a revision -----------------------------------------
run -c 'config system mail
edit 1
set server a.example.com
set port 587
set passwd S3cret-one
next
end'
R1=$(newest)
check "-c: the first revision is 1" test "$R1" = 1
run -c 'execute revision list'
check "list: -c is named as the source" grep -q '^1 .* admin *command *console *system mail "1": created' "$T/out"

printf 'config system mail\nedit 2\nset server b.example.com\nend\nconfig system global\nset hostname fw1\nend\n' |
	"$APPSH" --state-dir "$S" >"$T/out" 2>"$T/err"
run -c 'execute revision list'
check "script: one revision per commit" test "$(newest)" = 3
check "script: named as the source" grep -q '^2 .* script .*system mail "2": created' "$T/out"
check "an object's change lists its attributes" grep -q '^3 .*system global: hostname' "$T/out"

# A terminal (tmux): interactive sessions are registered, and say what they edit.
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 77; }
tm() { tmux -S "$SOCK" -f /dev/null "$@"; }
screen_has() { tm capture-pane -p -t A | grep -q -- "$1"; }
wait_screen() { for _ in $(seq 300); do screen_has "$1" && return 0; sleep 0.05; done; return 1; }
tm new-session -d -s A -x 150 -y 40 "$APPSH" --state-dir "$S"
check "terminal: a prompt" wait_screen 'fw1 #'
tm send-keys -t A -l 'config system mail'; tm send-keys -t A Enter
tm send-keys -t A -l 'edit 1'; tm send-keys -t A Enter
tm send-keys -t A -l 'set port 2525'; tm send-keys -t A Enter
check "terminal: editing entry 1" wait_screen 'fw1 (1) #'

# ---- diff -----------------------------------------------------------------
run -c 'execute revision diff 1 3'
# (The built-in certificate's block comes first: its length moves the
# line numbers, and its key is a ciphertext.)
cat >"$T/want" <<'W'
--- revision 1
+++ revision 3
@@
         set private-key ENC @
     next
 end
+config system global
+    set hostname "fw1"
+end
 config system mail
     edit "1"
         set passwd ENC @
         set port 587
         set server "a.example.com"
     next
+    edit "2"
+        set server "b.example.com"
+    next
 end
W
sed -E 's/(ENC ).*/\1@/; s/^@@ .* @@$/@@/' "$T/out" >"$T/got"
check "diff 1 3: the expected unified diff" cmp -s "$T/want" "$T/got"
check "diff: the secret only as ENC" bash -c "! grep -q S3cret-one '$T/out'"
run -c 'execute revision diff 3 3'
check "diff of a revision with itself: nothing" test ! -s "$T/out"
run -c 'execute revision diff 9'
check "diff of a revision that does not exist: refused" errhas 'revision 9 does not exist (the newest is 3)'

# ---- revert refused while the terminal edits what it would change ---------
run -c 'config system mail
rename 2 to two
delete 1
end'
R4=$(newest)
run -c 'execute revision revert 3'
check "revert: refused while a session edits system mail \"1\"" errhas 'is editing system mail "1"'
check "revert: the refusal has the return code -23" errhas 'Return code -23'
run -c 'show system mail'
check "revert refused: nothing changed" bash -c "grep -q 'edit \"two\"' '$T/out' && ! grep -q 'edit \"1\"' '$T/out'"
tm send-keys -t A -l 'abort'; tm send-keys -t A Enter
check "terminal: back at the top" wait_screen 'fw1 #$'
tm send-keys -t A -l 'config system dns'; tm send-keys -t A Enter
tm send-keys -t A -l 'set primary 192.0.2.53'; tm send-keys -t A Enter
tm send-keys -t A -l 'end'; tm send-keys -t A Enter
check "terminal: back at the top after end" wait_screen 'fw1 #$'
run -c 'execute revision list 1'
check "terminal: its commit is a revision from the terminal" grep -q '^5 .* tty .*system dns: primary' "$T/out"
run -c 'execute revision revert 3'
check "revert after the session left: done as a new revision" has "as it was after revision 3 (revision 6)"
run -c 'show system mail'
check "revert: the deleted entry is back, with its secret" bash -c "grep -q 'edit \"1\"' '$T/out' && grep -q 'set passwd ENC' '$T/out'"
check "revert: the rename is undone" bash -c "grep -q 'edit \"2\"' '$T/out' && ! grep -q 'edit \"two\"' '$T/out'"
run -c 'diagnose test connection mailserver 1 a@example.com b@example.com'
check "revert: the restored secret still decrypts" bash -c "! grep -q 'does not decrypt' '$T/out' '$T/err'"
run -c 'execute revision diff 3'
check "revert: now equals revision 3" test ! -s "$T/out"
run -c 'execute revision list 1'
check "revert: listed as a revert with its comment" grep -q '^6 .* revert .*\[revert to revision 3\]' "$T/out"
run -c 'execute revision revert 3'
check "revert to what already is: nothing to do" has 'Nothing to revert'
check "... and no new revision" test "$(newest)" = 6
tm send-keys -t A -l 'exit'; tm send-keys -t A Enter

# ---- diff against GNU diff, on the show text of revisions rebuilt by revert --
show_at() { # REV FILE: `show` of a copy of the state reverted to REV
	rm -rf "$T/copy" && cp -a "$S" "$T/copy" &&
		"$APPSH" --state-dir "$T/copy" -c "execute revision revert $1" >/dev/null &&
		"$APPSH" --state-dir "$T/copy" -c show >"$2"
}
for pair in "1 3" "3 4" "1 4" "0 5" "4 2" "5 6"; do
	set -- $pair
	show_at "$1" "$T/a" && show_at "$2" "$T/b"
	diff -U3 "$T/a" "$T/b" | tail -n +3 >"$T/gnu"
	run -c "execute revision diff $1 $2"
	tail -n +3 "$T/out" >"$T/got"
	cmp -s "$T/gnu" "$T/got" || diff "$T/gnu" "$T/got"
	check "diff $1 $2: the same hunks as GNU diff -U3" cmp -s "$T/gnu" "$T/got"
done

# ---- permissions ------------------------------------------------------------
run -c 'config system admin user
edit reader
set profileid Restricted_User
next
end
config system admin profile
edit Nomail
set admin-setting read-write
next
end
config system admin user
edit adminonly
set profileid Nomail
next
end'
"$APPSH" --state-dir "$S" --admin adminonly -c 'execute revision list' >"$T/out" 2>"$T/err"
check "list: without mail-setting, mail revisions are left out" bash -c "! grep -q 'system mail' '$T/out' && grep -q 'system admin user \"reader\"' '$T/out'"
"$APPSH" --state-dir "$S" --admin adminonly -c 'execute revision diff 0' >"$T/out" 2>"$T/err"
check "diff: without mail-setting, no mail block" bash -c "! grep -q 'config system mail' '$T/out' && grep -q 'edit \"reader\"' '$T/out'"
"$APPSH" --state-dir "$S" --admin reader -c 'execute revision revert 3' >"$T/out" 2>"$T/err"
check "revert without write on an area it touches: -37" errhas 'Return code -37'
check "... naming the area" errhas "needs admin-setting read-write"

# ---- retention ---------------------------------------------------------------
run -c 'config system global
set revision-max-revisions 5
end'
before=$(newest)
for i in $(seq $((before + 1)) 100); do echo "config system global
set admin-timeout $((i % 400 + 1))
end"; done >"$T/bulk"
"$APPSH" --state-dir "$S" <"$T/bulk" >"$T/out" 2>"$T/err"
check "100 revisions made" test "$(newest)" = 100
run -c 'execute revision list 1000'
check "by count: at revision 100 only the newest 5 are kept" test "$(grep -c '^[0-9]' "$T/out")" = 5
run -c 'execute revision diff 50'
check "a trimmed revision cannot be rebuilt, and says why" errhas 'revision 50 is no longer kept (the oldest kept is 96'
run -c 'config system global
set revision-auto-delete by-days
set revision-max-days 1
end'
commits() { # FROM TO: one revision each
	for i in $(seq "$1" "$2"); do echo "config system global
set admin-timeout $((i % 400 + 1))
end"; done | "$APPSH" --state-dir "$S" >"$T/out" 2>"$T/err"
}
commits 102 149
# Revisions up to 149 are made three days old: the trim at 200 drops them.
sqlite3 "$S/config.db" 'UPDATE revision SET time = time - 3 * 86400 WHERE id < 150' || fail=$((fail + 1))
commits 150 200
run -c 'execute revision list 1000'
check "by age: revisions older than a day are gone at revision 200" bash -c "! grep -q '^149 ' '$T/out' && grep -q '^150 ' '$T/out'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
