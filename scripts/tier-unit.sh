#!/usr/bin/env bash
# Unit tier: formatting, vet, and every package's tests under the race
# detector (the state machine's timers run in testing/synctest bubbles).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

log "gofmt"
bad=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [ -n "$bad" ]; then
	echo "gofmt would change: $bad" >&2
	exit 1
fi
log "go vet"
go vet ./...
log "go test -race"
go test -race -count=1 ./...
log "cross-build linux/arm GOARM=6 (Pi Zero)"
CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 go build -o /dev/null ./cmd/pi-netconfig
