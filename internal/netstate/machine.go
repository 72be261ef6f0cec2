// Package netstate is pi-netconfig's state machine: one goroutine owns the
// state (CHECKING, CLIENT, AP_MODE) and performs every network operation;
// commands arrive on a channel and get answers; readers get immutable
// snapshots. No lock is held around a network operation, because only the
// owner performs them (the original's lock-based fix deadlocked).
package netstate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
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
	HotspotAddress   netip.Prefix  // 192.168.50.1/24
	// HandoffDelay is how long a configure attempt waits before taking the
	// hotspot down, so the portal's answer reaches the phone (2 s).
	HandoffDelay time.Duration
	// WatchdogInterval is how often the loop pets the service watchdog; 0
	// disables it.
	WatchdogInterval time.Duration
}

// DefaultSettings are the SPEC's defaults.
func DefaultSettings() Settings {
	return Settings{
		CheckInterval:    30 * time.Second,
		FailureThreshold: 3,
		Policy:           PolicyLink,
		ProbeHosts:       []string{"8.8.8.8:53", "1.1.1.1:53"},
		ProbeTimeout:     time.Second,
		ConnectTimeout:   30 * time.Second,
		RetryInterval:    60 * time.Second,
		PortalIdle:       120 * time.Second,
		HotspotPrefix:    "PiConfig-",
		HotspotPassword:  "piconfig123",
		HotspotAddress:   netip.MustParsePrefix("192.168.50.1/24"),
		HandoffDelay:     2 * time.Second,
	}
}

// Connectivity policies.
const (
	PolicyLink     = "link"     // WiFi activated with an IPv4 address
	PolicyInternet = "internet" // ... and a probe host reachable
)

// Options wires a Machine to its world.
type Options struct {
	Radio    Radio
	Prober   Prober   // nil: the internet is never reachable
	Notifier Notifier // nil: no service manager
	Log      *slog.Logger
	Settings Settings

	// SavedSSID and LastConnected are what config.json remembers.
	SavedSSID     string
	LastConnected time.Time
	// Persist records a successful connection in config.json, or clears it
	// (ssid ""). Called by the owner goroutine only.
	Persist func(ssid string, at time.Time) error
	// Problems adds checks outside the radio (regulatory country); may be nil.
	Problems func(ctx context.Context) []wifi.Problem
	// Faults enables test-only fault injection (Wedge).
	Faults bool
	// First, when set, is tried before the first decision, as if a person
	// had asked for it: credentials preseeded on the boot partition, so a
	// device prepared for a network does not raise the hotspot first.
	First *wifi.Credentials
}

// Machine is the state machine. Create it with New, start it with Run.
type Machine struct {
	opts Options
	set  Settings
	log  *slog.Logger

	cmds    chan command
	done    chan struct{} // closed when Run returns
	started atomic.Bool
	pending atomic.Bool  // a configure is queued or running
	touched atomic.Int64 // unix nanoseconds of the last portal activity

	mu       sync.Mutex // guards snap, snapNets and changed
	snap     Status
	snapNets []wifi.Network // the cached scan, shared read-only
	changed  chan struct{}  // closed and replaced when snap changes

	o owner // touched only by the Run goroutine
}

// owner is the state only the Run goroutine reads and writes.
type owner struct {
	state    State
	reason   string
	since    time.Time
	failures int
	ready    bool

	dev      wifi.Device
	link     wifi.Link
	internet bool
	// activatingSince is when NetworkManager was first seen connecting
	// without a verdict yet; zero when it is not.
	activatingSince time.Time
	checked         time.Time

	hotspot   wifi.Hotspot
	apActive  bool
	manualAP  bool // started by hand: no automatic retries
	lastRetry time.Time
	stations  int

	scan      []wifi.Network
	scanAt    time.Time
	saved     []wifi.Profile
	savedSSID string
	lastConn  time.Time
	attempt   *Attempt
	busy      string
	problems  []wifi.Problem
}

type cmdKind int

const (
	cmdScan cmdKind = iota
	cmdConfigure
	cmdForget
	cmdHotspot
	cmdWedge
	cmdReload
)

type command struct {
	kind  cmdKind
	creds wifi.Credentials
	flag  bool     // scan: force; hotspot: on
	set   Settings // reload
	reply chan result
}

type result struct {
	scan ScanResult
	err  error
}

// New returns a Machine that does nothing until Run.
func New(opts Options) *Machine {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	set := normalize(opts.Settings)
	m := &Machine{
		opts:    opts,
		set:     set,
		log:     opts.Log.With("component", "netstate"),
		cmds:    make(chan command),
		done:    make(chan struct{}),
		changed: make(chan struct{}),
	}
	m.o.savedSSID = opts.SavedSSID
	m.o.lastConn = opts.LastConnected
	m.o.reason = "starting"
	m.snap = Status{State: Checking, Reason: "starting", Policy: set.Policy, HotspotAddress: set.HotspotAddress.Addr().String()}
	return m
}

// Status returns the current snapshot.
func (m *Machine) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap
}

// Watch returns the current snapshot and a channel that is closed when a
// newer snapshot exists.
func (m *Machine) Watch() (Status, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap, m.changed
}

// Touch records portal activity: in AP mode the daemon does not interrupt a
// person using the portal to retry saved networks.
func (m *Machine) Touch() { m.touched.Store(time.Now().UnixNano()) }

// Scan returns the networks in range. When the radio cannot scan (hotspot
// up) it returns the cached list with Cached set, unless force is true, in
// which case the hotspot is taken down for the few seconds a scan needs.
// While a long operation runs it answers from the cache at once.
func (m *Machine) Scan(ctx context.Context, force bool) (ScanResult, error) {
	if st := m.Status(); st.Busy != "" || m.pending.Load() {
		return m.cached(st, "The list is from "+ago(st.ScannedAt)+": the device is busy ("+nonEmpty(st.Busy, "connecting")+")."), nil
	}
	r, err := m.do(ctx, command{kind: cmdScan, flag: force})
	return r.scan, err
}

func (m *Machine) cached(st Status, note string) ScanResult {
	m.mu.Lock()
	nets := m.snapNets
	m.mu.Unlock()
	return ScanResult{Networks: nets, ScannedAt: st.ScannedAt, Cached: true, Note: note}
}

// Configure validates the credentials and starts a connection attempt. It
// returns as soon as the attempt is accepted (nil), refused because one is
// already pending or running (ErrBusy), or invalid (wraps wifi.ErrInvalid).
// The outcome appears in Status().Attempt.
func (m *Machine) Configure(ctx context.Context, c wifi.Credentials) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := m.fitsScan(c); err != nil {
		return err
	}
	if !m.pending.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: a connection attempt is already running; wait for it to finish", ErrBusy)
	}
	if st := m.Status(); st.Busy != "" {
		m.pending.Store(false)
		return fmt.Errorf("%w: the device is %s; try again in a moment", ErrBusy, st.Busy)
	}
	_, err := m.do(ctx, command{kind: cmdConfigure, creds: c})
	if err != nil {
		m.pending.Store(false)
	}
	return err
}

// Forget deletes the networks pi-netconfig saved and clears configured_ssid.
func (m *Machine) Forget(ctx context.Context) error {
	if err := m.refuseBusy(); err != nil {
		return err
	}
	_, err := m.do(ctx, command{kind: cmdForget})
	return err
}

// Hotspot starts (on) or stops the hotspot by hand.
func (m *Machine) Hotspot(ctx context.Context, on bool) error {
	if err := m.refuseBusy(); err != nil {
		return err
	}
	_, err := m.do(ctx, command{kind: cmdHotspot, flag: on})
	return err
}

// Wedge blocks the owner loop until the context of Run ends, so that the
// service watchdog fires. Test-only: it fails unless Options.Faults is set.
func (m *Machine) Wedge(ctx context.Context) error {
	if !m.opts.Faults {
		return errors.New("netstate: fault injection is disabled")
	}
	_, err := m.do(ctx, command{kind: cmdWedge})
	return err
}

func (m *Machine) refuseBusy() error {
	if m.pending.Load() {
		return fmt.Errorf("%w: a connection attempt is running; wait for it to finish", ErrBusy)
	}
	if st := m.Status(); st.Busy != "" {
		return fmt.Errorf("%w: the device is %s; try again in a moment", ErrBusy, st.Busy)
	}
	return nil
}

// do hands a command to the owner and waits for its answer.
func (m *Machine) do(ctx context.Context, c command) (result, error) {
	if !m.started.Load() {
		return result{}, ErrStopped
	}
	c.reply = make(chan result, 1)
	select {
	case m.cmds <- c:
	case <-ctx.Done():
		return result{}, ctx.Err()
	case <-m.done:
		return result{}, ErrStopped
	}
	select {
	case r := <-c.reply:
		return r, r.err
	case <-ctx.Done():
		return result{}, ctx.Err()
	case <-m.done:
		return result{}, ErrStopped
	}
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ago says how old t is, in words.
func ago(t time.Time) string {
	if t.IsZero() {
		return "no scan yet"
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < 2*time.Minute:
		return fmt.Sprintf("%d seconds ago", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours ago", int(d.Hours()))
}

// hotspotSSID is the prefix and the last four hex digits of the MAC, upper
// case (FR-040/041).
func hotspotSSID(prefix string, dev wifi.Device) string {
	mac := dev.MAC
	if len(mac) < 2 {
		return prefix + "0000"
	}
	return prefix + strings.ToUpper(fmt.Sprintf("%02x%02x", mac[len(mac)-2], mac[len(mac)-1]))
}

// normalize fills unset settings with the defaults.
func normalize(set Settings) Settings {
	def := DefaultSettings()
	if set.CheckInterval <= 0 {
		set.CheckInterval = def.CheckInterval
	}
	if set.FailureThreshold <= 0 {
		set.FailureThreshold = def.FailureThreshold
	}
	if set.Policy == "" {
		set.Policy = def.Policy
	}
	if set.ProbeTimeout <= 0 {
		set.ProbeTimeout = def.ProbeTimeout
	}
	if set.ConnectTimeout <= 0 {
		set.ConnectTimeout = def.ConnectTimeout
	}
	if set.HotspotPrefix == "" {
		set.HotspotPrefix = def.HotspotPrefix
	}
	if set.HotspotPassword == "" {
		set.HotspotPassword = def.HotspotPassword
	}
	if !set.HotspotAddress.IsValid() {
		set.HotspotAddress = def.HotspotAddress
	}
	return set
}

// Reload applies new settings from a re-read config file. A changed
// hotspot name or password is applied at once when the hotspot is up.
func (m *Machine) Reload(ctx context.Context, set Settings) error {
	if err := m.refuseBusy(); err != nil {
		return err
	}
	_, err := m.do(ctx, command{kind: cmdReload, set: normalize(set)})
	return err
}

// fitsScan refuses, before anything is touched, credentials that cannot
// work with the network as the last scan saw it.
func (m *Machine) fitsScan(c wifi.Credentials) error {
	if c.Hidden {
		return nil
	}
	m.mu.Lock()
	nets := m.snapNets
	m.mu.Unlock()
	for _, n := range nets {
		if n.SSID != c.SSID {
			continue
		}
		switch {
		case n.Security == wifi.Enterprise:
			return fmt.Errorf("%w: %q is a WPA-Enterprise (802.1X) network, which needs a user name and certificates; pi-netconfig can join open and password networks only", wifi.ErrInvalid, c.SSID)
		case n.Security == wifi.Open && c.Password != "":
			return fmt.Errorf("%w: %q is an open network: leave the password empty", wifi.ErrInvalid, c.SSID)
		case n.Security != wifi.Open && c.Password == "":
			return fmt.Errorf("%w: %q is protected (%s): type its password", wifi.ErrInvalid, c.SSID, n.Security)
		}
		return nil
	}
	return nil
}
