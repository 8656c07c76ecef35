config system global
set hostname fw-c
end
bogus
get system global | grep hostname
