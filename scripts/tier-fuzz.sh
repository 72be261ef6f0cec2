#!/usr/bin/env bash
# Fuzz tier: runs each portal fuzz target for a bounded time (FUZZTIME,
# default 10s each; about 1 min in all with the builds). A crasher is
# written to internal/portal/testdata/fuzz/ and fails the tier; commit it
# with the fix so that it stays a regression test.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

fuzztime=${FUZZTIME:-10s}
targets=(FuzzDecodeConfigure FuzzValidate FuzzConfigureHandler FuzzHost)
start=$(date +%s)
for f in "${targets[@]}"; do
	log "fuzz $f for $fuzztime"
	go test -run '^$' -fuzz "^${f}\$" -fuzztime "$fuzztime" -parallel 2 ./internal/portal/
done
log "fuzz tier passed: ${#targets[@]} targets, $fuzztime each, in $(($(date +%s) - start)) s"
