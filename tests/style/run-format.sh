#!/bin/sh
# Every C file in the tree is formatted with the checked-in .clang-format.
cd "${APPSH_SRC:?}" || exit 1
command -v clang-format >/dev/null || { echo "SKIP: clang-format not installed"; exit 77; }
pass=0 fail=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*'); do
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $f is not clang-formatted (make format)"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
