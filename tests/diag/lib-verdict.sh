# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# lib-verdict.sh - the fault matrix of `diagnose test connection mailserver`:
# one table of cases, each run against a real peer, each checked for the
# layer, the server's own words, the verdict's category and the absence of
# the hints a naive rule would give.  Source it after lib-smtp.sh (and
# smtp_init); fill CASES; then run_matrix.
#
# A case is one line, fields separated by ' # ':
#   name # settings # args # layer # reason-ERE # category # forbidden-ERE # rc
# settings: `set` lines separated by ';' ("server 127.0.0.1; port %P"), where
#   %P is the port of the peer named in PEER_OF[name] (default: the case's
#   name) and %A the user/passwd lines of AUTH_SETS;
# args: mail-from mail-to timeout;
# layer "OK" means the test must succeed (the other fields are then unused);
# reason-ERE matches what follows "Result: FAILED at <layer>: " (the server's
#   words are there);
# category: the word in brackets that ends the Verdict line;
# forbidden-ERE (or -): the naive hints, which the Hint line must not match;
# rc: the "Return code" on stderr.
# PRE_OF[name]: commands run first in the case's session (certificate
# imports); DNS_OF[name]: its `config system dns` set lines.
# VERDICT_RUN (default appsh in this namespace) may prefix the command, e.g.
# "ip netns exec NS".  Up to VERDICT_JOBS (3) cases run at once: most of a
# case's time is a timeout being waited out.
declare -gA PEER_OF=() DNS_OF=() PRE_OF=()
CASES=()
VERDICT_JOBS=${VERDICT_JOBS:-3}
VERDICT_RUN=${VERDICT_RUN:-}
AUTH_SETS=${AUTH_SETS:-}

# settings_of NAME SETTINGS: the `set` lines of a case
settings_of() {
	local peer=${PEER_OF[$1]:-$1} s=$2
	s=${s//%P/${SMTP_PORT[$peer]:-0}}
	s=${s//%A/$AUTH_SETS}
	s=${s//; /$'\n'}
	printf 'set %s' "${s//$'\n'/$'\n'set }"
}

# run_case NAME SETTINGS ARGS: the test's output in $VDIR/NAME.{out,err,rc}
run_case() {
	local st=$VDIR/state-$1 script
	mkdir -p "$st"
	script=$(DNS_SETS=${DNS_OF[$1]:-} mailtest_script "$(settings_of "$1" "$2")" $3)
	[ -n "${PRE_OF[$1]:-}" ] && script=${PRE_OF[$1]}$'\n'$script
	# shellcheck disable=SC2086 # VERDICT_RUN is words
	$VERDICT_RUN "$APPSH" --state-dir "$st" -c "$script" >"$VDIR/$1.out" 2>"$VDIR/$1.err"
	echo $? >"$VDIR/$1.rc"
}

# check_case LINE: one PASS/FAIL line for the case
check_case() {
	local name settings args layer reason cat forbid rc out err problems=() r v h
	IFS='#' read -r name settings args layer reason cat forbid rc <<<"$1"
	name=$(echo $name) layer=$(echo $layer) cat=$(echo $cat) rc=$(echo $rc)
	reason=${reason# } reason=${reason% } forbid=${forbid# } forbid=${forbid% }
	out=$(cat "$VDIR/$name.out") err=$(cat "$VDIR/$name.err")
	r=$(grep '^Result: ' <<<"$out") v=$(grep '^Verdict: ' <<<"$out") h=$(grep '^Hint: ' <<<"$out")
	if [ "$layer" = OK ]; then
		[ "$r" = 'Result: OK (mail server "1" accepted the message)' ] ||
			problems+=("want Result: OK, got '$r'")
	else
		case $r in
		"Result: FAILED at $layer: "*)
			grep -qE -- "$reason" <<<"${r#"Result: FAILED at $layer: "}" ||
				problems+=("the reason does not match /$reason/")
			;;
		*) problems+=("want 'Result: FAILED at $layer: /$reason/'") ;;
		esac
		[[ $v == *" [$cat]" ]] || problems+=("the verdict's category is not [$cat]")
		[ -n "$h" ] || problems+=("no Hint line")
		if [ -n "$forbid" ] && [ "$forbid" != - ] && grep -qiE -- "$forbid" <<<"$h"; then
			problems+=("a wrong hint: /$forbid/")
		fi
		grep -q "Command fail. Return code $rc\$" <<<"$err" ||
			problems+=("want Return code $rc")
		[ "$(cat "$VDIR/$name.rc")" = 1 ] || problems+=("exit status $(cat "$VDIR/$name.rc"), want 1")
	fi
	if [ ${#problems[@]} = 0 ]; then
		pass "$name: ${layer} [${cat:-ok}]"
	else
		fail "$name: ${layer} [${cat:-ok}]"
		printf '    - %s\n' "${problems[@]}"
		grep -E '^(Settings|DNS|TCP|greeting|EHLO|TLS|AUTH|Result|Verdict|Hint)' <<<"$out" |
			tail -n 12 | sed 's/^/    | /'
		grep -v '^line [0-9]*: the mail server test failed$' <<<"$err" | sed 's/^/    ! /'
	fi
}

# case_has NAME ERE DESC: a line of NAME's output matches ERE (a PASS/FAIL)
case_has() {
	if grep -qE -- "$2" "$VDIR/$1.out"; then
		pass "$1: $3"
	else
		fail "$1: $3 (no line matches /$2/)"
		grep -E '^(Result|Verdict|Hint)' "$VDIR/$1.out" | sed 's/^/    | /'
	fi
}

run_matrix() {
	local line name settings args rest running=() p
	VDIR=${VDIR:-$SMTP_TMP/verdict}
	mkdir -p "$VDIR"
	for line in "${CASES[@]}"; do
		IFS='#' read -r name settings args rest <<<"$line"
		name=$(echo $name) settings=${settings# } settings=${settings% } args=$(echo $args)
		# the servers are jobs too: count (and wait for) the cases only
		while :; do
			local alive=()
			for p in "${running[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
			running=("${alive[@]}")
			[ ${#running[@]} -lt "$VERDICT_JOBS" ] && break
			wait -n "${running[@]}"
		done
		run_case "$name" "$settings" "$args" &
		running+=($!)
	done
	for p in "${running[@]}"; do wait "$p"; done
	for line in "${CASES[@]}"; do check_case "$line"; done
}
