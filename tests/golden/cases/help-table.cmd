# `?` in a table shell: the subcommands, then keys after edit/delete/rename/clone.
config system mail
?
e?
edit ?
edit beta
next
edit ?
edit a?
delete ?
rename ?
rename alpha ?
rename alpha to ?
clone alpha to ?
get ?
show ?
show full-configuration ?
end
