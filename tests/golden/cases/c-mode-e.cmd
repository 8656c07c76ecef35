config system global
set hostname fw-c
set timezone 99
end
get system global | grep hostname
