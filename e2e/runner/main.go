// Command e2e-runner is the pi-netconfig end-to-end harness inside the VM.
//
// e2e/run.sh boots a Debian VM whose e2e-boot.service runs "e2e-runner
// boot" before NetworkManager starts: it creates the simulated radios, puts
// the routers and the phone in their own network namespaces and starts the
// routers, then starts "e2e-runner scenarios" as a transient unit. That one
// installs pi-netconfig and plays the scenarios of the current boot, writes
// out/results.json on the 9p share, and reboots (after the first boot) or
// powers the VM off. On the host, "e2e-runner report FILE" prints the table.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	stateDir = "/var/lib/e2e"
)

// installed is false when the install scenario failed: the scenarios that
// need the daemon then fail at once instead of each waiting for its timeout.
var installed bool

// independent scenarios run whether or not the daemon is installed.
var independent = map[string]bool{"0": true, "install": true, "preseed": true, "secrets1": true, "secrets2": true}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: e2e-runner boot|scenarios|report FILE|bench HEADER DIR...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "boot":
		os.Exit(bootCmd())
	case "scenarios":
		os.Exit(scenariosCmd())
	case "report":
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "usage: e2e-runner report FILE")
			os.Exit(2)
		}
		r, err := loadResults(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: no results:", err)
			os.Exit(1)
		}
		if printTable(os.Stdout, r) > 0 {
			os.Exit(1)
		}
	case "bench":
		// e2e-runner bench HEADER DIR...
		if len(os.Args) < 4 {
			fmt.Fprintln(os.Stderr, "usage: e2e-runner bench HEADER DIR...")
			os.Exit(2)
		}
		if err := benchCmd(os.Stdout, os.Args[3:], os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "e2e-runner bench:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "e2e-runner: unknown command", os.Args[1])
		os.Exit(2)
	}
}

func openLog() {
	os.MkdirAll(share, 0o755)
	f, err := os.OpenFile(filepath.Join(share, "runner.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		logFile = f
	}
}

// bootCmd prepares the simulated air before NetworkManager starts.
func bootCmd() int {
	openLog()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logf("boot: radios and namespaces")
	fail := func(err error) int {
		logf("boot: FAILED: %v", err)
		run(ctx, 10*time.Second, "systemctl", "poweroff", "--no-block")
		return 1
	}
	if err := setupRadios(ctx); err != nil {
		return fail(err)
	}
	for _, r := range routers {
		if err := r.start(ctx); err != nil {
			return fail(fmt.Errorf("router %s: %w", r.ssid, err))
		}
	}
	logf("boot: routers up: HomeNet (WPA2), HomeNet-WPA3 (SAE), HiddenNet (hidden WPA2)")
	self, _ := os.Executable()
	if err := must(ctx, "systemd-run", "--quiet", "--no-block", "--collect", "--unit=e2e-scenarios",
		"-p", "StandardOutput=journal+console", "-p", "StandardError=journal+console", "--", self, "scenarios"); err != nil {
		return fail(err)
	}
	return 0
}

func scenariosCmd() int {
	openLog()
	os.MkdirAll(stateDir, 0o700)
	boot := 1
	if b, err := os.ReadFile(filepath.Join(stateDir, "phase")); err == nil && strings.TrimSpace(string(b)) == "2" {
		boot = 2
	}
	local := filepath.Join(stateDir, "results.json")
	outPath := filepath.Join(share, "results.json")
	res := &results{Started: time.Now().UTC()}
	if boot == 2 {
		if r, err := loadResults(local); err == nil {
			res = r
		}
	}
	res.Package = "binary (pi-netconfig install)"
	if d := debPath(); d != "" {
		res.Package = filepath.Base(d)
	}
	limit := 11 * time.Minute
	if boot == 2 {
		limit = 6 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if boot == 2 {
		installed = unitProp(context.Background(), service, "LoadState") == "loaded"
	}
	logf("boot %d: scenarios start", boot)
	for _, sc := range scenarios {
		if sc.boot != boot {
			continue
		}
		r := &result{ID: sc.id, Name: sc.name, Boot: boot}
		res.Results = append(res.Results, r)
		logf("=== scenario %s: %s", sc.id, sc.name)
		start := time.Now()
		var err error
		if !installed && !independent[sc.id] {
			err = errors.New("not run: pi-netconfig could not be installed")
		} else {
			err = runOne(ctx, sc, r)
		}
		if sc.id == "install" {
			installed = err == nil
		}
		r.Seconds = secs(time.Since(start))
		r.Pass = err == nil
		if err != nil {
			r.Error = redact(err.Error())
			logf("--- FAIL %s (%.1f s): %s", sc.id, r.Seconds, r.Error)
			failArtifacts(sc.id)
		} else {
			logf("--- PASS %s (%.1f s)", sc.id, r.Seconds)
		}
		res.save(local, outPath)
	}
	collectArtifacts(context.Background(), boot)
	if boot == 1 {
		os.WriteFile(filepath.Join(stateDir, "phase"), []byte("2\n"), 0o600)
		res.save(local, outPath)
		logf("boot 1 done: rebooting for scenario 9")
		run(context.Background(), 30*time.Second, "systemctl", "reboot", "--no-block")
		return 0
	}
	res.Complete = true
	res.Finished = time.Now().UTC()
	res.save(local, outPath)
	logf("boot 2 done: powering off")
	run(context.Background(), 30*time.Second, "systemctl", "poweroff", "--no-block")
	return 0
}

// runOne runs a scenario with its own deadline and turns a panic into a
// failure, so that one broken scenario never stops the others.
func runOne(ctx context.Context, sc scenario, r *result) (err error) {
	ctx, cancel := context.WithTimeout(ctx, sc.timeout())
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return sc.fn(ctx, r)
}

// collectArtifacts copies the VM's logs to out/ (gitignored): the whole
// journal, NetworkManager's and the daemon's.
func collectArtifacts(ctx context.Context, boot int) {
	out := share
	dump := func(name string, args ...string) {
		b, _ := run(ctx, time.Minute, "journalctl", append([]string{"--no-pager", "-b"}, args...)...)
		os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-boot%d.log", name, boot)), []byte(redact(b)), 0o644)
	}
	dump("journal")
	dump("networkmanager", "-u", "NetworkManager")
	dump("daemon", "-u", service)
	if b, err := os.ReadFile(logPath); err == nil {
		os.WriteFile(filepath.Join(out, fmt.Sprintf("pi-netconfig-boot%d.log", boot)), []byte(redact(string(b))), 0o644)
	}
}

// failArtifacts keeps the daemon's and NetworkManager's journal as they
// were when a scenario failed (out/fail-ID-*.log).
func failArtifacts(id string) {
	ctx := context.Background()
	for name, unit := range map[string]string{"daemon": service, "nm": "NetworkManager"} {
		b, _ := run(ctx, time.Minute, "journalctl", "--no-pager", "-b", "-u", unit)
		os.WriteFile(filepath.Join(share, fmt.Sprintf("fail-%s-%s.log", id, name)), []byte(redact(b)), 0o644)
	}
}
