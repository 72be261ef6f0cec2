#!/bin/bash
# customize.sh ROOTFS: the e2e VM's own settings, run by mmdebstrap.
set -euo pipefail
r=$1
echo pi-e2e >"$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 pi-e2e\n' >"$r/etc/hosts"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\ne2e /mnt/e2e 9p trans=virtio,version=9p2000.L,msize=262144,nofail,x-systemd.after=systemd-modules-load.service 0 0\n' >"$r/etc/fstab"
printf '9pnet_virtio\n9p\n' >"$r/etc/modules-load.d/e2e.conf"
mkdir -p "$r/mnt/e2e" "$r/var/lib/e2e" "$r/boot/firmware"
passwd --root "$r" -d root >/dev/null
# No apt timers, no waiting for a network that the VM does not have.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service NetworkManager-wait-online.service; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
# Journal in memory and on disk, readable after a failure.
mkdir -p "$r/var/log/journal"
# The harness entry point: everything else lives on the 9p share, so the
# scenarios change without rebuilding the image.
cat >"$r/etc/systemd/system/e2e-boot.service" <<'UNIT'
[Unit]
Description=pi-netconfig e2e harness (radios, routers, scenarios)
RequiresMountsFor=/mnt/e2e
Before=NetworkManager.service pi-netconfig.service wpa_supplicant.service
After=systemd-modules-load.service local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/mnt/e2e/boot.sh
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/e2e-boot.service "$r/etc/systemd/system/multi-user.target.wants/e2e-boot.service"
# Serial console with a root shell, for debugging by hand.
mkdir -p "$r/etc/systemd/system/serial-getty@ttyS0.service.d"
printf '[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %%I 115200 vt220\n' >"$r/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"
