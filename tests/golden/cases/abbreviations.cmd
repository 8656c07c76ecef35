# Every keyword may be shortened to a unique prefix; values never are.
conf sys mail
ed x
se po 26
se sec smtps
se ser smtp.example.com
sh
n
en
sh sys ma
sh fu sys ma x
g sy ma
g sy ma x
g sy st | grep Hostname
c sys gl
se ho fw1
g
en
sho sys glo
s sy d
g s d
