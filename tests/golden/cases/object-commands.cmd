# Single-object shells: set, unset, get, show, show full-configuration,
# abort, end; the hostname shows in `get system status`.
config system global
set hostname fw1
set timezone 04
set console-output more
get
show
show full-configuration
unset console-output
end
show system global
config system global
set hostname fw2
abort
get system global
config system dns
set primary 192.0.2.53
set secondary 192.0.2.54
set ip6-primary 2001:db8::53
get
end
show system dns
config system dns
unset secondary
end
get system dns
get system status | grep Hostname
get system status | grep "Time Zone"
