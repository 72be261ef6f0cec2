#!/usr/bin/env bash
# End-to-end tier: pi-netconfig installed from its .deb in a Debian VM, on
# real NetworkManager, wpa_supplicant, hostapd and dnsmasq, with simulated
# radios (mac80211_hwsim), a home router, a WPA3 and a hidden network, and a
# phone. See e2e/run.sh. Results: e2e/out/results.json.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

[ "$(id -u)" = 0 ] || fail_or_skip "the e2e tier needs root (mmdebstrap, 9p share)"
need_pkgs mmdebstrap qemu-system-x86 qemu-utils e2fsprogs make
command -v qemu-system-x86_64 >/dev/null || fail_or_skip "qemu-system-x86_64 is not available"
command -v mmdebstrap >/dev/null || fail_or_skip "mmdebstrap is not available"
# make deb-amd64 needs what the packages tier needs; the Makefile installs it.
exec e2e/run.sh
