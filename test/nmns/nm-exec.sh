#!/bin/sh
# nm-exec.sh DIR: runs NetworkManager inside the network namespace that
# "ip netns exec" put us in, with its own private mount namespace (ip netns
# exec already made one), so that nothing of the host is touched:
#  - /sys read-only: NetworkManager then assumes a container and does not
#    wait for udev to announce devices (there is no udev here);
#  - a tmpfs over /run and bind mounts of DIR over NetworkManager's run and
#    state directories, so its pid, lease and state files stay in DIR.
# The private dbus-daemon's socket lives in DIR, not in /run, so it stays
# reachable. Used by test/nmns; never by the daemon.
set -eu
dir=$1
mount -o remount,ro /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/NetworkManager
mount --bind "$dir/run" /run/NetworkManager
mount --bind "$dir/lib" /var/lib/NetworkManager
exec NetworkManager --debug --log-level=INFO \
	--config="$dir/NetworkManager.conf" \
	--config-dir="$dir/conf.d" \
	--system-config-dir="$dir/conf.d" \
	--intern-config="$dir/lib/NetworkManager-intern.conf" \
	--state-file="$dir/lib/NetworkManager.state" \
	--pid-file="$dir/run/NetworkManager.pid"
