package netstate

import (
	"context"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// Radio is what the state machine needs from the network layer.
// internal/nm implements it over NetworkManager's D-Bus API and internal/sim
// implements it as a simulated world for unit tests and the demo.
//
// Every method is called from the state machine's single owner goroutine
// only, one at a time, and must return by the context's deadline.
type Radio interface {
	// Device finds the WiFi device and its MAC address, or wifi.ErrNoDevice.
	Device(ctx context.Context) (wifi.Device, error)

	// Problems reports conditions that stop the radio from working (rfkill
	// block, no regulatory country). An empty list means none are known.
	Problems(ctx context.Context) ([]wifi.Problem, error)

	// Scan asks for a fresh scan, waits (bounded) for it to finish and
	// returns one row per SSID, strongest first, hidden SSIDs left out
	// (wifi.Strongest). It returns wifi.ErrScanUnavailable while the hotspot
	// is up on a radio that cannot scan and serve at once.
	Scan(ctx context.Context) ([]wifi.Network, error)

	// Link reports the WiFi device's current connection.
	Link(ctx context.Context) (wifi.Link, error)

	// Saved lists the saved WiFi client profiles (never the hotspot's):
	// those pi-netconfig created, and the others marked Foreign.
	Saved(ctx context.Context) ([]wifi.Profile, error)

	// Add saves a client profile for the credentials (autoconnect on, marked
	// as pi-netconfig's) without activating it. The security is taken from
	// what the access point advertises when it is in range, else from the
	// credentials' hint.
	Add(ctx context.Context, c wifi.Credentials) (wifi.Profile, error)

	// Activate activates a saved client profile on the WiFi device and waits
	// until it is activated (nil) or has failed (*wifi.ConnectError, with a
	// classified reason), or until ctx ends (*wifi.ConnectError with
	// wifi.ReasonTimeout; the half-done activation is deactivated).
	Activate(ctx context.Context, id string) error

	// Delete removes a profile pi-netconfig created; wifi.ErrNotFound if it
	// does not exist. It refuses profiles it did not create.
	Delete(ctx context.Context, id string) error

	// HotspotUp creates or updates the hotspot profile and activates it,
	// waiting until the access point is up.
	HotspotUp(ctx context.Context, h wifi.Hotspot) error

	// HotspotDown deactivates the hotspot; nil if it was not up.
	HotspotDown(ctx context.Context) error

	// Stations reports how many stations (phones) are associated to the
	// hotspot; 0 when it is not up.
	Stations(ctx context.Context) (int, error)

	// Events delivers a value whenever something changed that the state
	// machine should look at: device state, connectivity, primary
	// connection, NetworkManager restarting. Values are coalesced; a slow
	// reader loses duplicates, never the fact that something changed.
	Events() <-chan wifi.Event
}

// Prober reports whether the internet is reachable, for the "internet"
// connectivity policy and for status.
type Prober interface {
	// Reachable reports whether any of the hosts (host:port) accepts a TCP
	// connection before ctx ends.
	Reachable(ctx context.Context, hosts []string) bool
}

// Notifier tells the service manager about the daemon (sd_notify). Every
// method must be cheap and must not fail the caller; a nil Notifier is fine.
type Notifier interface {
	Ready()             // READY=1, after the first state decision
	Status(line string) // STATUS=..., on every transition
	Watchdog()          // WATCHDOG=1, from the owner loop
}
