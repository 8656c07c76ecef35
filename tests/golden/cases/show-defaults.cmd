# A fresh store: the whole-config show prints nothing (objects at their
# defaults and empty tables are left out); show full-configuration prints
# everything; show of a named object or table always prints its block.
show
show system
show full-configuration
show system mail
show system global
get system mail
get system global
