# A quote still open at the end of the input is the FortiOS error.
config system mail
edit 1
set user ok
next
end
get system mail 1 | grep user
set user "unterminated
