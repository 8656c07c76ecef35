# A local certificate that system mail names cannot be deleted, renamed or
# purged away ("The entry is used by other N entries", -23); once nothing
# names it, it can.
config system mail
edit 1
set auth-type certificate
set local-cert Fortinet_Local
end
config system certificate local
delete Fortinet_Local
rename Fortinet_Local to other
purge
end
config system mail
edit 1
unset local-cert
end
config system certificate local
rename Fortinet_Local to other
end
get system certificate local
