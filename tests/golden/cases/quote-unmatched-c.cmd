get system dns
show system "mail
