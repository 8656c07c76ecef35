# `?` after a word that does not fit is that word's error (on its own line,
# not carried into the next failing command); `?` after a pipe.
xyz ?
config nothing ?
get system status extra ?
show | ?
show | grep ?
get system dns
get system
