# Visibility: passwd exists only with auth-type psk, local-cert only with
# certificate.  A hidden attribute is absent from ?, get and show, and
# setting it fails like an unknown keyword.
config system mail
edit 1
set local-cert Fortinet_Local
set passwd S3cr3t
set auth-type certificate
set passwd S3cr3t
unset passwd
set local-cert Fortinet_Local
set p?
set ?
get
show
next
end
get system mail 1
show full-configuration system mail 1
config system mail
edit 1
set auth-type psk
get
show
end
