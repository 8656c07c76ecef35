# execute traceroute / traceroute6 / traceroute-options and ping6-options:
# every error here is found before a packet is sent (the walker checks the
# arguments; with no server in config system dns a name cannot resolve).
execute traceroute ?
execute traceroute-options ?
execute ping6-options ?
# Incomplete and extra words, bad names.
execute traceroute
execute traceroute6
execute traceroute 192.0.2.1 extra
execute traceroute bad_name!
execute traceroute 999.1.1.1
# No DNS configured: the name cannot resolve.
execute traceroute mail.example
execute traceroute6 mail.example
execute ping mail.example
# The wrong family's address names the other command.
execute traceroute 2001:db8::1
execute traceroute6 192.0.2.1
execute ping6 192.0.2.1
# Out-of-range options.
execute traceroute-options max-hops 0
execute traceroute-options max-hops 256
execute traceroute-options queries 11
execute traceroute-options timeout 0
execute traceroute-options timeout soon
execute traceroute-options source nowhere
execute traceroute-options view-settings
# ping6-options: its own settings, no df-bit.
execute ping6-options df-bit yes
execute ping6-options ttl 0
execute ping6-options repeat-count 2
execute ping6-options view-settings
execute ping-options view-settings
