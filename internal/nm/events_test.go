package nm

import (
	"log/slog"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

func TestHandleSignal(t *testing.T) {
	const dev = dbus.ObjectPath("/org/freedesktop/NetworkManager/Devices/3")
	tests := []struct {
		name    string
		sig     *dbus.Signal
		want    []string
		wantDev bool // the device is still known afterwards
	}{
		{"device state", &dbus.Signal{Path: dev, Name: ifaceDevice + ".StateChanged", Body: []any{uint32(120), uint32(70), uint32(53)}},
			[]string{"device wlan0: ip-config -> failed (ssid-not-found)"}, true},
		{"another device", &dbus.Signal{Path: "/org/freedesktop/NetworkManager/Devices/9", Name: ifaceDevice + ".StateChanged", Body: []any{uint32(100), uint32(90), uint32(0)}},
			nil, true},
		{"manager properties", &dbus.Signal{Path: nmPath, Name: ifaceProps + ".PropertiesChanged", Body: []any{ifaceNM, map[string]dbus.Variant{
			"Connectivity": dbus.MakeVariant(uint32(4)), "State": dbus.MakeVariant(uint32(70)), "Version": dbus.MakeVariant("x"),
		}, []string{}}},
			[]string{"NetworkManager State, Connectivity changed"}, true},
		{"uninteresting manager property", &dbus.Signal{Path: nmPath, Name: ifaceProps + ".PropertiesChanged", Body: []any{ifaceNM, map[string]dbus.Variant{
			"Metered": dbus.MakeVariant(uint32(4)),
		}, []string{}}},
			nil, true},
		{"another object's properties", &dbus.Signal{Path: dev, Name: ifaceProps + ".PropertiesChanged", Body: []any{ifaceDevice, map[string]dbus.Variant{
			"State": dbus.MakeVariant(uint32(100)),
		}, []string{}}},
			nil, true},
		{"NetworkManager stopped", &dbus.Signal{Path: "/org/freedesktop/DBus", Name: "org.freedesktop.DBus.NameOwnerChanged", Body: []any{busName, ":1.5", ""}},
			[]string{"NetworkManager stopped"}, false},
		{"another name", &dbus.Signal{Path: "/org/freedesktop/DBus", Name: "org.freedesktop.DBus.NameOwnerChanged", Body: []any{"org.example", ":1.5", ""}},
			nil, true},
		{"our device removed", &dbus.Signal{Path: nmPath, Name: ifaceNM + ".DeviceRemoved", Body: []any{dev}},
			[]string{"device wlan0 removed"}, false},
		{"another device removed", &dbus.Signal{Path: nmPath, Name: ifaceNM + ".DeviceRemoved", Body: []any{dbus.ObjectPath("/org/freedesktop/NetworkManager/Devices/9")}},
			nil, true},
		{"device added while ours is known", &dbus.Signal{Path: nmPath, Name: ifaceNM + ".DeviceAdded", Body: []any{dbus.ObjectPath("/org/freedesktop/NetworkManager/Devices/9")}},
			nil, true},
		{"short body", &dbus.Signal{Path: dev, Name: ifaceDevice + ".StateChanged", Body: []any{uint32(1)}},
			nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			c := &Client{
				log:    slog.New(slog.DiscardHandler),
				events: make(chan wifi.Event, 1),
				dev:    devInfo{path: dev, iface: "wlan0"},
				trace:  func(r string) { got = append(got, r) },
			}
			c.handle(tt.sig)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
			if known := c.dev.path != ""; known != tt.wantDev {
				t.Errorf("device known = %t, want %t", known, tt.wantDev)
			}
		})
	}
}

func TestEventsCoalesce(t *testing.T) {
	c := &Client{events: make(chan wifi.Event, 1)}
	c.emit("one")
	c.emit("two") // must not block
	if e := <-c.Events(); e.Reason != "one" {
		t.Errorf("first event = %q, want one", e.Reason)
	}
	select {
	case e := <-c.Events():
		t.Errorf("second event %q, want it coalesced away", e.Reason)
	default:
	}
}
