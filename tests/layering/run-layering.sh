#!/usr/bin/env bash
# The build refuses a dependency the wrong way (CMakeLists.txt, appsh_layer;
# cmake/layering.cmake): a copy of the tree with one bad include, or an
# extern declaration in a .c file, must fail to build that layer, naming
# the file and what it may use; the untouched copy must pass.
set -u
SRC=${APPSH_SRC:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
fails() { ! "$@"; }
check() {
	local name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS: $name"
	else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

# Only the layering check runs (it reruns when a source changes): no
# compiler is needed for it, and the copy is configured once.
layer_check() { # tree layer -> the check's output in $T/out, its status
	cmake --build "$1/b" --target "appsh_${2}_layering" >"$T/out" 2>&1
}

mkdir "$T/tree"
(cd "$SRC" && git ls-files -co --exclude-standard | grep -v '^build' | cpio -pdm --quiet "$T/tree")
cmake -S "$T/tree" -B "$T/tree/b" >"$T/out" 2>&1 || { cat "$T/out"; echo "FAIL: configure"; exit 1; }

check "the tree as it is passes" layer_check "$T/tree" config
check "the shell passes" layer_check "$T/tree" cli

# config/ is below the shell: it may not include cli/.
cp "$T/tree/config/read.c" "$T/read.c"
sed -i '0,/#include "config\/priv.h"/s//#include "config\/priv.h"\n#include "cli\/session.h"/' "$T/tree/config/read.c"
check "config including cli/ fails" fails layer_check "$T/tree" config
check "the message names the file and the rule" \
	grep -q 'config/read.c includes cli/: config may use only: schema;store' "$T/out"
cp "$T/read.c" "$T/tree/config/read.c"

# The mail daemon may not include the command handlers.
cp "$T/tree/maild/deliver.c" "$T/deliver.c"
sed -i '0,/#include "maild\/deliver.h"/s//#include "maild\/deliver.h"\n#include "cmds\/maild.h"/' "$T/tree/maild/deliver.c"
check "maild including cmds/ fails" fails layer_check "$T/tree" maild
check "... naming it" grep -q 'maild/deliver.c includes cmds/' "$T/out"
cp "$T/deliver.c" "$T/tree/maild/deliver.c"

# An extern in a .c file hides a dependency from the check: refused too.
printf 'extern int cli_hidden;\n' >>"$T/tree/smtp/reply.c"
check "an extern in a .c file fails" fails layer_check "$T/tree" smtp
check "... and says so" grep -q "smtp/reply.c declares 'extern'" "$T/out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
