# `?` at the top level: the four top-level commands, then each position.
?
g?
con?
config ?
config s?
config system ?
config sys ?
config system m?
get ?
get system ?
get system mail ?
get system status ?
show ?
show system ?
show system mail ?
show full-configuration ?
show full-configuration system ?
show full-configuration system mail ?
