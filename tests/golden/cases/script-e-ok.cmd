# -e with no error runs everything and exits 0.
config system global
set hostname fw-e
end
get system global | grep hostname
