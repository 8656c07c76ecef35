# execute nslookup / nslookup-mx: the arguments are checked by the walker
# before any question is sent; with no server in config system dns (the
# defaults 0.0.0.0 and ::) and none given, the command fails without one.
execute nslookup ?
execute nslookup mail.example ?
execute nslookup-mx ?
# No DNS configured.
execute nslookup mail.example
execute nslookup-mx example.com
config system dns
set primary 0.0.0.0
set ip6-primary ::
end
execute nslookup mail.example
# An address typed as the name needs no server.
execute nslookup 192.0.2.10
execute nslookup 2001:db8::10
# Bad names.
execute nslookup bad_name!
execute nslookup -mail.example
execute nslookup mail..example
execute nslookup 999.1.1.1
execute nslookup-mx "two words"
execute nslookup aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example
# Bad server addresses.
execute nslookup mail.example 999.1.1.1
execute nslookup mail.example 192.0.2
execute nslookup mail.example dns.example
execute nslookup-mx example.com 2001:db8::zz
# Incomplete and extra words.
execute nslookup
execute nslookup-mx
execute nslookup mail.example 192.0.2.53 extra
