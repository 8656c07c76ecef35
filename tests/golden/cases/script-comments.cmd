# Blank lines and comments are ignored but counted: errors name the line.

   # an indented comment
config system mail
edit 1

set port 70000
	# a comment after a tab
set user a#b
set server \
  bad..host
next
end
get system mail 1 | grep user
