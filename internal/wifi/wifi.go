// Package wifi is the vocabulary shared by the network layer, the state
// machine and the portal: networks and their security, credentials, the
// hotspot, the link, and why a connection attempt failed.
//
// It performs no I/O, so every other package can depend on it.
package wifi

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
)

// Sentinel errors shared by every Radio implementation.
var (
	// ErrNoDevice means no WiFi device was found (or not the configured one).
	ErrNoDevice = errors.New("wifi: no wifi device")
	// ErrScanUnavailable means the radio cannot scan now, usually because it
	// is serving the hotspot (one radio cannot scan and serve at once).
	ErrScanUnavailable = errors.New("wifi: scanning is not possible while the hotspot is up")
	// ErrNotFound means a profile id is unknown.
	ErrNotFound = errors.New("wifi: profile not found")
)

// Security is how a network protects itself, as shown to a person.
type Security string

// The securities the product distinguishes (SPEC section 2).
const (
	Open       Security = "Open"
	WPA        Security = "WPA"
	WPA2       Security = "WPA2"
	WPA3       Security = "WPA3"
	WPA2WPA3   Security = "WPA2/WPA3"
	Enterprise Security = "Enterprise"
)

// Band is a frequency band as shown to a person.
type Band string

// Frequency bands.
const (
	Band24GHz Band = "2.4 GHz"
	Band5GHz  Band = "5 GHz"
	Band6GHz  Band = "6 GHz"
)

// BandOf maps a centre frequency in MHz to its band; "" when unknown.
func BandOf(mhz int) Band {
	switch {
	case mhz >= 2400 && mhz < 2500:
		return Band24GHz
	case mhz >= 5150 && mhz < 5925:
		return Band5GHz
	case mhz >= 5925 && mhz <= 7125:
		return Band6GHz
	}
	return ""
}

// Network is one SSID seen in a scan. The JSON names are the original
// tool's API (FR-052); band is an addition.
type Network struct {
	SSID      string   `json:"ssid"`
	Signal    int      `json:"signal"` // 0–100
	Security  Security `json:"security"`
	Frequency int      `json:"frequency"` // MHz
	Band      Band     `json:"band"`
}

// Strongest reduces a list of access points to one row per SSID (the
// strongest), leaves out hidden (empty) SSIDs, and sorts by signal, strongest
// first, then by SSID for a stable order.
func Strongest(aps []Network) []Network {
	best := make(map[string]Network, len(aps))
	for _, ap := range aps {
		if ap.SSID == "" {
			continue
		}
		if cur, ok := best[ap.SSID]; !ok || ap.Signal > cur.Signal {
			best[ap.SSID] = ap
		}
	}
	out := make([]Network, 0, len(best))
	for _, n := range best {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Signal != out[j].Signal {
			return out[i].Signal > out[j].Signal
		}
		return out[i].SSID < out[j].SSID
	})
	return out
}

// Credentials is what a person typed to join a network. Its String, GoString
// and LogValue never show the password, so it is safe to log or wrap.
type Credentials struct {
	SSID     string
	Password string
	// Hidden marks a network typed by hand that does not broadcast its SSID.
	Hidden bool
	// Security is a hint from the scan; the radio prefers what the access
	// point advertises and falls back to this, then to WPA2 when a password
	// is given and Open when not.
	Security Security
}

// String describes the credentials without the password.
func (c Credentials) String() string {
	return fmt.Sprintf("{ssid=%q hidden=%t security=%q password=%s}", c.SSID, c.Hidden, c.Security, redacted(c.Password))
}

// GoString is String, so %#v cannot leak the password either.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps the password out of structured logs.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("ssid", c.SSID),
		slog.Bool("hidden", c.Hidden),
		slog.String("password", redacted(c.Password)),
	)
}

func redacted(p string) string {
	if p == "" {
		return "(none)"
	}
	return "(set)"
}

// Hotspot is the setup access point the device raises in AP mode.
type Hotspot struct {
	SSID     string
	Password string       // WPA2-PSK passphrase
	Address  netip.Prefix // 192.168.50.1/24 by default
}

// String describes the hotspot without its password.
func (h Hotspot) String() string {
	return fmt.Sprintf("{ssid=%q address=%s password=%s}", h.SSID, h.Address, redacted(h.Password))
}

// Device is the WiFi device pi-netconfig manages.
type Device struct {
	Iface string
	MAC   net.HardwareAddr
}

// Mode is what the WiFi device is doing.
type Mode int

// Device modes.
const (
	ModeNone   Mode = iota // disconnected, unavailable or activating
	ModeClient             // an infrastructure connection is active
	ModeAP                 // our hotspot is active
)

func (m Mode) String() string {
	switch m {
	case ModeClient:
		return "client"
	case ModeAP:
		return "ap"
	}
	return "none"
}

// Link is the WiFi device's current connection.
type Link struct {
	Mode       Mode
	Activating bool         // a connection is being activated
	SSID       string       // the network joined, or the hotspot's SSID
	ProfileID  string       // NetworkManager connection UUID of the active connection
	IPv4       netip.Prefix // zero when the device has no IPv4 address
	// Connectivity is NetworkManager's own verdict ("full", "limited",
	// "portal", "none", "unknown"); informative only: with only our hotspot
	// up it says "limited", never "full".
	Connectivity string
}

// Online reports whether this link counts as "connected" under the link
// policy: a client connection with an IPv4 address. The hotspot never counts.
func (l Link) Online() bool { return l.Mode == ModeClient && !l.Activating && l.IPv4.IsValid() }

// Profile is a saved WiFi client network.
type Profile struct {
	ID     string `json:"id"` // NetworkManager connection UUID
	SSID   string `json:"ssid"`
	Hidden bool   `json:"hidden,omitempty"`
	// Foreign marks a profile pi-netconfig did not create (Raspberry Pi
	// Imager's "preconfigured", one made with nmcli): it counts as a saved
	// network and may be tried, but is never deleted.
	Foreign bool `json:"foreign,omitempty"`
}

// Problem is a condition that stops the radio from working, said plainly,
// with the config key that fixes it where there is one.
type Problem struct {
	Code    string `json:"code"`    // "rfkill_hard", "rfkill_soft", "no_country", "no_device"
	Message string `json:"message"` // one sentence for a person
	Fix     string `json:"fix,omitempty"`
}

// Event tells the state machine that something changed and it should look
// again. Reason is for the log.
type Event struct {
	Reason string
}
