#!/bin/bash
# e2e/run.sh: the end-to-end tier. Builds (or takes from the cache) a Debian
# bookworm VM image, builds pi-netconfig's amd64 .deb (or, before the
# package exists, the plain binary) and the in-VM runner, boots the VM with
# qemu (software emulation: KVM here cannot boot a stock Debian kernel) and
# lets the runner play every scenario over mac80211_hwsim radios. Results:
# e2e/out/results.json, logs and transcripts beside it.
#
# Environment: E2E_CACHE (image cache root, default
# /var/cache/pi-netconfig-e2e), E2E_TIMEOUT (seconds for the VM, default
# 840), E2E_ACCEL (tcg or kvm, default tcg), E2E_DEB (a .deb to test
# instead of building one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E2E=$ROOT/e2e
OUT=$E2E/out
CACHE=${E2E_CACHE:-/var/cache/pi-netconfig-e2e}
TIMEOUT=${E2E_TIMEOUT:-840}
ACCEL=${E2E_ACCEL:-tcg}
say() { printf '==> e2e: %s\n' "$*" >&2; }
t0=$(date +%s)

# 1. The image, keyed by its package list and build scripts.
key=$(cat "$E2E/image/packages.txt" "$E2E/image/build.sh" "$E2E/image/customize.sh" | sha256sum | cut -c1-16)
img=$CACHE/$key
mkdir -p "$CACHE"
cached=true
if [ ! -f "$img/base.qcow2" ]; then
	cached=false
	say "building the VM image $img (cache miss)"
	(
		flock 9
		[ -f "$img/base.qcow2" ] || "$E2E/image/build.sh" "$img.tmp"
		[ -d "$img.tmp" ] && rm -rf "$img" && mv "$img.tmp" "$img"
	) 9>"$CACHE/.lock"
else
	say "VM image from the cache: $img"
fi
t_image=$(date +%s)

# 2. What goes on the 9p share.
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/pkg"
cd "$ROOT"
CGO_ENABLED=0 go build -o "$OUT/bin/e2e-runner" ./e2e/runner
if [ -n "${E2E_DEB:-}" ]; then
	cp "$E2E_DEB" "$OUT/pkg/"
elif [ -f Makefile ] && grep -q '^deb-amd64:' Makefile; then
	say "building the amd64 .deb (make deb-amd64)"
	make deb-amd64 >"$OUT/make-deb.log" 2>&1 || { tail -20 "$OUT/make-deb.log" >&2; say "make deb-amd64 failed"; exit 1; }
	deb=$(ls -t dist/pi-netconfig_*_amd64.deb | head -n1)
	cp "$deb" "$OUT/pkg/"
else
	say "no 'make deb-amd64' yet: testing the plain binary with 'pi-netconfig install'"
	CGO_ENABLED=0 go build -o "$OUT/pkg/pi-netconfig" ./cmd/pi-netconfig || say "cannot build ./cmd/pi-netconfig: the install scenario will fail"
fi
cp "$E2E/boot.sh" "$OUT/boot.sh"
chmod +x "$OUT/boot.sh"

# 3. One VM, two boots (the runner reboots it for scenario 9), on an
# overlay so the cached image stays clean.
overlay=$(mktemp /var/tmp/pi-netconfig-e2e-overlay.XXXXXX.qcow2)
[ -n "${E2E_KEEP:-}" ] || trap 'rm -f "$overlay"' EXIT
qemu-img create -q -f qcow2 -b "$img/base.qcow2" -F qcow2 "$overlay"
[ -n "${E2E_KEEP:-}" ] && say "keeping the overlay $overlay"
accel="-accel tcg,thread=multi"
[ "$ACCEL" = kvm ] && accel="-accel kvm"
say "booting the VM ($ACCEL, timeout ${TIMEOUT}s); progress in e2e/out/runner.log, console in e2e/out/console.log"
touch "$OUT/runner.log"
tail -n +1 -F "$OUT/runner.log" 2>/dev/null &
tailpid=$!
set +e
# shellcheck disable=SC2086
timeout "$TIMEOUT" qemu-system-x86_64 $accel -cpu max -smp 2 -m 1024 \
	-nodefaults -no-user-config -display none -nic none \
	-serial "file:$OUT/console.log" \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet" \
	-drive "file=$overlay,if=virtio,format=qcow2" \
	-virtfs "local,path=$OUT,mount_tag=e2e,security_model=none,id=e2e" \
	-device virtio-rng-pci </dev/null
qrc=$?
set -e
sleep 1
kill "$tailpid" 2>/dev/null || true
wait "$tailpid" 2>/dev/null || true
t_end=$(date +%s)
[ $qrc -eq 124 ] && say "the VM did not finish within ${TIMEOUT}s (killed)"
printf '{"image_cached":%s,"image_s":%d,"vm_s":%d,"total_s":%d,"accel":"%s"}\n' \
	"$cached" $((t_image - t0)) $((t_end - t_image)) $((t_end - t0)) "$ACCEL" >"$OUT/timing.json"
say "image $((t_image - t0)) s ($( $cached && echo cached || echo built)), VM $((t_end - t_image)) s, total $((t_end - t0)) s"
if [ ! -f "$OUT/results.json" ]; then
	say "no results: the VM never ran the scenarios (see e2e/out/console.log)"
	tail -40 "$OUT/console.log" >&2 || true
	exit 1
fi
"$OUT/bin/e2e-runner" report "$OUT/results.json"
