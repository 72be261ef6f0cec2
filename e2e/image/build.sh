#!/bin/bash
# build.sh OUTDIR: builds the e2e VM image (Debian bookworm, from the same
# apt mirror as this machine) into OUTDIR: base.qcow2, vmlinuz, initrd.img.
# Called by e2e/run.sh only when the cache for this package list and these
# scripts does not exist yet.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
work=$(mktemp -d /var/tmp/pi-netconfig-e2e-build.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The mirror this machine's apt uses (deb822 or one-line format).
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^ ]*debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n1 || true)
if [ -z "$mirror" ]; then
	mirror=$(grep -hoE '^deb (\[[^]]*\] )?http[^ ]*/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $NF}' | head -n1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
secmirror=${mirror%/debian}/debian-security
pkgs=$(grep -v '^#' "$here/packages.txt" | grep -v '^$' | paste -sd, -)

echo "e2e image: mirror $mirror" >&2
mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
	--aptopt='APT::Install-Recommends "false"' \
	--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"; printf "MODULES=list\nCOMPRESS=zstd\n" >"$1/etc/initramfs-tools/conf.d/e2e.conf"; printf "virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n" >"$1/etc/initramfs-tools/modules"' \
	--customize-hook="$here/customize.sh \"\$1\"" \
	bookworm "$work/rootfs" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $secmirror bookworm-security main"

cp "$work"/rootfs/boot/vmlinuz-* "$out/vmlinuz"
cp "$work"/rootfs/boot/initrd.img-* "$out/initrd.img"
rm -f "$work"/rootfs/boot/initrd.img-*
mke2fs -q -t ext4 -L root -d "$work/rootfs" "$work/root.img" 3G
qemu-img convert -f raw -O qcow2 "$work/root.img" "$out/base.qcow2.tmp"
mv "$out/base.qcow2.tmp" "$out/base.qcow2"
echo "e2e image: built in $out" >&2
