# `diagnose debug info` (spec §8.2 layout): defaults first (all levels 0,
# output and timestamps off), then after each setting, abbreviated too.
diagnose debug info
diagnose debug application fazmaild 8
diagnose debug enable
diagnose debug timestamp enable
diagnose debug info
# 255 is the top level; -1 sets 0; the last setting wins.
diag deb app faz 255
diagnose debug info | grep fazmaild
diagnose debug application fazmaild -1
diagnose debug info | grep fazmaild
diagnose debug application fazmaild 0
diagnose debug application fazmaild 17
diagnose debug timestamp disable
diagnose debug disable
diagnose debug info
# reset: levels back to 0, output and timestamps off.
diagnose debug enable
diagnose debug timestamp enable
diagnose debug reset
diagnose debug info
