#!/usr/bin/env bash
# Runs every test tier, installing what the tiers need (apt packages,
# Chromium, qemu, the VM image). .ci/run calls this script.
#
#   scripts/test.sh              all tiers
#   scripts/test.sh unit browser only the named tiers
#
# Tiers: unit (vet, gofmt, go test -race), fuzz, integration (real
# NetworkManager in a network namespace), browser (headless Chromium against
# the demo), packages (.deb and cross-built binaries), e2e (a VM with
# virtual radios, hostapd and a phone). Under CI=true a tier that cannot run
# fails; otherwise it says loudly that it was skipped.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

all=(unit fuzz integration browser packages e2e)
tiers=("$@")
[ ${#tiers[@]} -eq 0 ] && tiers=("${all[@]}")

passed=0 failed=0
summary=()
start_all=$(date +%s)
for t in "${tiers[@]}"; do
	script="scripts/tier-$t.sh"
	if [ ! -x "$script" ]; then
		echo "unknown tier $t (have: ${all[*]})" >&2
		exit 2
	fi
	log "tier $t"
	s=$(date +%s)
	if "$script"; then
		r=PASS; passed=$((passed + 1))
	else
		r=FAIL; failed=$((failed + 1))
	fi
	summary+=("$(printf '%-12s %s %4ss' "$t" "$r" $(($(date +%s) - s)))")
done

printf '\n==> summary (%ss in all)\n' $(($(date +%s) - start_all))
printf '  %s\n' "${summary[@]}"
echo "tiers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
