#!/usr/bin/env bash
# Integration tier: internal/nm against a real NetworkManager running in a
# network namespace on a private dbus-daemon (test/nmns sets it up and tears
# it down per test). No WiFi there: the shared machinery runs on a veth pair;
# the WiFi paths are proven in the e2e tier's VM. Takes about 20 s.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || fail_or_skip "the integration tier needs root (network namespaces, mounts)"
need_pkgs network-manager dbus iproute2 dnsmasq-base
for tool in NetworkManager dbus-daemon ip dnsmasq; do
	command -v "$tool" >/dev/null || fail_or_skip "$tool is not installed"
done
ip netns add "pnc-probe-$$" 2>/dev/null || fail_or_skip "cannot create network namespaces here"
ip netns del "pnc-probe-$$"

log "integration tier: NetworkManager $(NetworkManager --version) in a network namespace"
cd "$ROOT"
start=$(date +%s)
go test -race -tags integration -count=1 -timeout 5m ./internal/nm/... ./test/nmns/... "$@"
log "integration tier passed in $(($(date +%s) - start)) s"
