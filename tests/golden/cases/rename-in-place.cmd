# Renames keep the entry's place, also when names are reused in one block:
# b becomes d in place; a is deleted and c takes its name (at c's place);
# a new b goes to the end; renaming onto an existing name is refused.
config system mail
edit a
next
edit b
set port 2
next
edit c
next
end
config system mail
rename b to d
delete a
rename c to a
edit b
set port 9
next
rename d to b
get
end
show system mail
