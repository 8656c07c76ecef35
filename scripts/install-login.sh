#!/bin/sh
# Installs appsh as a login shell (docs/admin.md):
#   - the binary in PREFIX/bin, set-group-ID to the group `appsh`;
#   - PREFIX/bin/appsh in /etc/shells;
#   - the group `appsh`, which owns the system state directory
#     /var/lib/appsh (setgid, 2770): only appsh itself, running with that
#     group, can open the store, the secret key and the mail daemon's
#     socket -- the administrators' accounts are NOT members of it.
# Then: `useradd -s PREFIX/bin/appsh NAME` and, in appsh as root,
#   config system admin user / edit NAME / set profileid ... / end
#
# usage: scripts/install-login.sh [BUILD_DIR [PREFIX]]   (as root)
set -eu
BUILD=${1:-build}
PREFIX=${2:-/usr/local}
STATE=/var/lib/appsh
GROUP=appsh
SHELL_PATH=$PREFIX/bin/appsh

[ "$(id -u)" = 0 ] || { echo "install-login: run as root" >&2; exit 1; }
[ -x "$BUILD/appsh" ] || { echo "install-login: $BUILD/appsh not built (make)" >&2; exit 1; }

getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
install -d -m 755 "$PREFIX/bin"
install -m 2755 -o root -g "$GROUP" "$BUILD/appsh" "$SHELL_PATH"
# The mail daemon and the sendmail command sit beside appsh (appsh starts
# the fazmaild found there); set-group-ID like appsh, so that they reach the
# queue and the control socket in the group's directory (as Postfix's
# postdrop is set-group-ID postdrop).
install -m 2755 -o root -g "$GROUP" "$BUILD/fazmaild" "$PREFIX/bin/fazmaild"
install -m 2755 -o root -g "$GROUP" "$BUILD/appsh-sendmail" "$PREFIX/bin/appsh-sendmail"
if [ -d /etc/systemd/system ]; then
	sed "s|/usr/local/bin|$PREFIX/bin|; s|/var/lib/appsh|$STATE|g; s|^Group=.*|Group=$GROUP|" \
		"$(dirname "$0")/../maild/fazmaild.service" >/etc/systemd/system/fazmaild.service
fi
grep -qxF "$SHELL_PATH" /etc/shells || echo "$SHELL_PATH" >>/etc/shells

# The state directory: setgid so that every file made in it belongs to the
# group; appsh then makes its files 0660 (the store) and 0640 (the key).
install -d -m 2770 -o root -g "$GROUP" "$STATE"
chmod 2770 "$STATE"
chgrp -R "$GROUP" "$STATE"
for f in "$STATE"/config.db "$STATE"/config.db-wal "$STATE"/config.db-shm \
	"$STATE"/mailq.db "$STATE"/mailq.db-wal "$STATE"/mailq.db-shm; do
	[ -e "$f" ] && chmod 0660 "$f"
done
[ -e "$STATE/secret.key" ] && chmod 0640 "$STATE/secret.key"
# Create (or migrate) the store now, as root, so the first login finds it.
"$SHELL_PATH" --state-dir "$STATE" -c 'get system status' >/dev/null

cat <<MSG
appsh is installed as $SHELL_PATH (group $GROUP, state in $STATE).
Next:
  useradd -m -s $SHELL_PATH NAME            # the Unix account of an administrator
  $SHELL_PATH -c 'config system admin user
  edit NAME
  set profileid Standard_User
  end'
For file transfer, sshd needs 'Subsystem sftp internal-sftp' (scp, sftp
and rsync through the login shell are refused).
MSG
