# Input that ends inside `config` with staged edits is an error; the edits
# are not committed.
config system mail
edit 1
set port 2525
next
edit 2
set port 2626
