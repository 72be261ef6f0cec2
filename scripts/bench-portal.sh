#!/usr/bin/env bash
# Portal load benchmark (not part of the CI check): wrk against the real
# binary in demo mode on loopback, 10 connections, for GET / and
# GET /api/status; requests/s, p50/p99 latency, and the demo's resident
# memory (VmRSS sampled under load, VmHWM peak) from /proc.
# Targets (SPEC 6): /api/status p99 <= 5 ms, RSS <= 15 MB.
#
#   scripts/bench-portal.sh            10 s per route
#   DURATION=30s scripts/bench-portal.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

need_pkgs wrk
duration=${DURATION:-10s}
conns=${CONNS:-10}
# One wrk thread: with two, wrk and the portal fight over the two cores and
# the p99 measures the scheduler, not the portal.
threads=${THREADS:-1}

tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

log "building pi-netconfig"
CGO_ENABLED=0 go build -trimpath -tags nethttpomithttp2 -ldflags='-s -w' -o "$tmp/pi-netconfig" ./cmd/pi-netconfig
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
addr=127.0.0.1:$port
"$tmp/pi-netconfig" demo --listen "$addr" --socket "$tmp/control.sock" >"$tmp/demo.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS "http://$addr/api/status" 2>/dev/null | grep -q '"AP_MODE"' && break
	sleep 0.1
done
curl -fsS "http://$addr/api/status" | grep -q '"AP_MODE"' || { cat "$tmp/demo.log" >&2; echo "demo did not start" >&2; exit 1; }

kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
log "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); $(go version | cut -d' ' -f3); wrk -t$threads -c$conns -d$duration; load average $(cut -d' ' -f1-3 /proc/loadavg); GOGC=${GOGC:-100}"
echo "idle RSS: $(kb VmRSS) kB"

# to_ms turns wrk's "123.45us" / "1.23ms" / "1.00s" into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

results=()
for path in / /api/status; do
	peak_rss=0
	( while kill -0 "$pid" 2>/dev/null; do kb VmRSS; sleep 0.2; done ) >"$tmp/rss" &
	sampler=$!
	wrk -t"$threads" -c"$conns" -d"$duration" --latency "http://$addr$path" >"$tmp/wrk" 2>&1
	kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
	peak_rss=$(sort -n "$tmp/rss" | tail -1)
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/wrk")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$tmp/wrk")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$tmp/wrk")")
	errs=$(grep -E 'Non-2xx|Socket errors' "$tmp/wrk" || true)
	line=$(printf 'GET %-12s %10s req/s   p50 %7s ms   p99 %7s ms   RSS under load %6s kB' "$path" "$rps" "$p50" "$p99" "$peak_rss")
	echo "$line"
	[ -n "$errs" ] && echo "  $errs"
	results+=("$line")
done
hwm=$(kb VmHWM)
echo "peak RSS (VmHWM): $hwm kB"

log "summary"
printf '%s\n' "${results[@]}"
echo "VmHWM $hwm kB"
status_p99=$(printf '%s\n' "${results[@]}" | awk '/api\/status/ { for (i = 1; i <= NF; i++) if ($i == "p99") print $(i+1) }')
awk -v p="$status_p99" 'BEGIN { exit !(p <= 5) }' && echo "target /api/status p99 <= 5 ms: met ($status_p99 ms)" || echo "target /api/status p99 <= 5 ms: MISSED ($status_p99 ms)"
[ "$hwm" -le 15360 ] && echo "target RSS <= 15 MB: met ($hwm kB)" || echo "target RSS <= 15 MB: MISSED ($hwm kB)"
