# Input that ends inside `config` with nothing staged is not an error.
config system mail
edit 1
set port 2525
next
get
