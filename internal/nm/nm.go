// Package nm implements netstate.Radio over NetworkManager's D-Bus API
// (github.com/godbus/dbus/v5). It never runs nmcli and never goes through a
// shell: profiles are created, activated and deleted with D-Bus calls, and
// every call carries a context with a deadline.
//
// Profiles pi-netconfig creates carry the id prefix "pi-netconfig-" and the
// user-data key "pi-netconfig.managed"; the marker is what Delete, Saved and
// Purge check, so profiles made by a person or another tool are never
// touched. Passwords go to NetworkManager only (psk-flags 0: its root-only
// keyfile store, no secret agent needed) and never into a log or an error.
//
// Decisions:
//   - Scan leaves WEP networks out (privacy bit without WPA/RSN key
//     management): WEP is broken and Add cannot join it. OWE ("Enhanced
//     Open") shows as Open and is joined with key-mgmt owe; mixed WPA/WPA2 as WPA2; PSK+SAE as WPA2/WPA3,
//     joined with wpa-psk (every driver can); SAE only as WPA3, joined with
//     sae; any 802.1X or Suite-B key management as Enterprise, which Add
//     refuses (ErrUnsupported).
//   - The hotspot is WPA2-PSK, CCMP only, PMF off (brcmfmac, the Pi's
//     driver, fails to start a protected AP otherwise), 2.4 GHz, "shared"
//     IPv4 with address-data (NetworkManager 1.42 needs no legacy
//     "addresses"), IPv6 ignored, autoconnect off, bound to the interface.
//     HotspotUp updates the one profile named pi-netconfig-ap instead of
//     adding another.
//   - Stations counts wpa_supplicant's Interface.Stations (2.10 and later,
//     on the same system bus, found with GetInterface); when that is not
//     available, the complete ARP entries of the interface.
//   - A wrong password shows in NetworkManager 1.42 as NEED_AUTH
//     (supplicant-disconnect), then FAILED with no-secrets, since no agent
//     can supply another password: both map to ReasonWrongPassword; see
//     classify for the rest.
//   - The device is found again after NetworkManager restarts
//     (NameOwnerChanged) and after it was removed and added back
//     (DeviceRemoved/DeviceAdded): object paths change then.
package nm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

var _ netstate.Radio = (*Client)(nil)

// Sentinel errors of this package.
var (
	// ErrNotOurs means a profile exists but pi-netconfig did not create it,
	// so it refuses to delete it.
	ErrNotOurs = errors.New("nm: profile was not created by pi-netconfig")
	// ErrNoNetworkManager means NetworkManager is not running (not on the
	// bus).
	ErrNoNetworkManager = errors.New("nm: NetworkManager is not running; start it (systemctl start NetworkManager)")
	// ErrUnsupported means a network uses a security pi-netconfig cannot
	// join (WPA-Enterprise, WEP).
	ErrUnsupported = errors.New("nm: network security not supported")
)

// D-Bus names of NetworkManager's API.
const (
	busName        = "org.freedesktop.NetworkManager"
	nmPath         = dbus.ObjectPath("/org/freedesktop/NetworkManager")
	settingsPath   = dbus.ObjectPath("/org/freedesktop/NetworkManager/Settings")
	ifaceNM        = "org.freedesktop.NetworkManager"
	ifaceDevice    = "org.freedesktop.NetworkManager.Device"
	ifaceWireless  = "org.freedesktop.NetworkManager.Device.Wireless"
	ifaceAP        = "org.freedesktop.NetworkManager.AccessPoint"
	ifaceActive    = "org.freedesktop.NetworkManager.Connection.Active"
	ifaceSettings  = "org.freedesktop.NetworkManager.Settings"
	ifaceConn      = "org.freedesktop.NetworkManager.Settings.Connection"
	ifaceIP4Config = "org.freedesktop.NetworkManager.IP4Config"
	ifaceProps     = "org.freedesktop.DBus.Properties"

	errNotAllowed        = "org.freedesktop.NetworkManager.Device.NotAllowed"
	errInvalidConnection = "org.freedesktop.NetworkManager.Settings.InvalidConnection"
	errUnknownObject     = "org.freedesktop.DBus.Error.UnknownObject"
	errUnknownMethod     = "org.freedesktop.DBus.Error.UnknownMethod"
	errServiceUnknown    = "org.freedesktop.DBus.Error.ServiceUnknown"
	errNameHasNoOwner    = "org.freedesktop.DBus.Error.NameHasNoOwner"
)

// Profile naming and marking.
const (
	// IDPrefix starts the connection.id of every profile pi-netconfig creates.
	IDPrefix = "pi-netconfig-"
	// HotspotID is the connection.id of the hotspot profile.
	HotspotID = "pi-netconfig-ap"
	// MarkerKey is the user-data key (setting "user", key "data") that marks
	// a profile as pi-netconfig's.
	MarkerKey = "pi-netconfig.managed"
)

// callTimeout caps a D-Bus call whose context has no deadline of its own.
const callTimeout = 10 * time.Second

// Device types (NMDeviceType).
const (
	devTypeEthernet = 1
	devTypeWiFi     = 2
	devTypeVeth     = 20
)

// Options configures New.
type Options struct {
	// Conn is the system bus connection; nil opens a private one that Close
	// closes. A connection passed in is left open by Close.
	Conn *dbus.Conn
	// Interface is the WiFi interface to manage; "" picks the first WiFi
	// device NetworkManager knows.
	Interface string
	Log       *slog.Logger
}

// Client talks to NetworkManager. Its Radio methods are meant to be called
// from one goroutine (the state machine's owner); Events and the signal
// reader run concurrently with them.
type Client struct {
	conn    *dbus.Conn
	ownConn bool
	log     *slog.Logger
	iface   string          // configured interface, "" = first of the kind
	kinds   map[uint32]bool // device types this client accepts
	trace   func(reason string)

	events  chan wifi.Event
	signals chan *dbus.Signal
	done    chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	dev      devInfo    // zero when unknown (NetworkManager restarted)
	refindID int        // generation of the background re-find
	subs     int        // times the match rules were added (each is removed on Close)
	closed   bool
}

// devInfo is the managed device as NetworkManager currently names it.
type devInfo struct {
	path  dbus.ObjectPath
	iface string
	mac   net.HardwareAddr
	kind  uint32
}

// New connects to NetworkManager, finds the WiFi device (the configured one
// or the first), and starts watching NetworkManager's signals. It returns an
// error wrapping wifi.ErrNoDevice, naming the devices it found, when there is
// no WiFi device.
func New(ctx context.Context, opts Options) (*Client, error) {
	return newClient(ctx, opts, map[uint32]bool{devTypeWiFi: true}, nil)
}

// newClient is New for any device kind; the integration tests use it with
// the ethernet kinds (a veth pair) to exercise the shared machinery.
// trace, when not nil, sees every event reason before coalescing.
func newClient(ctx context.Context, opts Options, kinds map[uint32]bool, trace func(string)) (*Client, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		conn:    opts.Conn,
		log:     log.With("component", "nm"),
		iface:   opts.Interface,
		kinds:   kinds,
		trace:   trace,
		events:  make(chan wifi.Event, 1),
		signals: make(chan *dbus.Signal, 64),
		done:    make(chan struct{}),
	}
	if c.conn == nil {
		conn, err := systemBus(ctx)
		if err != nil {
			return nil, err
		}
		c.conn, c.ownConn = conn, true
	}
	c.conn.Signal(c.signals)
	if err := c.subscribe(ctx); err != nil {
		c.stop()
		return nil, err
	}
	d, err := c.findDevice(ctx)
	if err != nil {
		c.stop()
		return nil, err
	}
	c.mu.Lock()
	c.dev = d
	c.mu.Unlock()
	c.log.Info("using device", "iface", d.iface, "mac", d.mac.String())
	c.wg.Add(1)
	go c.readSignals()
	return c, nil
}

// systemBus opens a private system bus connection. ctx bounds the
// handshake only: the connection must outlive it (dbus.WithContext would
// close the connection when ctx ends).
func systemBus(ctx context.Context) (*dbus.Conn, error) {
	conn, err := dbus.SystemBusPrivate()
	if err != nil {
		return nil, fmt.Errorf("connect to the system bus: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		if err := conn.Auth(nil); err != nil {
			done <- fmt.Errorf("authenticate on the system bus: %w", err)
			return
		}
		if err := conn.Hello(); err != nil {
			done <- fmt.Errorf("hello on the system bus: %w", err)
			return
		}
		done <- nil
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("connect to the system bus: %w", ctx.Err())
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Close stops watching signals and closes the bus connection if New opened
// it. It does not change anything in NetworkManager.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.stop()
	if c.ownConn {
		return nil // closing the connection dropped its match rules
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.mu.Lock()
	subs := c.subs
	c.mu.Unlock()
	for range subs {
		for _, m := range c.matches() {
			_ = c.conn.RemoveMatchSignalContext(ctx, m...)
		}
	}
	return nil
}

func (c *Client) stop() {
	c.conn.RemoveSignal(c.signals)
	close(c.done)
	c.wg.Wait()
	if c.ownConn {
		c.conn.Close()
	}
}

// Events delivers a value whenever NetworkManager reports a change the
// state machine should look at. Buffered 1, coalesced.
func (c *Client) Events() <-chan wifi.Event { return c.events }

func (c *Client) emit(reason string) {
	if c.trace != nil {
		c.trace(reason)
	}
	select {
	case c.events <- wifi.Event{Reason: reason}:
	default:
	}
}

// withDeadline gives ctx a deadline when it has none.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, callTimeout)
}

// call invokes a NetworkManager method and stores its results in out.
func (c *Client) call(ctx context.Context, path dbus.ObjectPath, method string, args []any, out ...any) error {
	return c.callDest(ctx, busName, path, method, args, out...)
}

func (c *Client) callDest(ctx context.Context, dest string, path dbus.ObjectPath, method string, args []any, out ...any) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	call := c.conn.Object(dest, path).CallWithContext(ctx, method, 0, args...)
	if call.Err != nil {
		if n := dbusErrName(call.Err); dest == busName && (n == errServiceUnknown || n == errNameHasNoOwner) {
			return fmt.Errorf("%w (%v)", ErrNoNetworkManager, call.Err)
		}
		return call.Err
	}
	if len(out) == 0 {
		return nil
	}
	return call.Store(out...)
}

// prop reads one property into out.
func (c *Client) prop(ctx context.Context, path dbus.ObjectPath, iface, name string, out any) error {
	var v dbus.Variant
	if err := c.call(ctx, path, ifaceProps+".Get", []any{iface, name}, &v); err != nil {
		return fmt.Errorf("read %s.%s: %w", shortIface(iface), name, err)
	}
	if err := v.Store(out); err != nil {
		return fmt.Errorf("read %s.%s: %w", shortIface(iface), name, err)
	}
	return nil
}

// props reads all properties of an interface.
func (c *Client) props(ctx context.Context, path dbus.ObjectPath, iface string) (map[string]dbus.Variant, error) {
	var m map[string]dbus.Variant
	if err := c.call(ctx, path, ifaceProps+".GetAll", []any{iface}, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", shortIface(iface), err)
	}
	return m, nil
}

func shortIface(iface string) string {
	if s, ok := strings.CutPrefix(iface, "org.freedesktop.NetworkManager."); ok {
		return s
	}
	return iface
}

// dbusErrName is the D-Bus error name of err, or "".
func dbusErrName(err error) string {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return p.Name
	}
	return ""
}

// variant helpers: read a typed value from a property map, zero if absent
// or of another type.
func vstr(m map[string]dbus.Variant, k string) string {
	s, _ := m[k].Value().(string)
	return s
}

func vu32(m map[string]dbus.Variant, k string) uint32 {
	u, _ := m[k].Value().(uint32)
	return u
}

func vpath(m map[string]dbus.Variant, k string) dbus.ObjectPath {
	p, _ := m[k].Value().(dbus.ObjectPath)
	return p
}

func vbytes(m map[string]dbus.Variant, k string) []byte {
	b, _ := m[k].Value().([]byte)
	return b
}
