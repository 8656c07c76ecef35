# Table order: a renamed entry keeps its place in the table, a clone goes
# to the end (docs/cli.md); the in-session view agrees with the commit.
config system mail
rename a to z
get
end
show system mail
config system mail
clone b to y
end
get system mail
