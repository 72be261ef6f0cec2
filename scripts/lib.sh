# shellcheck shell=bash
# Shared helpers for the test tiers. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export DEBIAN_FRONTEND=noninteractive

log() { printf '\n==> %s\n' "$*" >&2; }

# fail_or_skip MESSAGE: a tier that cannot run fails under CI=true and says
# so loudly elsewhere (never a silent skip).
fail_or_skip() {
	if [ "${CI:-}" = "true" ]; then
		printf '\n!!! TIER CANNOT RUN (failing because CI=true): %s\n' "$*" >&2
		exit 1
	fi
	printf '\n!!! TIER SKIPPED, NOT TESTED: %s\n' "$*" >&2
	exit 0
}

_apt_updated=""
# need_pkgs PKG...: installs the Debian packages that are missing. Never
# starts services (policy-rc.d refuses), so installing network-manager does
# not touch this machine's own networking.
need_pkgs() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		fail_or_skip "needs root to install: ${missing[*]}"
	fi
	log "installing ${missing[*]}"
	local prc=/usr/sbin/policy-rc.d created=""
	if [ ! -e $prc ]; then printf '#!/bin/sh\nexit 101\n' >$prc && chmod +x $prc && created=1; fi
	if [ -z "$_apt_updated" ]; then apt-get update -qq >&2 || true; _apt_updated=1; fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	local rc=$?
	[ -n "$created" ] && rm -f $prc
	return $rc
}
