# Entry not found (-3) and entry already exists (-5).
get system mail zz
show system mail zz
config system mail
delete zz
rename zz to yy
clone zz to yy
rename a to b
clone a to b
rename a to a
delete a
edit a
next
clone b to a
end
show system mail
