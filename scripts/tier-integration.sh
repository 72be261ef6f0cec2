#!/usr/bin/env bash
# Integration tier: internal/nm against a real NetworkManager running in a
# network namespace on a private dbus-daemon (test/nmns sets it up and tears
# it down per test), and against a scripted NetworkManager on a private bus
# for the WiFi paths. No radios here: the real WiFi paths are proven in the
# e2e tier's VM. Takes about 10 s.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || fail_or_skip "the integration tier needs root (network namespaces, mounts)"
need_pkgs network-manager dbus iproute2 dnsmasq-base
for tool in NetworkManager dbus-daemon ip dnsmasq; do
	command -v "$tool" >/dev/null || fail_or_skip "$tool is not installed"
done
ip netns add "pnc-probe-$$" 2>/dev/null || fail_or_skip "cannot create network namespaces here"
ip netns del "pnc-probe-$$"

# Namespaces carry this tag; whatever a killed test run left behind
# (NetworkManager, dnsmasq in them) is removed on exit.
export NMNS_TAG="tier$$"
cleanup() {
	local ns pid
	for ns in $(ip netns list | awk -v t="-$NMNS_TAG-" 'index($1, t) {print $1}'); do
		for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT

log "integration tier: NetworkManager $(NetworkManager --version) in network namespaces (test/nmns)"
cd "$ROOT"
mkdir -p test/artifacts
out=test/artifacts/integration.log
start=$(date +%s)
# The full verbose log goes to $out; the terminal gets the NetworkManager
# start/up lines and one line per test, or the whole log on failure.
if go test -race -tags integration -count=1 -timeout 5m -v ./internal/nm/... ./test/nmns/... "$@" >"$out" 2>&1; then
	grep -E '^(--- |ok |PASS$)|nmns: ' "$out" | sed -E 's/^ +[a-z_]+\.go:[0-9]+: //'
	log "integration tier passed in $(($(date +%s) - start)) s (full log: $out)"
else
	cat "$out"
	log "integration tier FAILED after $(($(date +%s) - start)) s (full log: $out)"
	exit 1
fi
