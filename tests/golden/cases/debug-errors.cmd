# Bad levels fail in the walker with the value error, before anything
# changes; the level stays what it was.
diagnose debug application fazmaild 3
diagnose debug application fazmaild 256
diagnose debug application fazmaild -2
diagnose debug application fazmaild 99999999999999999999
diagnose debug application fazmaild abc
diagnose debug application fazmaild 1.5
diagnose debug application fazmaild +5
diagnose debug application fazmaild -
diagnose debug application fazmaild ""
diagnose debug info | grep fazmaild
# Incomplete commands, extra and unknown words.
diagnose
diagnose debug
diagnose debug application
diagnose debug application fazmaild
diagnose debug timestamp
diagnose debug application fazmaild 5 6
diagnose debug application nosuchd 5
diagnose debug timestamp maybe
diagnose debug enable now
diagnose debug bogus
diagnose debug e
# Only at the top, as on the appliance: not inside a config shell.
config system global
diagnose debug info
end
diagnose debug info | grep fazmaild
