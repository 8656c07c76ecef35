# `| grep` usage and errors; only `| grep` may follow a command.
show | grep -h
show | grep
show | sort
show | grep -x foo
show | grep -e foo
show | grep -A
show | grep -A x foo
show | grep a b
show | grep "["
show | grep port | grep 465
show |
| grep x
|
get system dns | grep primary
