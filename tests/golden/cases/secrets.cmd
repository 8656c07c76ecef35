# Secrets: get shows *, show shows ENC <base64>; an ENC value must decrypt
# with this state directory's key.
config system mail
edit 1
set passwd S3cr3t
get
show
next
edit 2
set passwd ENC notbase64!!
set passwd ENC QUJD
set passwd ENC iQvhruA6S160P7EeFW5m2NDwpKxLL/bNJA5tM+o9LfU+2yg7g+e1UV4DBU0=
set passwd ENC
set passwd ""
next
end
get system mail
get system mail 1
show system mail
show full-configuration system mail 2
