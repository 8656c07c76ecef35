# An ambiguous prefix names the candidates; an exact name wins over a
# longer one it prefixes (auth vs auth-type); values are never abbreviated.
config system mail
e 1
edit 1
s port 26
set s smtp.example.com
set se smtp.example.com
set aut enable
set auth enable
set secure-option start
set secure-option starttls
set auth-type cert
next
end
c sys
show system mail
