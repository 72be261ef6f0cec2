// Command pi-netconfig keeps a headless Raspberry Pi online: it watches the
// WiFi link through NetworkManager and, when it cannot get online, raises a
// setup hotspot with a captive portal so a person with a phone can put the
// device on their WiFi.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "pi-netconfig: "+err.Error())
		}
		os.Exit(exitCode(err))
	}
}
