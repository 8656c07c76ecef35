# `?` and errors along `diagnose sniffer packet` (nothing is captured: every
# line stops before the command runs).
diagnose sniffer ?
diagnose sniffer packet ?
diagnose sniffer packet lo ?
diagnose sniffer packet lo 'icmp' ?
diagnose sniffer packet lo 'icmp' 3 ?
diagnose sniffer packet lo 'icmp' 3 10 ?
diagnose sniffer packet lo 'icmp' 3 10 a ?
diagnose sniffer packet lo 'icmp' 3 10 a 1600 ?
diagnose sniffer packet lo 'icmp' 3 10 a write ?
diagnose sniffer packet lo 'icmp' 3 10 a w	
diagnose sniffer packet lo none 0
diagnose sniffer packet lo none 7 1
diagnose sniffer packet lo none 1 -1
diagnose sniffer packet lo none 1 1 a 20
diagnose sniffer packet "port 1"
diagnose sniffer packet a-name-longer-than-15
diagnose sniffer packet lo none 1 1 a write
diagnose sniff pack lo none 1 1 a 1600 write /tmp/x extra
