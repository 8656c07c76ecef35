# The table shell: edit, set, unset, next, get, show, delete, rename,
# clone, purge, abort, end -- and what each leaves committed.
config system mail
edit a
set port 2525
set user u1
unset user
set server a.example.com
next
edit b
set server b.example.com
set secure-option smtps
next
get
show
rename b to d
clone a to c
get
delete a
get
show
abort
get system mail
config system mail
rename b to d
clone a to c
delete a
end
show system mail
config system mail
edit c
set port 587
abort
show system mail c
config system mail
purge
get
end
show system mail
