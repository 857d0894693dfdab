#!/bin/sh
# deps.sh PKG... -- installs the Debian packages that are missing (as
# root), or prints the command and fails (otherwise).  One dpkg-query call:
# fast when nothing is missing.
have=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
    awk '$2 == "installed" { printf " %s", $1 }')
missing=""
for p in "$@"; do
	case "$have " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; as root run:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's own nginx and MariaDB services from starting on install:
# the stack runs private instances on their own ports and sockets.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	trap 'exit 130' INT TERM
fi
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends $missing
