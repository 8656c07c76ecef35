# `?` and TAB (a script line ending in a TAB) through the whole
# `diagnose debug` tree.
?
diagnose ?
diag ?
diagnose debug ?
diagnose debug e?
diagnose debug application ?
diagnose debug application fazmaild ?
diagnose debug application fazmaild 8 ?
diagnose debug application fazmaild -1 ?
diagnose debug application fazmaild 300 ?
diagnose debug timestamp ?
diagnose debug timestamp enable ?
diagnose debug info ?
diagnose debug reset ?
diagnose debug enable ?
diagnose debug disable ?
di	
diagnose 	
diagnose d	
diagnose debug 	
diagnose debug a	
diagnose debug e	
diagnose debug re	
diagnose debug t	
diagnose debug application 	
diagnose debug application f	
diagnose debug application fazmaild 	
diagnose debug application fazmaild 2	
diagnose debug timestamp 	
diagnose debug timestamp d	
diag deb ti e	
config system mail
diagnose ?
di	
end
