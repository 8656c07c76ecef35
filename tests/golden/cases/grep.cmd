# `| grep` options (spec 3.7): -i -v -n -c -f -A -B -C, and on get output.
show | grep server
show | grep bob
show | grep -i bob
show | grep -v set
show | grep -n port
show | grep -c edit
show | grep -c nomatch
show | grep -f 465
show | grep -f -i BOB
show | grep -A 1 port
show | grep -B 1 port
show | grep -C 1 465
show | grep -A1 -n 465
show | grep -vc set
show | grep -A 1 edit
show | grep "two"
show | grep 'smtp\.one'
show | grep -- -
get system mail | grep -n port
get system mail one | grep -f port
get system mail | grep nomatch
