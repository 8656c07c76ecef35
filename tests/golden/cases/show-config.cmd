# show and get of the whole configuration, of a branch, a table, an entry.
show
show full-configuration
show system
show system mail
show system mail 2
show full-configuration system mail "smtp one"
show system global
get system mail
get system mail "smtp one"
get system mail 2
get system dns
get system global
