# A quoted value may span lines (it is joined with newlines), but no text
# attribute accepts a newline: the error names the first line of the value.
config system mail
edit 1
set user "first line
second line"
set user ok
next
end
get system mail 1 | grep user
