# Nobody may remove the last Super_User, or change the built-in profile.
config system admin user
edit admin
set profileid Standard_User
next
abort
config system admin user
delete admin
end
abort
config system admin profile
edit Super_User
set mail-setting read
next
abort
config system admin profile
delete Super_User
end
config system admin user
edit ops
set profileid Super_User
set trusthost1 10.0.0.0 255.0.0.0
set trusthost1 "10.0.0.0 255.0.0.0"
set trusthost2 192.0.2.0/25
set trusthost3 192.0.2.0/255.0.255.0
set ipv6_trusthost1 2001:db8::/32
set ipv6_trusthost2 2001:db8::
set profileid Nobody
next
end
get system admin user
