config system mail
edit noserver
next
edit nouser
set server 127.0.0.1
set auth enable
next
edit nodns
set server mail.example.test
end
diagnose test connection mailserver noserver alerts@example.com ops@example.com
diagnose test connection mailserver nouser alerts@example.com ops@example.com
diagnose test connection mailserver nodns alerts@example.com ops@example.com
diagnose test connection mailserver missing alerts@example.com ops@example.com
diagnose test application fazmaild 7
