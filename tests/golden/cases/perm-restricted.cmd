# A Restricted_User reads, cannot change: ? hides what the profile forbids,
# typing it anyway is refused with -37 before anything happens.
?
config system ?
get system mail 1
config system mail
?
edit 1
?
se?
set port 26
unset server
end
config system admin user
diagnose ?
diagnose debug enable
execute ?
execute certificate ca import x /etc/hostname
get system mail 1
