# Quoting (spec 3.1): single and double quotes, backslash escapes, a
# backslash continuation line, `?` inside quotes or escaped is literal;
# show re-emits strings in double quotes with " and \ escaped.
config system mail
edit "my entry"
set user 'single quoted'
set server "smtp.example.com"
next
edit back\ slash
set user a\"b\\c
next
edit 'it''s'
next
edit "q\"uote"
set user "x\\y\"z'w"
next
edit sq
set user 'a\'b'
next
edit "with?mark"
set user "what?"
next
edit esc
set user a\?
next
edit cont
set user abc\
def
next
edit 'sq?'
next
end
show
get system mail "q\"uote"
get system mail 'my entry'
