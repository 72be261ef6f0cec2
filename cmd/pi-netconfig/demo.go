package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/config"
	"github.com/pi-netconfig/pi-netconfig/internal/control"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/portal"
	"github.com/pi-netconfig/pi-netconfig/internal/sim"
)

// cmdDemo runs the whole daemon on a simulated radio world: no root, no
// NetworkManager, no radio. Its config and socket live in a temporary
// directory.
func cmdDemo(ctx context.Context, args []string) error {
	fs := newFlags("demo")
	listen := fs.String("listen", "127.0.0.1:8080", "portal address")
	sock := fs.String("socket", "", "control socket (default: in the demo's temporary directory)")
	verbose := fs.Bool("v", false, "debug logging")
	if err := parse(fs, args); err != nil {
		return err
	}
	lowMemory()
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	dir, err := os.MkdirTemp("", "pi-netconfig-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfgPath := filepath.Join(dir, "config.json")
	if *sock == "" {
		*sock = filepath.Join(dir, "control.sock")
	}

	world := sim.Demo()
	set := netstate.DefaultSettings()
	set.HandoffDelay = time.Second
	m := netstate.New(netstate.Options{
		Radio:    world,
		Prober:   sim.Prober{W: world},
		Log:      log,
		Settings: set,
		Persist: func(ssid string, at time.Time) error {
			return persistConnection(cfgPath, ssid, at, log)
		},
		Faults: true,
	})
	if err := config.Save(cfgPath, config.Default()); err != nil {
		return err
	}
	ln, err := control.Listen(*sock)
	if err != nil {
		return err
	}

	start := time.Now()
	svc := startServices(ctx, m, ln, portal.Options{Listen: []string{*listen}, DeviceName: "pi-netconfig demo", Log: log}, log)
	go func() {
		for {
			st, changed := m.Watch()
			if st.State == netstate.APMode {
				log.Info("demo: hotspot up", "component", "demo", "ssid", st.HotspotSSID, "after", time.Since(start).Round(time.Millisecond))
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
		}
	}()

	fmt.Fprintf(os.Stderr, `pi-netconfig demo: the whole daemon on a simulated radio world.
  portal:          http://%s/
  control socket:  %s   (try: pi-netconfig status --socket %s)
  networks:        HomeNet (WPA2, password "correct horse"), Studio WPA3 (WPA3, "sae-only-pass"),
                   Café Guest (open), Attic (hidden: type it; WPA2, "hidden-pass"),
                   NoDHCP Lab (WPA2, "password123": joins but gets no address), Office (Enterprise: unsupported)
Press Ctrl-C to stop.
`, *listen, *sock, *sock)

	var failed error
	select {
	case failed = <-svc.failed:
	case <-ctx.Done():
	}
	svc.stop()
	return failed
}
