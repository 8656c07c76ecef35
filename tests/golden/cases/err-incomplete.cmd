# Commands missing their last word: incomplete command in the end (-160).
config
get
get system
show system mail extra words
config system mail
edit
delete
rename a
rename a to
clone a
clone a to
edit 1
set
set port
unset
next now
end
