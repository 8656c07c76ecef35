# `?` inside `edit`: subcommands, attributes, value slots, enum values,
# partial words, and a `?` inside quotes that is a literal character.
config system mail
edit 1
?
set ?
set p?
set port ?
set port 587
set port ?
set port 587 ?
set secure-option ?
set secure-option s?
set ssl-protocol ?
set auth ?
set passwd ?
set passwd ENC ?
set server ?
set user "what?"
set user ?
unset ?
unset s?
get ?
show ?
show full-configuration ?
next ?
next
end
show system mail
