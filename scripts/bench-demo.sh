#!/usr/bin/env bash
# Benchmark: time from `pi-netconfig demo` start to AP_MODE with nothing
# saved (the demo's simulated radio takes 1.5 s to scan and 1 s to raise the
# hotspot, as a Pi's does), and the daemon's idle CPU and memory.
# Prints a Markdown table row; not part of the test tiers.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
runs=${RUNS:-5}
bin=$(mktemp -d)/pi-netconfig
go build -o "$bin" ./cmd/pi-netconfig
port=18181
times=()
for i in $(seq "$runs"); do
	out=$(mktemp)
	"$bin" demo --listen 127.0.0.1:$port >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q "demo: hotspot up" "$out" && break; sleep 0.1; done
	t=$(grep -o 'after=[0-9.]*m\?s' "$out" | head -1 | cut -d= -f2)
	times+=("$t")
	if [ "$i" = "$runs" ]; then
		sleep 10
		rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
		cpu1=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 10; cpu2=$(awk '{print $14+$15}' /proc/$pid/stat)
		idle_ticks=$((cpu2 - cpu1))
	fi
	kill $pid; wait $pid 2>/dev/null || true
	rm -f "$out"
done
echo "| demo start → AP_MODE (nothing saved), $runs runs | ${times[*]} |"
echo "| demo resident memory after start (VmRSS) | ${rss} kB |"
echo "| demo CPU while idle in AP_MODE, 10 s | ${idle_ticks} ticks ($(getconf CLK_TCK)/s) |"
