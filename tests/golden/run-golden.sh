#!/bin/bash
# Golden transcript tests: each case is a command script fed to appsh in a
# fresh state directory; stdout, stderr and the exit status must match the
# checked-in expected files exactly (after the few normalisations below).
#
# Usage: run-golden.sh path/to/appsh [CASE...]
#
# A case NAME in cases/ is made of:
#   NAME.cmd   the commands, fed on stdin                    (or NAME.gen)
#   NAME.gen   an executable that prints the stdin to use, for inputs that
#              hold NUL or other bytes better generated than checked in; it
#              runs after NAME.pre with APPSH and GOLDEN_STATE_DIR set
#   NAME.args  optional extra arguments, one per line; a line "-c" takes
#              the text of NAME.cmd as its argument (stdin is then empty)
#   NAME.pre   optional commands run first in the same state dir, output
#              discarded (set-up)
#   NAME.post  optional commands run afterwards in the same state dir (to see
#              what the case left in the store); a line "--- post ---" and
#              their stdout/stderr are appended to the case's
#   NAME.out   expected stdout        NAME.err  expected stderr
#   NAME.rc    expected exit status (a number)
#
# Normalised before comparing: `ENC <base64>` -> `ENC <b64>` (random nonce);
# PEM bodies (the built-in Fortinet_Local gets a new key each time);
# in `get system status` the Serial Number, Current Time and Disk Usage
# values; the state directory path -> <statedir>.
#
# Maintainers: APPSH_GOLDEN_UPDATE=1 run-golden.sh appsh [CASE...] rewrites
# the expected files from what the shell prints now.  Review the diff line
# by line against the spec before committing it: the expected files are the
# specification of the output, not a snapshot of whatever the shell does.
set -u
APPSH=${1:?usage: run-golden.sh path/to/appsh [CASE...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=$HERE/cases
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LC_ALL=C TZ=UTC

normalise() { # $1 = state dir
	sed -e 's#ENC [A-Za-z0-9+/]\{20,\}=*#ENC <b64>#g' \
	    -e "s#$1#<statedir>#g" \
	    -e 's/^\(Serial Number  *: \)APPSH[0-9A-F]\{12\}$/\1<serial>/' \
	    -e 's/^\(Current Time  *: \)[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-3][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [A-Za-z0-9+-]* [0-9]\{4\}$/\1<time>/' \
	    -e 's/^\(Disk Usage  *: \)Free [0-9.]*GB, Total [0-9.]*GB$/\1<disk>/' |
		# The built-in Fortinet_Local is made anew, with a new key, by
		# every first start: a PEM body (a run of base64 lines) is one
		# placeholder.  What the pasted certificates hold is checked by
		# run-roundtrip.sh and the certificate cases' errors.
		awk '/^[A-Za-z0-9+\/=]+$/ && (b64 || length($0) >= 40) { if (!b64) print "<base64>"; b64 = 1; next }
		     { b64 = 0; print }'
}

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$CASES"/*.cmd "$CASES"/*.gen; do
		[ -e "$f" ] && names+=("$(basename "${f%.*}")")
	done
	mapfile -t names < <(printf '%s\n' "${names[@]}" | sort -u)
fi

pass=0 fail=0
for name in "${names[@]}"; do
	c=$CASES/$name
	state=$WORK/$name
	mkdir -p "$state"
	args=() cmode=0
	[ -f "$c.args" ] && mapfile -t args <"$c.args"
	for i in "${!args[@]}"; do # -c takes the script text as its argument
		if [ "${args[$i]}" = "-c" ]; then
			args=("${args[@]:0:$((i + 1))}" "$(cat "$c.cmd")" "${args[@]:$((i + 1))}")
			cmode=1
			break
		fi
	done
	[ -f "$c.pre" ] && "$APPSH" --state-dir "$state" <"$c.pre" >/dev/null 2>&1
	if [ -f "$c.gen" ]; then
		APPSH=$APPSH GOLDEN_STATE_DIR=$state "$c.gen" >"$WORK/in"
	elif [ $cmode = 1 ]; then
		: >"$WORK/in"
	else
		cp "$c.cmd" "$WORK/in"
	fi
	timeout 30 "$APPSH" --state-dir "$state" "${args[@]}" <"$WORK/in" >"$WORK/out" 2>"$WORK/err"
	echo $? >"$WORK/rc"
	if [ -f "$c.post" ]; then
		echo "--- post ---" | tee -a "$WORK/err" >>"$WORK/out"
		"$APPSH" --state-dir "$state" <"$c.post" >>"$WORK/out" 2>>"$WORK/err"
	fi
	normalise "$state" <"$WORK/out" >"$WORK/out.n"
	normalise "$state" <"$WORK/err" >"$WORK/err.n"
	if [ "${APPSH_GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$WORK/out.n" "$c.out"
		cp "$WORK/err.n" "$c.err"
		cp "$WORK/rc" "$c.rc"
	fi
	ok=1
	for k in out err rc; do
		src=$WORK/$k.n
		[ $k = rc ] && src=$WORK/rc
		if ! diff -a -u --label "$name.$k (expected)" --label "$name.$k (actual)" \
			"$c.$k" "$src"; then
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		fail=$((fail + 1))
	fi
	rm -rf "$state"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
