# Table order: a renamed entry moves to the end of the table, and so does
# a clone (docs/cli.md); the in-session view agrees with the commit.
config system mail
rename a to z
get
end
show system mail
config system mail
clone b to y
end
get system mail
