# -e stops at the first error and discards the open block's staged edits;
# what `next` committed before stays.
config system mail
edit 1
set port 2525
next
edit 2
set port 2626
set port 99999
set port 2727
next
end
get system mail
