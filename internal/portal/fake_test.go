package portal

import (
	"context"
	"sync"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// fakeDaemon is an in-memory Daemon for handler tests.
type fakeDaemon struct {
	mu         sync.Mutex // guards everything below
	st         netstate.Status
	changed    chan struct{}
	scan       netstate.ScanResult
	scanErr    error
	configErr  error
	configured []wifi.Credentials
	scans      []bool // force flag of each Scan call
	forgets    int
	hotspots   []bool
	touches    int
}

func newFake() *fakeDaemon {
	t0 := time.Now().Truncate(time.Second)
	return &fakeDaemon{
		changed: make(chan struct{}),
		st: netstate.Status{
			State:           netstate.APMode,
			APActive:        true,
			Since:           t0,
			Reason:          "no saved network",
			HotspotSSID:     "PiConfig-AB12",
			HotspotPassword: "piconfig123",
			HotspotAddress:  "192.168.50.1/24",
			SavedSSID:       "HomeNet",
			ScannedAt:       t0.Add(-10 * time.Minute),
		},
		scan: netstate.ScanResult{
			Networks: []wifi.Network{
				{SSID: "HomeNet", Signal: 82, Security: wifi.WPA2, Frequency: 2437, Band: wifi.Band24GHz},
				{SSID: "Café <Free>", Signal: 40, Security: wifi.Open, Frequency: 5180},
				{SSID: "Neighbour", Signal: 12, Security: wifi.WPA3, Frequency: 5955, Band: wifi.Band6GHz},
				{SSID: "Corp", Signal: 10, Security: wifi.Enterprise, Frequency: 5200},
			},
			ScannedAt: t0.Add(-10 * time.Minute),
			Cached:    true,
		},
	}
}

func (f *fakeDaemon) Status() netstate.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeDaemon) Watch() (netstate.Status, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st, f.changed
}

// set changes the snapshot and wakes watchers.
func (f *fakeDaemon) set(change func(*netstate.Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.st)
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeDaemon) Scan(ctx context.Context, force bool) (netstate.ScanResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans = append(f.scans, force)
	return f.scan, f.scanErr
}

func (f *fakeDaemon) Configure(ctx context.Context, c wifi.Credentials) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.configErr != nil {
		return f.configErr
	}
	if err := c.Validate(); err != nil {
		return err
	}
	f.configured = append(f.configured, c)
	return nil
}

func (f *fakeDaemon) Forget(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgets++
	return nil
}

func (f *fakeDaemon) Hotspot(ctx context.Context, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hotspots = append(f.hotspots, on)
	return nil
}

func (f *fakeDaemon) Touch() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.touches++
}
