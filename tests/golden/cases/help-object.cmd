# `?` in the single-object shells (system global, system dns).
config system global
?
set ?
set h?
set hostname ?
set console-output ?
set global-ssl-protocol ?
set timezone ?
unset ?
end
config system dns
set ?
set primary ?
set primary 192.0.2.53
set primary ?
set ip6-primary ?
end
