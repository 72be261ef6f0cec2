#!/usr/bin/env bash
# Browser tier: the setup page in real headless Chromium (Debian's
# chromium, driven by chromedp from its own module test/browser) against
# the real binary in demo mode: phone and desktop viewports, wrong and right
# password, hidden network, keyboard only, JavaScript off, rescan, no request
# outside the page's origin, and an axe-core accessibility audit of the main
# states. Screenshots land in test/artifacts/browser/.
# About 1.5 min. `scripts/tier-browser.sh -update` refreshes
# docs/screenshots/.
. "$(dirname "$0")/lib.sh"

need_pkgs chromium ca-certificates
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || fail_or_skip "chromium is not installed"
"$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1 || fail_or_skip "chromium does not start here"
export CHROMIUM

# axe-core, the accessibility engine the tests inject into the page (labels,
# names, contrast, focus). Pinned; installed outside the repository's tracked
# files. Without it the audit fails under CI and is skipped loudly elsewhere.
AXE_VERSION=4.14.1
axe_dir="$ROOT/test/artifacts/npm"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ] || ! grep -q "\"version\": \"$AXE_VERSION\"" "$axe_dir/node_modules/axe-core/package.json" 2>/dev/null; then
	if command -v npm >/dev/null; then
		log "installing axe-core@$AXE_VERSION from npm"
		mkdir -p "$axe_dir"
		npm install --no-audit --no-fund --no-save --silent --prefix "$axe_dir" "axe-core@$AXE_VERSION" >&2 || true
	fi
fi
if [ -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
	export AXE_JS="$axe_dir/node_modules/axe-core/axe.min.js"
fi

log "browser tier: $("$CHROMIUM" --version 2>/dev/null)"
cd "$ROOT/test/browser"
start=$(date +%s)
bad=$(gofmt -l . || true)
[ -z "$bad" ] || { echo "gofmt would change: $bad" >&2; exit 1; }
go vet ./...
mkdir -p "$ROOT/test/artifacts"
out="$ROOT/test/artifacts/browser-tier.log"
rc=0
go test -count=1 -timeout 6m -v ./... "$@" >"$out" 2>&1 || rc=$?
grep -v -e '^=== ' -e 'object_proxy.cc' "$out" || true
[ "$rc" = 0 ] || { log "browser tier FAILED (screenshots and demo logs in test/artifacts/browser/)"; exit "$rc"; }
log "browser tier passed in $(($(date +%s) - start)) s; screenshots in test/artifacts/browser/"
