package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// errUsage is returned after the usage text was printed.
var errUsage = errors.New("usage")

const usage = `pi-netconfig keeps this device online over WiFi; when it cannot, it raises
the setup hotspot PiConfig-XXXX with a web page to choose a network.

Usage:
  pi-netconfig run                 run the daemon (as the systemd service does)
  pi-netconfig demo [--listen A]   run the whole daemon on a simulated radio world,
                                   portal on http://127.0.0.1:8080/
  pi-netconfig status [--json] [--qr]
                                   show the state; --qr prints the hotspot's WiFi QR code
  pi-netconfig scan [--json] [--rescan]
                                   list the networks in range
  pi-netconfig connect SSID [--hidden] [--password-stdin]
                                   join a network (the password is asked for, never an argument)
  pi-netconfig forget              forget the networks pi-netconfig saved
  pi-netconfig ap start|stop       start or stop the setup hotspot by hand
  pi-netconfig install [--root DIR]
  pi-netconfig uninstall [--purge] [--root DIR]
  pi-netconfig version

The client commands talk to the daemon over its root-only socket
(/run/pi-netconfig/control.sock; --socket PATH to change).
`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return cmdDefault(ctx)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest)
	case "demo":
		return cmdDemo(ctx, rest)
	case "status":
		return cmdStatus(ctx, rest, os.Stdout)
	case "scan":
		return cmdScan(ctx, rest, os.Stdout)
	case "connect":
		return cmdConnect(ctx, rest, os.Stdin, os.Stdout)
	case "forget":
		return cmdForget(ctx, rest, os.Stdout)
	case "ap":
		return cmdAP(ctx, rest, os.Stdout)
	case "install":
		return cmdInstall(ctx, rest)
	case "uninstall":
		return cmdUninstall(ctx, rest)
	case "version", "--version", "-v":
		fmt.Println("pi-netconfig " + version)
		return nil
	case "help", "--help", "-h":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newFlags returns a flag set that prints a short usage line on error and
// returns errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses flags and wraps errors in a sentence.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(usage)
			return errUsage
		}
		return fmt.Errorf("%s: %v (see pi-netconfig help)", fs.Name(), err)
	}
	return nil
}

// exitCode maps errors to exit statuses: 2 for usage errors, 1 otherwise.
func exitCode(err error) int {
	if errors.Is(err, errUsage) || strings.Contains(err.Error(), "(see pi-netconfig help)") {
		return 2
	}
	return 1
}

// requireRoot is checked before anything privileged (FR-074).
func requireRoot(what string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s must run as root; try: sudo pi-netconfig %s", what, what)
	}
	return nil
}

// cmdDefault is the bare binary: as root where the service is absent it
// installs itself (the original's behaviour); otherwise it prints the usage.
func cmdDefault(ctx context.Context) error {
	handled, err := MaybeSelfInstall(ctx, os.Stdout)
	if handled {
		return err
	}
	fmt.Print(usage)
	return nil
}

// lowMemory keeps the daemon's resident memory under 15 MB: the binary's
// own pages are about 9.5 MB of it (net/http brings the TLS stack along),
// so the heap may grow by only half between collections (measured in
// docs/BENCHMARKS.md). A soft memory limit was tried and dropped: in the
// VM it raised idle CPU from under 1 % to 6–9 % and saved nothing. GOGC in
// the environment still wins.
func lowMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}
