# get system status (spec 8.8); varying values are normalised by the runner.
get system status
g sy st
get system status | grep -c :
