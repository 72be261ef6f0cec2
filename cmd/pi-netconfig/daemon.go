package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/config"
	"github.com/pi-netconfig/pi-netconfig/internal/control"
	"github.com/pi-netconfig/pi-netconfig/internal/logging"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/nm"
	"github.com/pi-netconfig/pi-netconfig/internal/portal"
	"github.com/pi-netconfig/pi-netconfig/internal/preseed"
	"github.com/pi-netconfig/pi-netconfig/internal/sdnotify"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// cmdRun is the daemon: the systemd service's ExecStart.
func cmdRun(ctx context.Context, args []string) error {
	fs := newFlags("run")
	cfgPath := fs.String("config", config.DefaultPath, "config file")
	sock := fs.String("socket", control.DefaultPath, "control socket")
	bootRoot := fs.String("boot-root", "/", "where to look for boot/firmware/pi-netconfig.json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireRoot("run"); err != nil {
		return err
	}
	lowMemory()

	cfg, cfgErr := config.Load(*cfgPath)
	logger, err := newLogger(cfg)
	if err != nil {
		return err
	}
	defer logger.Close()
	log := logger.Slog()
	log.Info("pi-netconfig starting", "component", "main", "version", version, "config", *cfgPath)
	if cfgErr != nil {
		log.Error("config file not used; running on defaults", "component", "config", "err", cfgErr)
	}
	cfgOK := cfgErr == nil

	apPass, err := hotspotPassword(&cfg, *cfgPath, cfgOK, log)
	if err != nil {
		return err
	}

	notify := sdnotify.New(log)
	defer notify.Stopping()

	radio, err := connectNM(ctx, cfg.Interface, log, notify)
	if err != nil {
		return err
	}
	defer radio.Close()
	checks := newRadioChecks(log)
	if err := checks.Unblock(); err != nil {
		log.Warn("could not lift the soft rfkill block", "component", "main", "err", err)
	}
	if err := radio.EnableWireless(ctx); err != nil {
		log.Warn("could not switch WiFi on in NetworkManager", "component", "main", "err", err)
	}
	if cfg.Country != "" {
		if err := checks.ApplyCountry(ctx, cfg.Country); err != nil {
			log.Warn("could not set the WiFi country", "component", "main", "country", cfg.Country, "err", err)
		}
	}

	var persistMu sync.Mutex // guards writes of the config file (owner and SIGHUP)
	persist := func(ssid string, at time.Time) error {
		persistMu.Lock()
		defer persistMu.Unlock()
		return persistConnection(*cfgPath, ssid, at, log)
	}

	// Credentials preseeded on the boot partition are handed to the state
	// machine before its first decision, and the password is scrubbed from
	// the file at once (it is readable by anyone holding the card).
	var first *wifi.Credentials
	country, _ := preseed.Import(ctx, *bootRoot, time.Now, log, func(_ context.Context, c wifi.Credentials) error {
		if err := c.Validate(); err != nil {
			return err
		}
		first = &c
		return nil
	})
	if country != "" {
		if err := checks.ApplyCountry(ctx, country); err != nil {
			log.Warn("could not set the WiFi country from the preseed file", "component", "preseed", "country", country, "err", err)
		}
	}

	set := settingsFrom(cfg, apPass)
	set.WatchdogInterval = sdnotify.WatchdogInterval() / 2
	last, _ := time.Parse(time.RFC3339, cfg.LastConnected)
	m := netstate.New(netstate.Options{
		Radio:         radio,
		Prober:        netstate.TCPProber{},
		Notifier:      trimming{notify},
		Log:           log,
		Settings:      set,
		SavedSSID:     cfg.ConfiguredSSID,
		LastConnected: last,
		Persist:       persist,
		Problems:      func(ctx context.Context) []wifi.Problem { return checks.Problems(ctx, cfg.Country) },
		Faults:        os.Getenv("PI_NETCONFIG_FAULTS") == "1",
		First:         first,
	})

	ln, err := control.Listen(*sock)
	if err != nil {
		return err
	}
	svc := startServices(ctx, m, ln, portal.Options{
		Addr:       set.HotspotAddress.Addr(),
		Ports:      []int{cfg.PortalPort, cfg.HTTPPort},
		DeviceName: deviceName(),
		Log:        log,
	}, log)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var failed error
loop:
	for {
		select {
		case <-hup:
			reload(ctx, *cfgPath, logger, m, log, notify)
		case failed = <-svc.failed:
			if failed != nil {
				log.Error("stopping", "component", "main", "err", failed)
			}
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	svc.stop()
	os.Remove(*sock)
	log.Info("pi-netconfig stopped", "component", "main")
	return failed
}

func newLogger(cfg config.Config) (*logging.Logger, error) {
	level, err := logging.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = slog.LevelInfo
	}
	return logging.New(logging.Options{Level: level, File: cfg.LogFile})
}

// settingsFrom turns the config file into the state machine's settings.
func settingsFrom(cfg config.Config, apPass string) netstate.Settings {
	set := netstate.DefaultSettings()
	set.CheckInterval = cfg.CheckInterval.Duration()
	set.FailureThreshold = cfg.FailureThreshold
	set.Policy = cfg.Connectivity
	set.ProbeHosts = cfg.ProbeHosts
	set.ProbeTimeout = cfg.ProbeTimeout.Duration()
	set.ConnectTimeout = cfg.ConnectTimeout.Duration()
	set.RetryInterval = cfg.APRetryInterval.Duration()
	set.PortalIdle = cfg.PortalIdle.Duration()
	set.HotspotPrefix = cfg.APSSIDPrefix
	set.HotspotPassword = apPass
	set.HotspotAddress = cfg.APPrefix()
	return set
}

// connectNM waits for NetworkManager and the WiFi device: at boot the
// service may start before either is ready.
func connectNM(ctx context.Context, iface string, log *slog.Logger, notify *sdnotify.Notifier) (*nm.Client, error) {
	wait := time.Second
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := nm.New(cctx, nm.Options{Interface: iface, Log: log})
		cancel()
		if err == nil {
			return c, nil
		}
		log.Warn("waiting for NetworkManager and the WiFi device", "component", "main", "err", err, "retry_in", wait)
		notify.Status("waiting for NetworkManager: " + err.Error())
		notify.Watchdog()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("NetworkManager: %w", err)
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
}

// persistConnection records the last successful network in config.json,
// re-reading the file first so a person's edits are kept. A broken file is
// never overwritten.
func persistConnection(path, ssid string, at time.Time, log *slog.Logger) error {
	cfg, err := config.Load(path)
	if err != nil {
		return fmt.Errorf("not recording %q: %w", ssid, err)
	}
	cfg.ConfiguredSSID = ssid
	cfg.LastConnected = ""
	if !at.IsZero() {
		cfg.LastConnected = at.UTC().Format(time.RFC3339)
	}
	if err := config.Save(path, cfg); err != nil {
		return err
	}
	log.Info("saved configuration", "component", "config", "ssid", ssid, "path", path)
	return nil
}

// hotspotPassword resolves "random" to a per-device password, generated
// once and kept in the config file.
func hotspotPassword(cfg *config.Config, path string, cfgOK bool, log *slog.Logger) (string, error) {
	if cfg.APPassword != config.RandomPassword {
		return cfg.APPassword, nil
	}
	if cfg.GeneratedAPPassword != "" {
		return cfg.GeneratedAPPassword, nil
	}
	pw := randomPassword(10)
	if cfgOK {
		cfg.GeneratedAPPassword = pw
		if err := config.Save(path, *cfg); err != nil {
			return "", fmt.Errorf("save the generated hotspot password: %w", err)
		}
	}
	log.Info("generated a per-device hotspot password; see it with: sudo pi-netconfig status --qr", "component", "main")
	showOnConsole("pi-netconfig: setup hotspot password: " + pw + "\n")
	return pw, nil
}

// randomPassword draws from letters and digits that cannot be confused
// when read off a screen or a label (no 0/O, 1/l/I).
func randomPassword(n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// showOnConsole writes to the system console (a Pi's screen), not to the
// log: a password never goes into a log.
func showOnConsole(s string) {
	f, err := os.OpenFile("/dev/console", os.O_WRONLY|syscall.O_NOCTTY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(s)
}

func deviceName() string {
	h, err := os.Hostname()
	if err != nil {
		return "pi-netconfig"
	}
	return h
}

// reload is SIGHUP: reopen the log file (logrotate) and re-read the config.
func reload(ctx context.Context, path string, logger *logging.Logger, m *netstate.Machine, log *slog.Logger, notify *sdnotify.Notifier) {
	notify.Reloading()
	defer notify.Status("reloaded")
	if err := logger.Reopen(); err != nil {
		log.Error("reopen log file", "component", "main", "err", err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		log.Error("config not reloaded; keeping the current settings", "component", "config", "err", err)
		notify.Ready()
		return
	}
	apPass, err := hotspotPassword(&cfg, path, true, log)
	if err != nil {
		log.Error("config not reloaded", "component", "config", "err", err)
		notify.Ready()
		return
	}
	set := settingsFrom(cfg, apPass)
	set.WatchdogInterval = sdnotify.WatchdogInterval() / 2
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := m.Reload(rctx, set); err != nil {
		log.Error("config not reloaded", "component", "config", "err", err)
	} else {
		log.Info("config reloaded (interface and ports take effect at the next restart)", "component", "config", "path", path)
	}
	notify.Ready()
}

// controlHandler is the portal's JSON API plus the test-only fault switch.
func controlHandler(m *netstate.Machine, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", portal.APIHandler(m, log))
	mux.HandleFunc("POST /api/debug/wedge", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Wedge(r.Context()); err != nil {
			http.Error(w, `{"error":"fault injection is disabled"}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"success":true,"message":"owner loop wedged"}` + "\n"))
	})
	return mux
}
