// Package netstate is pi-netconfig's state machine: one goroutine owns the
// state (CHECKING, CLIENT, AP_MODE) and performs every network operation;
// commands arrive on a channel and get answers; readers get immutable
// snapshots.
package netstate

import (
	"context"
	"log/slog"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// Settings are the state machine's knobs, from the config file.
type Settings struct {
	CheckInterval    time.Duration // periodic check (30 s)
	FailureThreshold int           // failed checks before the hotspot (3)
	Policy           string        // "link" or "internet"
	ProbeHosts       []string      // host:port
	ProbeTimeout     time.Duration // per probe host (1 s)
	ConnectTimeout   time.Duration // one connection attempt (30 s)
	RetryInterval    time.Duration // AP mode: try saved networks this often; 0 never (60 s)
	PortalIdle       time.Duration // ... only when the portal was idle this long (120 s)
	HotspotPrefix    string        // "PiConfig-"
	HotspotPassword  string        // resolved passphrase (not "random")
	HotspotAddress   string        // "192.168.50.1/24"
}

// Options wires a Machine to its world.
type Options struct {
	Radio    Radio
	Prober   Prober   // nil: internet is never reachable
	Notifier Notifier // nil: no service manager
	Log      *slog.Logger
	Settings Settings

	// SavedSSID and LastConnected are what config.json remembers.
	SavedSSID     string
	LastConnected time.Time
	// Persist records a successful connection (config.json); called by the
	// owner goroutine only.
	Persist func(ssid string, at time.Time) error
}

// Machine is the state machine. Create it with New, start it with Run.
type Machine struct {
	opts Options
}

// New returns a Machine that does nothing until Run.
func New(opts Options) *Machine { return &Machine{opts: opts} }

// Run is the owner loop; it returns when ctx ends, after taking the hotspot
// down.
func (m *Machine) Run(ctx context.Context) error { <-ctx.Done(); return nil }

// Status returns the current snapshot.
func (m *Machine) Status() Status { return Status{} }

// Watch returns the current snapshot and a channel that is closed when a
// newer snapshot exists.
func (m *Machine) Watch() (Status, <-chan struct{}) { return Status{}, nil }

// Scan returns the networks in range. When the radio cannot scan (hotspot
// up) it returns the cached list with Cached set, unless force is true, in
// which case the hotspot is taken down for the few seconds a scan needs.
func (m *Machine) Scan(ctx context.Context, force bool) (ScanResult, error) {
	return ScanResult{}, nil
}

// Configure validates the credentials and starts a connection attempt. It
// returns as soon as the attempt is accepted (nil), refused because one is
// already pending or running (ErrBusy), or invalid (wraps wifi.ErrInvalid).
// The outcome appears in Status().Attempt.
func (m *Machine) Configure(ctx context.Context, c wifi.Credentials) error { return nil }

// Forget deletes the networks pi-netconfig saved and clears configured_ssid.
func (m *Machine) Forget(ctx context.Context) error { return nil }

// Hotspot starts (on) or stops the hotspot by hand.
func (m *Machine) Hotspot(ctx context.Context, on bool) error { return nil }

// Touch records portal activity: in AP mode the daemon does not interrupt a
// person using the portal to retry saved networks.
func (m *Machine) Touch() {}
