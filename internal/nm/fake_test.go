//go:build integration

package nm

// A scripted NetworkManager (and wpa_supplicant) on a private bus, for the
// WiFi paths that a network namespace without radios cannot exercise: scan
// and its wait, security detection for new profiles, activation outcomes
// (wrong password, not found, timeout) as NetworkManager 1.42 signals them,
// the hotspot and its stations. What the fake does is what
// NetworkManager does for these cases (see the comments); the e2e tier's VM
// checks it against the real thing.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
	"github.com/pi-netconfig/pi-netconfig/test/nmns"
)

const (
	fakeDev  = dbus.ObjectPath("/org/freedesktop/NetworkManager/Devices/7")
	fakeEth  = dbus.ObjectPath("/org/freedesktop/NetworkManager/Devices/1")
	fakeIP4  = dbus.ObjectPath("/org/freedesktop/NetworkManager/IP4Config/3")
	fakeWpas = dbus.ObjectPath("/fi/w1/wpa_supplicant1/Interfaces/0")
	fakeMAC  = "b8:27:eb:12:ab:cd"
)

// fakeAP is an access point in the fake's air.
type fakeAP struct {
	accessPoint
	psk       string // the right password
	afterScan bool   // appears only once a scan has run
}

type fakeObj struct {
	f     *fakeNM
	path  dbus.ObjectPath
	props map[string]map[string]dbus.Variant
}

// Get, GetAll and Set implement org.freedesktop.DBus.Properties.
func (o *fakeObj) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	v, ok := o.props[iface][name]
	if !ok {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"no property " + name})
	}
	return v, nil
}

func (o *fakeObj) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	out := map[string]dbus.Variant{}
	for k, v := range o.props[iface] {
		out[k] = v
	}
	return out, nil
}

func (o *fakeObj) Set(iface, name string, v dbus.Variant) *dbus.Error {
	if name != "WirelessEnabled" {
		return dbus.NewError("org.freedesktop.DBus.Error.PropertyReadOnly", nil)
	}
	o.f.set(o.path, iface, name, v.Value())
	return nil
}

type fakeNM struct {
	t    *testing.T
	conn *dbus.Conn

	mu          sync.Mutex
	objs        map[dbus.ObjectPath]*fakeObj
	air         []fakeAP
	scanned     bool
	refuseScan  bool // NetworkManager refuses while activating
	conns       map[dbus.ObjectPath]connSettings
	secrets     map[dbus.ObjectPath]string // psk of each connection
	next        int
	deactivated []dbus.ObjectPath
	updates     int
}

func startFakeNM(t *testing.T, air []fakeAP) (*fakeNM, string) {
	addr := nmns.Bus(t)
	f := &fakeNM{t: t, conn: nmns.Dial(t, addr), objs: map[dbus.ObjectPath]*fakeObj{},
		air: air, conns: map[dbus.ObjectPath]connSettings{}, secrets: map[dbus.ObjectPath]string{}}
	f.object(nmPath, map[string]map[string]dbus.Variant{ifaceNM: {
		"WirelessEnabled": v(true), "WirelessHardwareEnabled": v(true), "Connectivity": v(uint32(1)),
		"ActiveConnections": v([]dbus.ObjectPath{}), "State": v(uint32(20)),
	}})
	f.object(fakeEth, map[string]map[string]dbus.Variant{ifaceDevice: {
		"Interface": v("eth0"), "DeviceType": v(uint32(devTypeEthernet)), "HwAddress": v("00:11:22:33:44:55"),
	}})
	f.object(fakeDev, map[string]map[string]dbus.Variant{
		ifaceDevice: {
			"Interface": v("wlan0"), "DeviceType": v(uint32(devTypeWiFi)), "HwAddress": v("3e:00:00:00:00:01"), // randomised while scanning
			"ActiveConnection": v(dbus.ObjectPath("/")), "Ip4Config": v(dbus.ObjectPath("/")),
			"State": v(uint32(devStateDisconnected)), "StateReason": v(struct{ A, B uint32 }{devStateDisconnected, 0}),
		},
		ifaceWireless: {"PermHwAddress": v(fakeMAC), "LastScan": v(int64(1000))},
	})
	f.object(fakeIP4, map[string]map[string]dbus.Variant{ifaceIP4Config: {"AddressData": v([]map[string]dbus.Variant{})}})
	f.object(fakeWpas, map[string]map[string]dbus.Variant{wpasIface: {"Stations": v([]dbus.ObjectPath{"/fi/w1/wpa_supplicant1/Interfaces/0/Stations/1", "/fi/w1/wpa_supplicant1/Interfaces/0/Stations/2"})}})
	f.exportAPs()
	must(t, f.conn.ExportMethodTable(map[string]any{
		"GetDevices":           func() ([]dbus.ObjectPath, *dbus.Error) { return []dbus.ObjectPath{fakeEth, fakeDev}, nil },
		"ActivateConnection":   f.activateConnection,
		"DeactivateConnection": f.deactivateConnection,
	}, nmPath, ifaceNM))
	must(t, f.conn.ExportMethodTable(map[string]any{
		"RequestScan":        f.requestScan,
		"GetAllAccessPoints": f.accessPoints,
	}, fakeDev, ifaceWireless))
	must(t, f.conn.ExportMethodTable(map[string]any{
		"AddConnection":       f.addConnection,
		"ListConnections":     f.listConnections,
		"GetConnectionByUuid": f.connectionByUUID,
	}, settingsPath, ifaceSettings))
	must(t, f.conn.ExportMethodTable(map[string]any{
		"GetInterface": func(ifname string) (dbus.ObjectPath, *dbus.Error) {
			if ifname != "wlan0" {
				return "", dbus.NewError("fi.w1.wpa_supplicant1.InterfaceUnknown", nil)
			}
			return fakeWpas, nil
		},
	}, wpasPath, wpasBus))
	for _, name := range []string{busName, wpasBus} {
		if r, err := f.conn.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("own %s: %v %v", name, r, err)
		}
	}
	return f, addr
}

func v(x any) dbus.Variant { return dbus.MakeVariant(x) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fakeNM) object(p dbus.ObjectPath, props map[string]map[string]dbus.Variant) {
	o := &fakeObj{f: f, path: p, props: props}
	f.mu.Lock()
	f.objs[p] = o
	f.mu.Unlock()
	must(f.t, f.conn.Export(o, p, ifaceProps))
}

// set changes a property and signals it, as NetworkManager does.
func (f *fakeNM) set(p dbus.ObjectPath, iface, name string, val any) {
	f.mu.Lock()
	f.objs[p].props[iface][name] = v(val)
	f.mu.Unlock()
	_ = f.conn.Emit(p, ifaceProps+".PropertiesChanged", iface, map[string]dbus.Variant{name: v(val)}, []string{})
}

func apPath(i int) dbus.ObjectPath {
	return dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/NetworkManager/AccessPoint/%d", i))
}

func (f *fakeNM) exportAPs() {
	for i, ap := range f.air {
		f.object(apPath(i), map[string]map[string]dbus.Variant{ifaceAP: {
			"Ssid": v(ap.ssid), "Strength": v(ap.strength), "Frequency": v(ap.freq),
			"Flags": v(ap.flags), "WpaFlags": v(ap.wpa), "RsnFlags": v(ap.rsn),
		}})
	}
}

func (f *fakeNM) accessPoints() ([]dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []dbus.ObjectPath
	for i, ap := range f.air {
		if !ap.afterScan || f.scanned {
			out = append(out, apPath(i))
		}
	}
	return out, nil
}

// requestScan answers at once and finishes the scan a moment later, like
// NetworkManager: LastScan changes when the results are in.
func (f *fakeNM) requestScan(map[string]dbus.Variant) *dbus.Error {
	f.mu.Lock()
	ap := f.objs[fakeDev].props[ifaceDevice]["ActiveConnection"].Value().(dbus.ObjectPath) != "/" && f.apMode()
	refuse := f.refuseScan
	f.mu.Unlock()
	switch {
	case ap:
		return dbus.NewError(errNotAllowed, []any{"Scanning not allowed while in AP mode"})
	case refuse:
		return dbus.NewError(errNotAllowed, []any{"Scanning not allowed while activating"})
	}
	go func() {
		time.Sleep(50 * time.Millisecond) // the radio scanning
		f.mu.Lock()
		f.scanned = true
		f.mu.Unlock()
		f.set(fakeDev, ifaceWireless, "LastScan", int64(2000))
	}()
	return nil
}

// apMode: the active connection is an AP; f.mu held.
func (f *fakeNM) apMode() bool {
	ac := f.objs[fakeDev].props[ifaceDevice]["ActiveConnection"].Value().(dbus.ObjectPath)
	o, ok := f.objs[ac]
	if !ok {
		return false
	}
	s := f.conns[o.props[ifaceActive]["Connection"].Value().(dbus.ObjectPath)]
	return vstr(s["802-11-wireless"], "mode") == "ap"
}

func (f *fakeNM) addConnection(s connSettings) (dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	f.next++
	p := dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/NetworkManager/Settings/%d", f.next))
	f.mu.Unlock()
	f.store(p, s)
	must(f.t, f.conn.ExportMethodTable(map[string]any{
		"GetSettings": func() (connSettings, *dbus.Error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			s, ok := f.conns[p]
			if !ok {
				return nil, dbus.NewError(errUnknownObject, nil)
			}
			return s, nil
		},
		"Update": func(s connSettings) *dbus.Error {
			f.mu.Lock()
			f.updates++
			f.mu.Unlock()
			f.store(p, s)
			return nil
		},
		"Delete": func() *dbus.Error {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.conns, p)
			return nil
		},
	}, p, ifaceConn))
	return p, nil
}

// store keeps settings without secrets, as GetSettings returns them.
func (f *fakeNM) store(p dbus.ObjectPath, s connSettings) {
	f.mu.Lock()
	defer f.mu.Unlock()
	clean := connSettings{}
	for k, m := range s {
		clean[k] = map[string]dbus.Variant{}
		for kk, val := range m {
			if kk == "psk" {
				f.secrets[p], _ = val.Value().(string)
				continue
			}
			clean[k][kk] = val
		}
	}
	f.conns[p] = clean
}

func (f *fakeNM) listConnections() ([]dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []dbus.ObjectPath
	for p := range f.conns {
		out = append(out, p)
	}
	return out, nil
}

func (f *fakeNM) connectionByUUID(uuid string) (dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p, s := range f.conns {
		if vstr(s["connection"], "uuid") == uuid {
			return p, nil
		}
	}
	return "", dbus.NewError(errInvalidConnection, []any{"No connection with the UUID was found."})
}

func (f *fakeNM) activateConnection(conn, dev, _ dbus.ObjectPath) (dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	s, ok := f.conns[conn]
	psk := f.secrets[conn]
	f.next++
	ac := dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/NetworkManager/ActiveConnection/%d", f.next))
	f.mu.Unlock()
	if !ok || dev != fakeDev {
		return "", dbus.NewError("org.freedesktop.NetworkManager.UnknownConnection", nil)
	}
	f.object(ac, map[string]map[string]dbus.Variant{ifaceActive: {
		"State": v(uint32(acStateActivating)), "Id": v(vstr(s["connection"], "id")),
		"Uuid": v(vstr(s["connection"], "uuid")), "Connection": v(conn),
	}})
	f.set(fakeDev, ifaceDevice, "ActiveConnection", ac)
	f.set(nmPath, ifaceNM, "ActiveConnections", []dbus.ObjectPath{ac})
	go f.run(ac, s, psk)
	return ac, nil
}

func (f *fakeNM) device(state, old, reason uint32) {
	f.set(fakeDev, ifaceDevice, "State", state)
	f.set(fakeDev, ifaceDevice, "StateReason", struct{ A, B uint32 }{state, reason})
	_ = f.conn.Emit(fakeDev, ifaceDevice+".StateChanged", state, old, reason)
}

func (f *fakeNM) active(ac dbus.ObjectPath, state, reason uint32) {
	f.set(ac, ifaceActive, "State", state)
	_ = f.conn.Emit(ac, ifaceActive+".StateChanged", state, reason)
	if state == acStateDeactivated {
		f.set(nmPath, ifaceNM, "ActiveConnections", []dbus.ObjectPath{})
		f.set(fakeDev, ifaceDevice, "ActiveConnection", dbus.ObjectPath("/"))
		f.set(fakeDev, ifaceDevice, "Ip4Config", dbus.ObjectPath("/"))
	}
}

// run plays what NetworkManager 1.42 reports for the attempt.
func (f *fakeNM) run(ac dbus.ObjectPath, s connSettings, psk string) {
	f.device(40, 30, 0) // prepare
	f.device(50, 40, 0) // config
	ssid := string(vbytes(s["802-11-wireless"], "ssid"))
	if vstr(s["802-11-wireless"], "mode") == "ap" {
		f.up(ac, "192.168.50.1")
		return
	}
	var ap *fakeAP
	f.mu.Lock()
	for i := range f.air {
		if string(f.air[i].ssid) == ssid {
			ap = &f.air[i]
		}
	}
	f.mu.Unlock()
	switch {
	case ssid == "slow":
		return // associating forever
	case ap == nil:
		f.device(devStateFailed, 50, devReasonSSIDNotFound)
		f.active(ac, acStateDeactivated, 3)
		f.device(devStateDisconnected, devStateFailed, 0)
	case ap.psk != psk:
		// The 4-way handshake fails; NetworkManager asks for new secrets,
		// no agent has any: FAILED with no-secrets.
		f.device(devStateNeedAuth, 50, devReasonSupplicantDisconnect)
		f.device(devStateFailed, devStateNeedAuth, devReasonNoSecrets)
		f.active(ac, acStateDeactivated, acReasonNoSecrets)
		f.device(devStateDisconnected, devStateFailed, 0)
	default:
		f.up(ac, "192.168.1.23")
	}
}

func (f *fakeNM) up(ac dbus.ObjectPath, ip string) {
	f.set(fakeIP4, ifaceIP4Config, "AddressData", []map[string]dbus.Variant{{"address": v(ip), "prefix": v(uint32(24))}})
	f.set(fakeDev, ifaceDevice, "Ip4Config", fakeIP4)
	f.device(devStateActivated, 90, 0)
	f.active(ac, acStateActivated, 1)
}

func (f *fakeNM) deactivateConnection(ac dbus.ObjectPath) *dbus.Error {
	f.mu.Lock()
	f.deactivated = append(f.deactivated, ac)
	f.mu.Unlock()
	f.device(devStateDeactivating, devStateActivated, 39)
	f.active(ac, acStateDeactivated, 2)
	f.device(devStateDisconnected, devStateDeactivating, 39)
	return nil
}

// settingsOf returns the stored settings of a profile by uuid.
func (f *fakeNM) settingsOf(uuid string) connSettings {
	p, _ := f.connectionByUUID(uuid)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns[p]
}

var fakeAir = []fakeAP{
	{accessPoint: accessPoint{ssid: []byte("home"), strength: 40, freq: 2437, flags: apFlagPrivacy, rsn: secKeyMgmtPSK}, psk: "correct horse"},
	{accessPoint: accessPoint{ssid: []byte("home"), strength: 75, freq: 5180, flags: apFlagPrivacy, rsn: secKeyMgmtPSK}, psk: "correct horse"},
	{accessPoint: accessPoint{ssid: []byte("sae-only"), strength: 60, freq: 5500, flags: apFlagPrivacy, rsn: secKeyMgmtSAE}, psk: "battery staple"},
	{accessPoint: accessPoint{ssid: []byte("cafe"), strength: 55, freq: 2412}},
	{accessPoint: accessPoint{ssid: []byte("old-wep"), strength: 90, freq: 2412, flags: apFlagPrivacy}},
	{accessPoint: accessPoint{ssid: nil, strength: 99, freq: 2412, flags: apFlagPrivacy, rsn: secKeyMgmtPSK}},
	{accessPoint: accessPoint{ssid: []byte{'x', 0xff}, strength: 20, freq: 5955, flags: apFlagPrivacy, rsn: secKeyMgmtSAE | secKeyMgmtPSK}},
	{accessPoint: accessPoint{ssid: []byte("corp"), strength: 30, freq: 5180, flags: apFlagPrivacy, rsn: secKeyMgmt8021X}},
	{accessPoint: accessPoint{ssid: []byte("late"), strength: 10, freq: 2462}, afterScan: true},
}

var prefixEq = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

// syncBuffer is a bytes.Buffer safe for the client's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func fakeClient(t *testing.T) (*fakeNM, *Client) {
	f, c, _ := fakeClientLog(t)
	return f, c
}

// fakeClientLog also returns everything the client logs (debug included).
func fakeClientLog(t *testing.T) (*fakeNM, *Client, *syncBuffer) {
	t.Helper()
	air := append([]fakeAP(nil), fakeAir...)
	f, addr := startFakeNM(t, air)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(ctxFor(t, 5*time.Second), Options{Conn: nmns.Dial(t, addr), Log: log})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return f, c, logs
}

func TestFakeScan(t *testing.T) {
	f, c := fakeClient(t)
	ctx := ctxFor(t, 10*time.Second)
	dev, err := c.Device(ctx)
	if err != nil || dev.Iface != "wlan0" || dev.MAC.String() != fakeMAC {
		t.Errorf("Device() = %v %v, %v; want wlan0 with the permanent MAC %s", dev.Iface, dev.MAC, err, fakeMAC)
	}
	got, err := c.Scan(ctx)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	want := []wifi.Network{
		{SSID: "home", Signal: 75, Security: wifi.WPA2, Frequency: 5180, Band: wifi.Band5GHz},
		{SSID: "sae-only", Signal: 60, Security: wifi.WPA3, Frequency: 5500, Band: wifi.Band5GHz},
		{SSID: "cafe", Signal: 55, Security: wifi.Open, Frequency: 2412, Band: wifi.Band24GHz},
		{SSID: "corp", Signal: 30, Security: wifi.Enterprise, Frequency: 5180, Band: wifi.Band5GHz},
		{SSID: `x\xff`, Signal: 20, Security: wifi.WPA2WPA3, Frequency: 5955, Band: wifi.Band6GHz},
		{SSID: "late", Signal: 10, Security: wifi.Open, Frequency: 2462, Band: wifi.Band24GHz}, // only there after the scan: Scan waited
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Scan() mismatch (-want +got):\n%s", diff)
	}

	// Refused while activating: the list NetworkManager has, no error.
	f.mu.Lock()
	f.refuseScan = true
	f.mu.Unlock()
	if got, err := c.Scan(ctx); err != nil || len(got) != len(want) {
		t.Errorf("Scan() while refused = %d networks, %v; want %d, nil", len(got), err, len(want))
	}
}

func TestFakeAddChoosesSecurity(t *testing.T) {
	f, c := fakeClient(t)
	ctx := ctxFor(t, 10*time.Second)
	tests := []struct {
		cr      wifi.Credentials
		wantKM  string // "" = open, no security setting
		wantErr error
	}{
		{wifi.Credentials{SSID: "home", Password: "correct horse"}, "wpa-psk", nil},
		{wifi.Credentials{SSID: "sae-only", Password: "battery staple", Security: wifi.WPA2}, "sae", nil}, // advertised wins
		{wifi.Credentials{SSID: "cafe", Password: "ignored1"}, "", nil},
		{wifi.Credentials{SSID: "far-away", Password: "whatever1", Security: wifi.WPA3}, "sae", nil},
		{wifi.Credentials{SSID: "hidden-net", Password: "whatever1", Hidden: true}, "wpa-psk", nil},
		{wifi.Credentials{SSID: "far-open"}, "", nil},
		{wifi.Credentials{SSID: "corp", Password: "whatever1"}, "", ErrUnsupported},
		{wifi.Credentials{SSID: "home"}, "", wifi.ErrInvalid},
		{wifi.Credentials{SSID: "home", Password: "short"}, "", wifi.ErrInvalid},
	}
	for _, tt := range tests {
		p, err := c.Add(ctx, tt.cr)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Add(%v) err = %v, want %v", tt.cr, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Add(%v): %v", tt.cr, err)
			continue
		}
		s := f.settingsOf(p.ID)
		if km := vstr(s["802-11-wireless-security"], "key-mgmt"); km != tt.wantKM {
			t.Errorf("Add(%v): key-mgmt %q, want %q", tt.cr, km, tt.wantKM)
		}
		if hidden, _ := s["802-11-wireless"]["hidden"].Value().(bool); hidden != tt.cr.Hidden {
			t.Errorf("Add(%v): hidden %t", tt.cr, hidden)
		}
	}
}

func TestFakeActivate(t *testing.T) {
	tests := []struct {
		name    string
		cr      wifi.Credentials
		timeout time.Duration
		want    wifi.Reason // "" = success
	}{
		{"right password", wifi.Credentials{SSID: "home", Password: "correct horse"}, 5 * time.Second, ""},
		{"wrong password", wifi.Credentials{SSID: "home", Password: "wrong horse"}, 5 * time.Second, wifi.ReasonWrongPassword},
		{"wpa3 wrong password", wifi.Credentials{SSID: "sae-only", Password: "wrong staple"}, 5 * time.Second, wifi.ReasonWrongPassword},
		{"not in range", wifi.Credentials{SSID: "far-away", Password: "whatever1"}, 5 * time.Second, wifi.ReasonNotFound},
		{"no answer", wifi.Credentials{SSID: "slow", Password: "whatever1"}, 300 * time.Millisecond, wifi.ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c, logs := fakeClientLog(t)
			defer func() {
				if strings.Contains(logs.String(), tt.cr.Password) {
					t.Errorf("the log shows the password:\n%s", logs)
				}
			}()
			ctx := ctxFor(t, 10*time.Second)
			p, err := c.Add(ctx, tt.cr)
			if err != nil {
				t.Fatal(err)
			}
			actx, cancel := context.WithTimeout(ctx, tt.timeout)
			defer cancel()
			err = c.Activate(actx, p.ID)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Activate: %v", err)
				}
				l, err := c.Link(ctx)
				want := wifi.Link{Mode: wifi.ModeClient, SSID: tt.cr.SSID, ProfileID: p.ID, IPv4: netip.MustParsePrefix("192.168.1.23/24"), Connectivity: "none"}
				if diff := cmp.Diff(want, l, prefixEq); err != nil || diff != "" {
					t.Errorf("Link() after Activate (-want +got): %v\n%s", err, diff)
				}
				return
			}
			var ce *wifi.ConnectError
			if !errors.As(err, &ce) || ce.Reason != tt.want {
				t.Fatalf("Activate err = %v, want a ConnectError with %s", err, tt.want)
			}
			t.Logf("Activate: %v", err)
			if strings.Contains(err.Error(), tt.cr.Password) {
				t.Errorf("the error shows the password: %v", err)
			}
			if tt.want == wifi.ReasonTimeout {
				f.mu.Lock()
				n := len(f.deactivated)
				f.mu.Unlock()
				if n != 1 {
					t.Errorf("%d deactivations after a timed-out Activate, want 1", n)
				}
			}
		})
	}
}

func TestFakeHotspot(t *testing.T) {
	f, c := fakeClient(t)
	ctx := ctxFor(t, 10*time.Second)
	h := wifi.Hotspot{SSID: "PiConfig-ABCD", Password: "piconfig123"}
	if n, err := c.Stations(ctx); err != nil || n != 0 {
		t.Errorf("Stations() before the hotspot = %d, %v; want 0, nil", n, err)
	}
	for range 2 {
		if err := c.HotspotUp(ctx, h); err != nil {
			t.Fatalf("HotspotUp: %v", err)
		}
	}
	f.mu.Lock()
	profiles, updates := len(f.conns), f.updates
	f.mu.Unlock()
	if profiles != 1 || updates != 1 {
		t.Errorf("after two HotspotUp: %d profiles, %d updates; want 1 and 1", profiles, updates)
	}
	l, err := c.Link(ctx)
	want := wifi.Link{Mode: wifi.ModeAP, SSID: h.SSID, IPv4: netip.MustParsePrefix("192.168.50.1/24"), Connectivity: "none"}
	if diff := cmp.Diff(want, l, prefixEq, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "ProfileID" }, cmp.Ignore())); err != nil || diff != "" {
		t.Errorf("Link() with the hotspot up (-want +got): %v\n%s", err, diff)
	}
	if l.Online() {
		t.Error("the hotspot counts as online")
	}
	if _, err := c.Scan(ctx); !errors.Is(err, wifi.ErrScanUnavailable) {
		t.Errorf("Scan() with the hotspot up err = %v, want wifi.ErrScanUnavailable", err)
	}
	if n, err := c.Stations(ctx); err != nil || n != 2 {
		t.Errorf("Stations() = %d, %v; want 2 from wpa_supplicant", n, err)
	}
	if saved, err := c.Saved(ctx); err != nil || len(saved) != 0 {
		t.Errorf("Saved() = %v, %v; want no client profiles", saved, err)
	}
	if err := c.HotspotDown(ctx); err != nil {
		t.Fatalf("HotspotDown: %v", err)
	}
	if l, err := c.Link(ctx); err != nil || l.Mode != wifi.ModeNone {
		t.Errorf("Link() after HotspotDown = %+v, %v; want no connection", l, err)
	}
	if err := c.HotspotDown(ctx); err != nil {
		t.Errorf("second HotspotDown: %v", err)
	}
}

func TestFakeProblems(t *testing.T) {
	f, c := fakeClient(t)
	ctx := ctxFor(t, 10*time.Second)
	f.set(nmPath, ifaceNM, "WirelessHardwareEnabled", false)
	probs, err := c.Problems(ctx)
	if err != nil || len(probs) != 1 || probs[0].Code != "rfkill_hard" {
		t.Errorf("Problems() with a hard block = %+v, %v; want rfkill_hard", probs, err)
	}
}
