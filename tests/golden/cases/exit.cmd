# exit ends the script; nothing after it runs.  Inside a config shell it is
# not a command.
config system mail
exit
end
exit
bogus
