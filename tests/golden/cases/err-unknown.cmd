# Unknown words: at the top level (Unknown action 0), in a shell, in a path.
xyz
config system mail
xyz
edit 1
xyz
set bogus 1
unset bogus
next
end
config nothing
config system nothing
get nothing
show system nothing
SHOW
get system dns
