# TAB (a script line ending in a TAB prints the completed line, then the
# choices when several fit): unique, ambiguous, values, keys, paths.
conf	
config sys	
config system 	
co sy ma	
xx	
get system mail 	
show full	
config system mail
edit alpha
next
edit beta
set se	
set s	
set secure-option 	
set secure-option s	
set secure-option st	
set po	
set port 	
set 	
set user "ab	
next
ed	
edit 	
edit a	
re	
end
