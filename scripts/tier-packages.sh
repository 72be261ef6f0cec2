#!/usr/bin/env bash
# Tier "packages": the install/logging/sdnotify/radiocheck/preseed unit
# tests, the four cross-built binaries, the three .debs, and assertions on
# them: control fields, files and modes, conffiles, maintainer scripts, the
# unit (systemd-analyze verify), the ELF machine of each binary, the arm
# binaries run under qemu-user, the ARMv6 size limit, and `install --root`
# / `uninstall --root` of the real amd64 binary into a scratch directory.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

need_pkgs make qemu-user-static systemd
command -v go >/dev/null || fail_or_skip "go is not installed"
for t in qemu-arm-static qemu-aarch64-static dpkg-deb systemd-analyze; do
	command -v "$t" >/dev/null || fail_or_skip "$t is missing after installing its package"
done

VERSION=0.0.0~tier
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DIST=$WORK/dist
failures=0
check() { # check DESCRIPTION COMMAND...: run an assertion, count failures
	local what=$1
	shift
	if "$@"; then
		printf '  ok   %s\n' "$what" >&2
	else
		printf '  FAIL %s\n' "$what" >&2
		failures=$((failures + 1))
	fi
}
eq() { [ "$1" = "$2" ] || { printf '       got %q, want %q\n' "$1" "$2" >&2; return 1; }; }

log "unit tests (race)"
go test -race -count=1 ./internal/install/... ./internal/logging/... ./internal/sdnotify/... \
	./internal/radiocheck/... ./internal/preseed/...

log "binaries and packages"
start=$(date +%s)
make -j2 --no-print-directory binaries packages DIST="$DIST" VERSION="$VERSION" >"$WORK/make.log" 2>&1 ||
	{ cat "$WORK/make.log" >&2; exit 1; }
log "built in $(($(date +%s) - start)) s"
ls -l "$DIST" >&2

log "binaries"
elf_machine() { od -An -tx1 -j18 -N2 "$1" | tr -d ' \n'; }
check "amd64 binary is x86-64" eq "$(elf_machine "$DIST/pi-netconfig-linux-amd64")" 3e00
check "arm64 binary is AArch64" eq "$(elf_machine "$DIST/pi-netconfig-linux-arm64")" b700
check "armv6 binary is ARM" eq "$(elf_machine "$DIST/pi-netconfig-linux-armv6")" 2800
check "armv7 binary is ARM" eq "$(elf_machine "$DIST/pi-netconfig-linux-armv7")" 2800
check "armv6 binary is built for GOARM=6" eq "$(go version -m "$DIST/pi-netconfig-linux-armv6" | awk '$2 ~ /^GOARM=/ {print $2}')" GOARM=6
check "armv7 binary is built for GOARM=7" eq "$(go version -m "$DIST/pi-netconfig-linux-armv7" | awk '$2 ~ /^GOARM=/ {print $2}')" GOARM=7
for b in amd64 arm64 armv6 armv7; do
	check "$b binary is static (CGO_ENABLED=0)" grep -q 'CGO_ENABLED=0' <<<"$(go version -m "$DIST/pi-netconfig-linux-$b")"
	check "$b binary is stripped (no symbol table)" grep -q 'no symbol' <<<"$(go tool nm "$DIST/pi-netconfig-linux-$b" 2>&1 | head -1)"
done
want="pi-netconfig $VERSION"
check "amd64 binary runs: version" eq "$("$DIST/pi-netconfig-linux-amd64" version)" "$want"
check "arm64 binary runs under qemu-aarch64: version" eq "$(qemu-aarch64-static "$DIST/pi-netconfig-linux-arm64" version)" "$want"
check "armv6 binary runs under qemu-arm (cpu arm1176, a Pi Zero's): version" eq "$(qemu-arm-static -cpu arm1176 "$DIST/pi-netconfig-linux-armv6" version)" "$want"
check "armv7 binary runs under qemu-arm: version" eq "$(qemu-arm-static "$DIST/pi-netconfig-linux-armv7" version)" "$want"
limit=$((10 * 1024 * 1024))
for b in amd64 arm64 armv6 armv7; do
	printf '  size %-5s %9d bytes\n' "$b" "$(stat -c %s "$DIST/pi-netconfig-linux-$b")" >&2
done
check "stripped armv6 binary <= 10 MiB" test "$(stat -c %s "$DIST/pi-netconfig-linux-armv6")" -le "$limit"

log "packages"
for arch in amd64 arm64 armhf; do
	deb=$DIST/pi-netconfig_${VERSION}_$arch.deb
	check "$arch: package exists" test -s "$deb" || continue
	printf '  size %-5s %9d bytes (.deb)\n' "$arch" "$(stat -c %s "$deb")" >&2
	check "$arch: Package" eq "$(dpkg-deb -f "$deb" Package)" pi-netconfig
	check "$arch: Architecture" eq "$(dpkg-deb -f "$deb" Architecture)" "$arch"
	check "$arch: Version" eq "$(dpkg-deb -f "$deb" Version)" "$VERSION"
	check "$arch: Depends" eq "$(dpkg-deb -f "$deb" Depends)" "network-manager, dnsmasq-base"
	contents=$(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ || $6 ~ /pi-netconfig\/$/ {print $1, $2, $6}' | sort)
	wantc=$(printf '%s\n' \
		"-rw-r--r-- root/root ./etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf" \
		"-rw-r--r-- root/root ./lib/systemd/system/pi-netconfig.service" \
		"-rwxr-xr-x root/root ./usr/bin/pi-netconfig" \
		"drwx------ root/root ./etc/pi-netconfig/" | sort)
	check "$arch: files, owners and modes" eq "$contents" "$wantc"
	x=$WORK/x-$arch
	dpkg-deb -x "$deb" "$x" && dpkg-deb -e "$deb" "$x/DEBIAN"
	check "$arch: conffiles" eq "$(cat "$x/DEBIAN/conffiles")" /etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf
	for s in postinst prerm postrm; do
		check "$arch: $s is an executable sh script" bash -c "test -x '$x/DEBIAN/$s' && sh -n '$x/DEBIAN/$s'"
	done
	bin=${arch/armhf/armv6}
	check "$arch: packaged binary is dist's $bin binary" cmp -s "$x/usr/bin/pi-netconfig" "$DIST/pi-netconfig-linux-$bin"
	unit=$x/lib/systemd/system/pi-netconfig.service
	check "$arch: unit runs /usr/bin/pi-netconfig" grep -qx 'ExecStart=/usr/bin/pi-netconfig run' "$unit"
	check "$arch: unit is Type=notify with a watchdog" bash -c "grep -qx 'Type=notify' '$unit' && grep -q '^WatchdogSec=' '$unit'"
	check "$arch: drop-in points DNS at the hotspot" grep -q '192.168.50.1' "$x/etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf"
done

log "systemd-analyze verify"
# verify wants ExecStart to exist: point it at the amd64 binary.
mkdir -p "$WORK/verify"
sed "s#^ExecStart=/usr/bin/pi-netconfig#ExecStart=$DIST/pi-netconfig-linux-amd64#" \
	"$WORK/x-amd64/lib/systemd/system/pi-netconfig.service" >"$WORK/verify/pi-netconfig.service"
verify_out=$(systemd-analyze verify "$WORK/verify/pi-netconfig.service" 2>&1) && verify_rc=0 || verify_rc=$?
[ -n "$verify_out" ] && printf '%s\n' "$verify_out" >&2
check "systemd-analyze verify: no errors" test "$verify_rc" -eq 0
check "systemd-analyze verify: no unknown or ignored settings" bash -c '! grep -qiE "unknown|ignoring|invalid" <<<"$1"' _ "$verify_out"
exposure=$(systemd-analyze security --offline=yes "$WORK/x-amd64/lib/systemd/system/pi-netconfig.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for pi-netconfig.service: \([0-9.]*\).*/\1/p')
printf '  systemd-analyze security exposure: %s (0 best, 10 worst)\n' "${exposure:-?}" >&2
check "systemd-analyze security exposure < 4 (OK)" awk -v e="${exposure:-10}" 'BEGIN { exit !(e < 4) }'

log "install --root / uninstall --root with the real binary"
R=$WORK/root
mkdir -p "$R"
out1=$("$DIST/pi-netconfig-linux-amd64" install --root "$R" 2>&1) || { printf '%s\n' "$out1" >&2; check "install --root" false; }
printf '%s\n' "$out1" >&2
check "install --root: binary 0755" eq "$(stat -c %a "$R/usr/local/bin/pi-netconfig")" 755
check "install --root: binary is this binary" cmp -s "$R/usr/local/bin/pi-netconfig" "$DIST/pi-netconfig-linux-amd64"
check "install --root: /etc/pi-netconfig 0700" eq "$(stat -c %a "$R/etc/pi-netconfig")" 700
check "install --root: unit runs /usr/local/bin/pi-netconfig" grep -qx 'ExecStart=/usr/local/bin/pi-netconfig run' "$R/etc/systemd/system/pi-netconfig.service"
check "install --root: enabled offline (multi-user.target.wants link)" eq "$(readlink "$R/etc/systemd/system/multi-user.target.wants/pi-netconfig.service")" /etc/systemd/system/pi-netconfig.service
check "install --root: drop-in same as the package's" cmp -s "$R/etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf" "$WORK/x-amd64/etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf"
out2=$("$DIST/pi-netconfig-linux-amd64" install --root "$R" 2>&1) || true
check "install --root again: nothing changed" grep -q 'already installed, nothing changed' <<<"$out2"
out3=$("$DIST/pi-netconfig-linux-amd64" uninstall --root "$R" 2>&1) || true
printf '%s\n' "$out3" >&2
check "uninstall --root: files gone, config kept" bash -c "test ! -L '$R/etc/systemd/system/multi-user.target.wants/pi-netconfig.service' && test ! -e '$R/usr/local/bin/pi-netconfig' && test ! -e '$R/etc/systemd/system/pi-netconfig.service' && test ! -e '$R/etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf' && test -d '$R/etc/pi-netconfig'"
"$DIST/pi-netconfig-linux-amd64" uninstall --purge --root "$R" >/dev/null 2>&1 || true
check "uninstall --purge --root: config gone" test ! -e "$R/etc/pi-netconfig"

if [ "$failures" -gt 0 ]; then
	log "tier packages: $failures check(s) FAILED"
	exit 1
fi
log "tier packages: all checks passed"
