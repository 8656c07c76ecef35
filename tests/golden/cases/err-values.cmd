# Values that fail validation, one per error class (spec 9).
config system mail
edit 1
set port 70000
set port 0
set port abc
set port -1
set port 1.5
set port ""
set port 99999999999999999999999
set auth maybe
set secure-option tls
set user aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
set user aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
set server "bad host"
set server smtp..example.com
set from nobody
set from "a b@example.com"
set from alerts@example.com
next
edit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
edit ""
end
config system dns
set primary 1.2.3
set primary 1.2.3.256
set primary ::1
set secondary 192.0.2.1/24
set ip6-primary 1::2::3
set ip6-primary 192.0.2.1
set ip6-secondary fe80::1
end
config system global
set hostname "bad name"
set timezone 99
set console-output less
end
show
