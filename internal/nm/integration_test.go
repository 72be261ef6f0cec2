//go:build integration

package nm

// Integration tests against a real NetworkManager in a network namespace on
// a private bus (test/nmns). There is no WiFi device there, so the shared
// machinery is exercised on a veth pair: profiles, activation and its
// failure reasons, link state, signals, and a NetworkManager restart. The
// WiFi-only paths run in the e2e tier's VM.
//
// Run: scripts/tier-integration.sh (as root), or
// go test -race -tags integration -count=1 ./internal/nm/...

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
	"github.com/pi-netconfig/pi-netconfig/test/nmns"
)

var ethernetKinds = map[uint32]bool{devTypeEthernet: true, devTypeVeth: true}

// recorder collects every event reason the client emits.
type recorder struct {
	mu      sync.Mutex
	reasons []string
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) add(reason string) {
	r.mu.Lock()
	r.reasons = append(r.reasons, reason)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// wait returns once some recorded reason (after index from) contains want.
func (r *recorder) wait(t *testing.T, from int, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		for _, s := range r.reasons[min(from, len(r.reasons)):] {
			if strings.Contains(s, want) {
				r.mu.Unlock()
				return
			}
		}
		got := append([]string(nil), r.reasons...)
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("no event containing %q within %v; events: %q", want, within, got)
		}
	}
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reasons)
}

type fixture struct {
	env  *nmns.Env
	conn *dbus.Conn
	c    *Client
	rec  *recorder
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := nmns.Start(t)
	f := &fixture{env: env, conn: env.Conn(), rec: newRecorder()}
	t.Cleanup(func() { f.conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := newClient(ctx, Options{Conn: f.conn, Interface: env.Iface, Log: log}, ethernetKinds, f.rec.add)
	if err != nil {
		t.Fatalf("newClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	f.c = c
	return f
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// ethernetProfile is a marked profile for the veth device. dhcpTimeout 0
// keeps NetworkManager's default.
func ethernetProfile(iface string, marked bool, dhcpTimeout int32) (connSettings, string) {
	uuid := newUUID()
	s := connSettings{
		"connection": {
			"id":             dbus.MakeVariant(IDPrefix + "test-" + uuid[:8]),
			"uuid":           dbus.MakeVariant(uuid),
			"type":           dbus.MakeVariant("802-3-ethernet"),
			"autoconnect":    dbus.MakeVariant(false),
			"interface-name": dbus.MakeVariant(iface),
		},
		"ipv4": {"method": dbus.MakeVariant("auto"), "may-fail": dbus.MakeVariant(false)},
		"ipv6": {"method": dbus.MakeVariant("disabled")},
	}
	if dhcpTimeout > 0 {
		s["ipv4"]["dhcp-timeout"] = dbus.MakeVariant(dhcpTimeout)
	}
	if marked {
		s["user"] = markerSetting()
	} else {
		s["connection"]["id"] = dbus.MakeVariant("someone-elses-" + uuid[:8])
	}
	return s, uuid
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestIntegrationNewWithoutWiFi(t *testing.T) {
	env := nmns.Start(t)
	conn := env.Conn()
	defer conn.Close()
	for _, iface := range []string{"", "wlan0"} {
		_, err := New(ctxFor(t, 10*time.Second), Options{Conn: conn, Interface: iface})
		if !errors.Is(err, wifi.ErrNoDevice) {
			t.Fatalf("New(Interface=%q) err = %v, want wifi.ErrNoDevice", iface, err)
		}
		if want := env.Iface + " (veth)"; !strings.Contains(err.Error(), want) {
			t.Errorf("New(Interface=%q) err = %q, want it to name %q", iface, err, want)
		}
		t.Logf("New(Interface=%q): %v", iface, err)
	}
}

func TestIntegrationLifecycle(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 60*time.Second)

	dev, err := f.c.Device(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dev.Iface != f.env.Iface || !strings.Contains(f.env.Exec("ip", "link", "show", f.env.Iface), dev.MAC.String()) {
		t.Errorf("Device() = %s %s; not what ip link shows", dev.Iface, dev.MAC)
	}

	l, err := f.c.Link(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != wifi.ModeNone || l.IPv4.IsValid() {
		t.Errorf("Link() before activation = %+v, want no connection", l)
	}

	s, id := ethernetProfile(f.env.Iface, true, 0)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	from := f.rec.len()
	start := time.Now()
	if err := f.c.Activate(ctx, id); err != nil {
		t.Fatalf("Activate: %v", err)
	}
	t.Logf("activated with DHCP in %v", time.Since(start).Round(time.Millisecond))

	l, err = f.c.Link(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool := netip.MustParsePrefix("10.77.0.0/24")
	if l.Mode != wifi.ModeClient || l.Activating || l.ProfileID != id || !pool.Contains(l.IPv4.Addr()) || l.IPv4.Bits() != 24 {
		t.Errorf("Link() after activation = %+v, want client on %s with an address in %s", l, id, pool)
	}
	if !l.Online() {
		t.Errorf("Link().Online() = false after activation: %+v", l)
	}
	t.Logf("Link() after activation: %+v", l)
	if ip := f.env.Exec("ip", "-4", "-o", "addr", "show", f.env.Iface); !strings.Contains(ip, l.IPv4.String()) {
		t.Errorf("ip addr shows %q, Link says %s", ip, l.IPv4)
	}
	f.rec.wait(t, from, "-> activated", 5*time.Second)
	f.rec.wait(t, from, "State", 5*time.Second)
	f.rec.wait(t, from, "ActiveConnections", 5*time.Second)
	f.rec.wait(t, from, "PrimaryConnection", 5*time.Second)
	f.rec.wait(t, from, "Connectivity", 5*time.Second)
	f.rec.mu.Lock()
	t.Logf("events during activation: %q", f.rec.reasons[from:])
	f.rec.mu.Unlock()

	// Only WiFi client profiles are "saved networks".
	saved, err := f.c.Saved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 0 {
		t.Errorf("Saved() = %v, want none (the ethernet profile is not a WiFi network)", saved)
	}

	from = f.rec.len()
	if err := f.c.Delete(ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	f.rec.wait(t, from, "-> disconnected", 5*time.Second)
	if err := f.c.Delete(ctx, id); !errors.Is(err, wifi.ErrNotFound) {
		t.Errorf("second Delete err = %v, want wifi.ErrNotFound", err)
	}
	if err := f.c.Activate(ctx, id); !errors.Is(err, wifi.ErrNotFound) {
		t.Errorf("Activate(deleted) err = %v, want wifi.ErrNotFound", err)
	}
	l, err = f.c.Link(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != wifi.ModeNone {
		t.Errorf("Link() after Delete = %+v, want no connection", l)
	}
}

func TestIntegrationDeleteRefusesForeignProfile(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 20*time.Second)
	s, id := ethernetProfile(f.env.Iface, false, 0)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	err := f.c.Delete(ctx, id)
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("Delete(foreign) err = %v, want ErrNotOurs", err)
	}
	t.Logf("Delete(foreign): %v", err)
	if _, err := f.c.connByUUID(ctx, id); err != nil {
		t.Errorf("the foreign profile is gone after a refused Delete: %v", err)
	}
}

func TestIntegrationActivateNoIP(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 40*time.Second)
	f.env.StopDHCP()
	s, id := ethernetProfile(f.env.Iface, true, 3)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := f.c.Activate(ctx, id)
	var ce *wifi.ConnectError
	if !errors.As(err, &ce) || ce.Reason != wifi.ReasonNoIP {
		t.Fatalf("Activate without DHCP err = %v, want a ConnectError with %s", err, wifi.ReasonNoIP)
	}
	t.Logf("Activate without DHCP after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

func TestIntegrationActivateTimeout(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 40*time.Second)
	f.env.StopDHCP()
	s, id := ethernetProfile(f.env.Iface, true, 120)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := f.c.Activate(actx, id)
	var ce *wifi.ConnectError
	if !errors.As(err, &ce) || ce.Reason != wifi.ReasonTimeout {
		t.Fatalf("Activate with a short deadline err = %v, want a ConnectError with %s", err, wifi.ReasonTimeout)
	}
	// The half-done activation was stopped: nothing stays active.
	d, _ := f.c.device(ctx)
	var ac dbus.ObjectPath
	for deadline := time.Now().Add(5 * time.Second); ; {
		if err := f.c.prop(ctx, d.path, ifaceDevice, "ActiveConnection", &ac); err != nil {
			t.Fatal(err)
		}
		if ac == "/" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("device still has active connection %s 5 s after a timed-out Activate", ac)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestIntegrationWiFiProfiles(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 30*time.Second)

	// Add and Saved with an SSID and password full of shell characters.
	tricky := `p"a$s'w\o r` + "`d;$(x)"
	cr := wifi.Credentials{SSID: `Café "$HOME" \ 1`, Password: tricky, Hidden: true}
	p, err := f.c.Add(ctx, cr)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if strings.Contains(f.env.NMLog(), tricky) {
		t.Error("NetworkManager's log shows the password")
	}
	saved, err := f.c.Saved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]wifi.Profile{{ID: p.ID, SSID: cr.SSID, Hidden: true}}, saved); diff != "" {
		t.Errorf("Saved() mismatch (-want +got):\n%s", diff)
	}
	// NetworkManager keeps the password itself, in a root-only keyfile.
	kf := findKeyfile(t, f.env.Dir, p.ID)
	if fi, err := os.Stat(kf); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("keyfile %s: %v, mode %v; want 0600", kf, err, fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(kf); !strings.Contains(string(b), "\npsk=") || strings.Contains(string(b), "psk-flags=") {
		t.Errorf("keyfile %s does not hold the PSK with psk-flags 0", kf) // never print it
	}

	// The hotspot profile: created once, then updated, never duplicated,
	// and never listed as a saved network.
	for _, h := range []wifi.Hotspot{
		{SSID: "PiConfig-0001", Password: "piconfig123"},
		{SSID: "PiConfig-BEEF", Password: "another-pass", Address: netip.MustParsePrefix("192.168.51.1/24")},
	} {
		if _, err := f.c.ensureHotspot(ctx, mustDevice(t, f.c), h); err != nil {
			t.Fatalf("ensureHotspot(%v): %v", h, err)
		}
	}
	all, err := f.c.listConnections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hs []connSettings
	for _, s := range all {
		if vstr(s["connection"], "id") == HotspotID {
			hs = append(hs, s)
		}
	}
	if len(hs) != 1 {
		t.Fatalf("%d hotspot profiles, want 1", len(hs))
	}
	h := hs[0]
	got := map[string]any{
		"ssid":      string(vbytes(h["802-11-wireless"], "ssid")),
		"mode":      vstr(h["802-11-wireless"], "mode"),
		"band":      vstr(h["802-11-wireless"], "band"),
		"method":    vstr(h["ipv4"], "method"),
		"key-mgmt":  vstr(h["802-11-wireless-security"], "key-mgmt"),
		"iface":     vstr(h["connection"], "interface-name"),
		"ours":      ours(h),
		"addresses": h["ipv4"]["address-data"].String(),
		"pmf":       h["802-11-wireless-security"]["pmf"].Value(),
	}
	want := map[string]any{
		"ssid": "PiConfig-BEEF", "mode": "ap", "band": "bg", "method": "shared", "key-mgmt": "wpa-psk",
		"iface": f.env.Iface, "ours": true, "addresses": `[{"address": <"192.168.51.1">, "prefix": <@u 24>}]`, "pmf": int32(1),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hotspot profile mismatch (-want +got):\n%s", diff)
	}
	saved, err = f.c.Saved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 {
		t.Errorf("Saved() = %v, want only the client profile", saved)
	}
	if err := f.c.HotspotDown(ctx); err != nil {
		t.Errorf("HotspotDown with no hotspot up: %v", err)
	}
	if n, err := f.c.Stations(ctx); err != nil || n != 0 {
		t.Errorf("Stations() with no hotspot = %d, %v; want 0, nil", n, err)
	}
	if kf := findKeyfile(t, f.env.Dir, vstr(h["connection"], "uuid")); !strings.Contains(readFile(t, kf), "address1=192.168.51.1/24") {
		t.Errorf("hotspot keyfile %s has no address1=192.168.51.1/24", kf)
	}

	// Purge removes exactly pi-netconfig's profiles.
	foreign, foreignID := ethernetProfile(f.env.Iface, false, 0)
	if _, err := f.c.addConnection(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	purged, err := Purge(ctx, Options{Conn: f.conn})
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if diff := cmp.Diff([]string{IDPrefix + cr.SSID, HotspotID}, purged); diff != "" {
		t.Errorf("Purge() mismatch (-want +got):\n%s", diff)
	}
	if _, err := f.c.connByUUID(ctx, foreignID); err != nil {
		t.Errorf("Purge removed a foreign profile: %v", err)
	}
	if _, err := f.c.connByUUID(ctx, p.ID); !errors.Is(err, wifi.ErrNotFound) {
		t.Errorf("client profile after Purge: %v, want wifi.ErrNotFound", err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestIntegrationClientSettingsAccepted: NetworkManager itself verifies
// every kind of client profile Add can build.
func TestIntegrationClientSettingsAccepted(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 20*time.Second)
	raw := strings.Repeat("0123456789ABCDEF", 4)
	for _, sec := range []wifi.Security{wifi.Open, wifi.WPA, wifi.WPA2, wifi.WPA2WPA3, wifi.WPA3, secOWE} {
		for _, cr := range []wifi.Credentials{
			{SSID: "net " + string(sec), Password: `a "quoted" $pass\word`},
			{SSID: "hidden " + string(sec), Password: raw, Hidden: true},
		} {
			if sec == wifi.WPA3 && cr.Password == raw {
				continue // refused by clientSettings: SAE needs the passphrase
			}
			s, err := clientSettings(newUUID(), cr, sec)
			if err != nil {
				t.Fatalf("clientSettings(%v, %s): %v", cr, sec, err)
			}
			if _, err := f.c.addConnection(ctx, s); err != nil {
				t.Errorf("NetworkManager refused %s profile %v: %v", sec, cr, err)
			}
		}
	}
}

func mustDevice(t *testing.T, c *Client) devInfo {
	t.Helper()
	d, err := c.device(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func findKeyfile(t *testing.T, dir, uuid string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "connections", "*"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), "uuid="+uuid) {
			return f
		}
	}
	t.Fatalf("no keyfile with uuid %s in %v", uuid, files)
	return ""
}

func TestIntegrationNetworkManagerRestart(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 60*time.Second)
	before := mustDevice(t, f.c)

	for i, kill := range []bool{false, true} {
		from := f.rec.len()
		if kill {
			f.env.KillNM()
		} else {
			f.env.StopNM()
		}
		f.rec.wait(t, from, "NetworkManager stopped", 5*time.Second)
		if _, err := f.c.Device(ctx); !errors.Is(err, ErrNoNetworkManager) {
			t.Errorf("round %d: Device() while NetworkManager is down: err = %v, want ErrNoNetworkManager", i, err)
		}
		start := time.Now()
		f.env.StartNM()
		f.rec.wait(t, from, "NetworkManager restarted", 10*time.Second)
		t.Logf("round %d (kill=%t): device found again %v after starting NetworkManager", i, kill, time.Since(start).Round(time.Millisecond))
	}
	after := mustDevice(t, f.c)
	if after.iface != before.iface || after.path == "" {
		t.Errorf("device after restarts = %+v, want %s", after, before.iface)
	}
	t.Logf("device path before %s, after %s", before.path, after.path)

	// Everything still works, and device signals still arrive.
	s, id := ethernetProfile(f.env.Iface, true, 0)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	from := f.rec.len()
	if err := f.c.Activate(ctx, id); err != nil {
		t.Fatalf("Activate after restart: %v", err)
	}
	f.rec.wait(t, from, "-> activated", 5*time.Second)
	l, err := f.c.Link(ctx)
	if err != nil || !l.Online() {
		t.Errorf("Link() after restart = %+v, %v; want online", l, err)
	}
	if err := f.c.Delete(ctx, id); err != nil {
		t.Error(err)
	}
}

// TestIntegrationDeviceHotplug: the device goes away (a USB WiFi dongle
// pulled out) and comes back under a new object path.
func TestIntegrationDeviceHotplug(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 20*time.Second)
	before := mustDevice(t, f.c)
	from := f.rec.len()
	f.env.Exec("ip", "link", "del", f.env.Iface)
	f.rec.wait(t, from, "removed", 5*time.Second)
	if _, err := f.c.Device(ctx); !errors.Is(err, wifi.ErrNoDevice) {
		t.Errorf("Device() with the device gone: err = %v, want wifi.ErrNoDevice", err)
	}
	from = f.rec.len()
	f.env.Exec("ip", "link", "add", f.env.Iface, "type", "veth", "peer", "name", "pncx")
	f.rec.wait(t, from, "added", 5*time.Second)
	after, err := f.c.device(ctx)
	if err != nil {
		t.Fatalf("device() after it came back: %v", err)
	}
	if after.path == before.path {
		t.Errorf("device path %s unchanged; NetworkManager gives a new one", after.path)
	}
	t.Logf("device path before %s, after %s", before.path, after.path)
}

func TestIntegrationProblems(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 20*time.Second)
	codes := func() []string {
		t.Helper()
		probs, err := f.c.Problems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var cs []string
		for _, p := range probs {
			cs = append(cs, p.Code)
		}
		return cs
	}
	// Switch WiFi off in software, as "nmcli radio wifi off" would.
	if err := f.c.call(ctx, nmPath, ifaceProps+".Set", []any{ifaceNM, "WirelessEnabled", dbus.MakeVariant(false)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"rfkill_soft"}, codes()); diff != "" {
		t.Errorf("Problems() with WiFi off mismatch (-want +got):\n%s", diff)
	}
	if err := f.c.EnableWireless(ctx); err != nil {
		t.Fatalf("EnableWireless: %v", err)
	}
	if got := codes(); len(got) != 0 {
		t.Errorf("Problems() after EnableWireless = %v, want none", got)
	}
}

func TestIntegrationActivateWhileNetworkManagerDies(t *testing.T) {
	f := setup(t)
	ctx := ctxFor(t, 40*time.Second)
	f.env.StopDHCP() // the activation hangs in ip-config
	s, id := ethernetProfile(f.env.Iface, true, 120)
	if _, err := f.c.addConnection(ctx, s); err != nil {
		t.Fatal(err)
	}
	from := f.rec.len()
	errc := make(chan error, 1)
	go func() { errc <- f.c.Activate(ctx, id) }()
	f.rec.wait(t, from, "-> ip-config", 10*time.Second)
	start := time.Now()
	f.env.KillNM()
	err := <-errc
	var ce *wifi.ConnectError
	if !errors.As(err, &ce) || ce.Reason != wifi.ReasonOther {
		t.Fatalf("Activate when NetworkManager dies: err = %v, want a ConnectError with %s", err, wifi.ReasonOther)
	}
	t.Logf("Activate returned %v after NetworkManager was killed: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestIntegrationOwnConnection is New's path in the daemon: no Conn given,
// so the client opens its own (here DBUS_SYSTEM_BUS_ADDRESS points at the
// private bus) and keeps it after New's context has ended.
func TestIntegrationOwnConnection(t *testing.T) {
	env := nmns.Start(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", env.BusAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	c, err := newClient(ctx, Options{Interface: env.Iface}, ethernetKinds, nil)
	cancel()
	if err != nil {
		t.Fatalf("newClient without Conn: %v", err)
	}
	if _, err := c.Link(ctxFor(t, 10*time.Second)); err != nil {
		t.Errorf("Link() after New's context ended: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err = New(ctxFor(t, 10*time.Second), Options{})
	if !errors.Is(err, wifi.ErrNoDevice) {
		t.Errorf("New without Conn, no WiFi: err = %v, want wifi.ErrNoDevice", err)
	}
}

// BenchmarkIntegrationLink measures one Link() (five D-Bus round trips)
// against a real NetworkManager with an active connection.
func BenchmarkIntegrationLink(b *testing.B) {
	env := nmns.Start(b)
	conn := env.Conn()
	defer conn.Close()
	ctx := context.Background()
	c, err := newClient(ctx, Options{Conn: conn, Interface: env.Iface}, ethernetKinds, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	s, id := ethernetProfile(env.Iface, true, 0)
	if _, err := c.addConnection(ctx, s); err != nil {
		b.Fatal(err)
	}
	if err := c.Activate(ctx, id); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if l, err := c.Link(ctx); err != nil || !l.Online() {
			b.Fatalf("Link() = %+v, %v", l, err)
		}
	}
}
