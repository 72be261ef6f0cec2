// Package sim is a simulated radio world: access points that come and go,
// a WiFi device that scans, connects (taking time, failing like the real
// thing on a wrong password) and serves a hotspot, and phones that join it.
// It implements netstate.Radio for unit tests and the demo; it is never the
// only proof that something works.
package sim

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

var _ netstate.Radio = (*World)(nil)

// AP is a simulated access point.
type AP struct {
	SSID      string
	Security  wifi.Security
	Password  string
	Signal    int
	Frequency int
	Hidden    bool // does not broadcast its SSID
	NoDHCP    bool // associates but never hands out an address
	Down      bool // powered off
}

// Timing is how long simulated operations take.
type Timing struct {
	Scan    time.Duration
	Connect time.Duration // association + DHCP on success
	Fail    time.Duration // until a wrong password or a missing network is reported
	Hotspot time.Duration
}

// DemoTiming feels like a real Pi.
var DemoTiming = Timing{Scan: 1500 * time.Millisecond, Connect: 3 * time.Second, Fail: 6 * time.Second, Hotspot: 1 * time.Second}

// World is the simulated radio world. Its methods are safe for concurrent
// use: the state machine drives the device while a test (or the demo) plays
// the routers and phones.
type World struct {
	timing Timing
	dev    wifi.Device
	events chan wifi.Event

	mu       sync.Mutex // guards everything below
	aps      []*AP
	profiles []profile
	nextID   int
	mode     wifi.Mode
	active   string // profile id, or hotspotID
	ssid     string
	hotspot  wifi.Hotspot
	stations int
	calls    []string
	running  int // network operations in flight, for the concurrency test
	maxRun   int
	// activating is set while a connection is being activated.
	activating bool
}

const hotspotID = "pi-netconfig-ap"

type profile struct {
	wifi.Profile
	creds wifi.Credentials
}

// New returns a world with the given access points and a device wlan0.
func New(t Timing, aps ...AP) *World {
	w := &World{
		timing: t,
		dev:    wifi.Device{Iface: "wlan0", MAC: net.HardwareAddr{0xb8, 0x27, 0xeb, 0x12, 0x3a, 0xbc}},
		events: make(chan wifi.Event, 1),
	}
	for i := range aps {
		ap := aps[i]
		w.aps = append(w.aps, &ap)
	}
	return w
}

// Demo returns the demo's world (listed in the README).
func Demo() *World {
	return New(DemoTiming,
		AP{SSID: "HomeNet", Security: wifi.WPA2, Password: "correct horse", Signal: 82, Frequency: 2437},
		AP{SSID: "HomeNet", Security: wifi.WPA2, Password: "correct horse", Signal: 61, Frequency: 5180},
		AP{SSID: "Studio WPA3", Security: wifi.WPA3, Password: "sae-only-pass", Signal: 71, Frequency: 5500},
		AP{SSID: "Café Guest", Security: wifi.Open, Signal: 64, Frequency: 2412},
		AP{SSID: "Neighbours", Security: wifi.WPA2WPA3, Password: "not-yours-1", Signal: 48, Frequency: 2462},
		AP{SSID: "Office", Security: wifi.Enterprise, Signal: 39, Frequency: 5240},
		AP{SSID: "Old Router", Security: wifi.WPA, Password: "legacy-wpa1", Signal: 27, Frequency: 2417},
		AP{SSID: "NoDHCP Lab", Security: wifi.WPA2, Password: "password123", Signal: 55, Frequency: 2422, NoDHCP: true},
		AP{SSID: "Attic", Security: wifi.WPA2, Password: "hidden-pass", Signal: 52, Frequency: 2452, Hidden: true},
	)
}

// Device implements netstate.Radio.
func (w *World) Device(ctx context.Context) (wifi.Device, error) { return w.dev, nil }

// Problems implements netstate.Radio; the simulated radio has none.
func (w *World) Problems(ctx context.Context) ([]wifi.Problem, error) { return nil, nil }

// Events implements netstate.Radio.
func (w *World) Events() <-chan wifi.Event { return w.events }

func (w *World) notify(reason string) {
	select {
	case w.events <- wifi.Event{Reason: reason}:
	default:
	}
}

func (w *World) begin(call string) func() {
	w.mu.Lock()
	w.calls = append(w.calls, call)
	w.running++
	if w.running > w.maxRun {
		w.maxRun = w.running
	}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.running--
		w.mu.Unlock()
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Scan implements netstate.Radio: impossible while the hotspot is up.
func (w *World) Scan(ctx context.Context) ([]wifi.Network, error) {
	defer w.begin("Scan")()
	w.mu.Lock()
	ap := w.mode == wifi.ModeAP
	w.mu.Unlock()
	if ap {
		return nil, wifi.ErrScanUnavailable
	}
	if err := sleep(ctx, w.timing.Scan); err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var raw []wifi.Network
	for _, ap := range w.aps {
		if ap.Down {
			continue
		}
		n := wifi.Network{SSID: ap.SSID, Signal: ap.Signal, Security: ap.Security, Frequency: ap.Frequency, Band: wifi.BandOf(ap.Frequency)}
		if ap.Hidden {
			n.SSID = ""
		}
		raw = append(raw, n)
	}
	return wifi.Strongest(raw), nil
}

// Link implements netstate.Radio.
func (w *World) Link(ctx context.Context) (wifi.Link, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := wifi.Link{Mode: w.mode, SSID: w.ssid, Activating: w.activating}
	switch w.mode {
	case wifi.ModeClient:
		l.ProfileID = w.active
		l.IPv4 = netip.MustParsePrefix("192.168.1.23/24")
		l.Connectivity = "full"
	case wifi.ModeAP:
		l.ProfileID = hotspotID
		l.IPv4 = w.hotspot.Address
		l.Connectivity = "limited"
	default:
		l.Connectivity = "none"
	}
	return l, nil
}

// Saved implements netstate.Radio.
func (w *World) Saved(ctx context.Context) ([]wifi.Profile, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]wifi.Profile, 0, len(w.profiles))
	for _, p := range w.profiles {
		out = append(out, p.Profile)
	}
	return out, nil
}

// Add implements netstate.Radio.
func (w *World) Add(ctx context.Context, c wifi.Credentials) (wifi.Profile, error) {
	defer w.begin("Add " + c.SSID)()
	if err := c.Validate(); err != nil {
		return wifi.Profile{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nextID++
	p := profile{Profile: wifi.Profile{ID: fmt.Sprintf("uuid-%d", w.nextID), SSID: c.SSID, Hidden: c.Hidden}, creds: c}
	w.profiles = append(w.profiles, p)
	return p.Profile, nil
}

// Delete implements netstate.Radio.
func (w *World) Delete(ctx context.Context, id string) error {
	defer w.begin("Delete " + id)()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, p := range w.profiles {
		if p.ID == id {
			if p.Foreign {
				return fmt.Errorf("delete %s: not created by pi-netconfig", id)
			}
			w.profiles = append(w.profiles[:i], w.profiles[i+1:]...)
			if w.active == id {
				w.mode, w.active, w.ssid = wifi.ModeNone, "", ""
				w.notify("active profile deleted")
			}
			return nil
		}
	}
	return fmt.Errorf("delete %s: %w", id, wifi.ErrNotFound)
}

// Activate implements netstate.Radio.
func (w *World) Activate(ctx context.Context, id string) error {
	defer w.begin("Activate " + id)()
	w.mu.Lock()
	var creds wifi.Credentials
	found := false
	for _, p := range w.profiles {
		if p.ID == id {
			creds, found = p.creds, true
		}
	}
	if !found {
		w.mu.Unlock()
		return fmt.Errorf("activate %s: %w", id, wifi.ErrNotFound)
	}
	w.mode, w.active, w.ssid = wifi.ModeNone, "", ""
	w.activating = true
	defer func() {
		w.mu.Lock()
		w.activating = false
		w.mu.Unlock()
	}()
	ap := w.findLocked(creds.SSID, creds.Hidden)
	var fail *wifi.ConnectError
	switch {
	case ap == nil:
		fail = &wifi.ConnectError{Reason: wifi.ReasonNotFound, Detail: "sim: SSID not found"}
	case ap.Security == wifi.Enterprise:
		fail = &wifi.ConnectError{Reason: wifi.ReasonOther, Detail: "sim: 802.1X networks are not supported"}
	case ap.Security != wifi.Open && creds.Password != ap.Password:
		fail = &wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "sim: 4-way handshake failed"}
	case ap.Security == wifi.Open && creds.Password != "":
		fail = &wifi.ConnectError{Reason: wifi.ReasonOther, Detail: "sim: the network is open but a password was given"}
	case ap.NoDHCP:
		fail = &wifi.ConnectError{Reason: wifi.ReasonNoIP, Detail: "sim: DHCP timed out"}
	}
	w.mu.Unlock()
	w.notify("device activating")

	d := w.timing.Connect
	if fail != nil {
		d = w.timing.Fail
	}
	if err := sleep(ctx, d); err != nil {
		w.notify("device disconnected")
		return &wifi.ConnectError{Reason: wifi.ReasonTimeout, Detail: "sim: " + err.Error()}
	}
	if fail != nil {
		w.notify("device failed")
		return fail
	}
	w.mu.Lock()
	w.mode, w.active, w.ssid = wifi.ModeClient, id, creds.SSID
	w.mu.Unlock()
	w.notify("device activated")
	return nil
}

func (w *World) findLocked(ssid string, hidden bool) *AP {
	var best *AP
	for _, ap := range w.aps {
		if ap.Down || ap.SSID != ssid {
			continue
		}
		if ap.Hidden && !hidden {
			continue // a hidden network is only found when probed for by name
		}
		if best == nil || ap.Signal > best.Signal {
			best = ap
		}
	}
	return best
}

// HotspotUp implements netstate.Radio.
func (w *World) HotspotUp(ctx context.Context, h wifi.Hotspot) error {
	defer w.begin("HotspotUp")()
	if err := sleep(ctx, w.timing.Hotspot); err != nil {
		return fmt.Errorf("hotspot up: %w", err)
	}
	w.mu.Lock()
	w.mode, w.active, w.ssid, w.hotspot = wifi.ModeAP, hotspotID, h.SSID, h
	w.mu.Unlock()
	w.notify("hotspot activated")
	return nil
}

// HotspotDown implements netstate.Radio.
func (w *World) HotspotDown(ctx context.Context) error {
	defer w.begin("HotspotDown")()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mode == wifi.ModeAP {
		w.mode, w.active, w.ssid, w.stations = wifi.ModeNone, "", "", 0
	}
	return nil
}

// Stations implements netstate.Radio.
func (w *World) Stations(ctx context.Context) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stations, nil
}

// SetStations plays phones joining (n > 0) or leaving the hotspot.
func (w *World) SetStations(n int) {
	w.mu.Lock()
	if w.mode == wifi.ModeAP {
		w.stations = n
	}
	w.mu.Unlock()
}

// SetDown powers the access points named ssid off (true) or on. Powering
// off the network the device is on drops the link, as a power cut would.
func (w *World) SetDown(ssid string, down bool) {
	w.mu.Lock()
	for _, ap := range w.aps {
		if ap.SSID == ssid {
			ap.Down = down
		}
	}
	dropped := down && w.mode == wifi.ModeClient && w.ssid == ssid
	if dropped {
		w.mode, w.active, w.ssid = wifi.ModeNone, "", ""
	}
	w.mu.Unlock()
	if dropped {
		w.notify("device disconnected: access point gone")
	}
}

// SavePassword adds a saved profile directly, as if configured earlier.
func (w *World) SavePassword(c wifi.Credentials) wifi.Profile {
	p, _ := w.Add(context.Background(), c)
	return p
}

// Calls returns the network operations performed so far, in order.
func (w *World) Calls() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

// MaxConcurrent is the largest number of network operations that were ever
// in flight at once; the state machine must keep it at 1.
func (w *World) MaxConcurrent() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.maxRun
}

// String summarises the world for test failures.
func (w *World) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "mode=%s ssid=%q profiles=%d", w.mode, w.ssid, len(w.profiles))
	return b.String()
}

// Prober is the simulated internet: reachable while the device is on a
// network that has it.
type Prober struct{ W *World }

// Reachable implements netstate.Prober.
func (p Prober) Reachable(ctx context.Context, hosts []string) bool {
	p.W.mu.Lock()
	defer p.W.mu.Unlock()
	return p.W.mode == wifi.ModeClient
}

// ConnectNow puts the device on the saved network ssid at once, as
// NetworkManager's autoconnect would at boot. It reports whether it could.
func (w *World) ConnectNow(ssid string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.profiles {
		if p.SSID == ssid {
			if ap := w.findLocked(ssid, p.Hidden); ap != nil && (ap.Security == wifi.Open || ap.Password == p.creds.Password) {
				w.mode, w.active, w.ssid = wifi.ModeClient, p.ID, ssid
				return true
			}
		}
	}
	return false
}

// SaveForeign adds a profile someone else created (Raspberry Pi Imager's
// "preconfigured"): it is used, never deleted.
func (w *World) SaveForeign(c wifi.Credentials) wifi.Profile {
	p, _ := w.Add(context.Background(), c)
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.profiles {
		if w.profiles[i].ID == p.ID {
			w.profiles[i].Foreign = true
			p = w.profiles[i].Profile
		}
	}
	return p
}

// Autoconnect plays NetworkManager connecting to the saved network ssid by
// itself (at boot), taking d; it returns at once.
func (w *World) Autoconnect(ssid string, d time.Duration) {
	w.mu.Lock()
	w.activating = true
	w.mu.Unlock()
	go func() {
		time.Sleep(d)
		w.mu.Lock()
		w.activating = false
		w.mu.Unlock()
		if w.ConnectNow(ssid) {
			w.notify("device activated")
		}
	}()
}
