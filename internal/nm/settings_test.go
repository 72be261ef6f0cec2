package nm

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// plain turns settings into comparable values.
func plain(s connSettings) map[string]map[string]any {
	out := make(map[string]map[string]any, len(s))
	for k, m := range s {
		out[k] = make(map[string]any, len(m))
		for kk, v := range m {
			out[k][kk] = v.Value()
		}
	}
	return out
}

func TestClientSettings(t *testing.T) {
	const uuid = "0b8f3a0e-6a4c-4c6e-9d0a-1f2e3d4c5b6a"
	tricky := `p"a$s'w\o r` + "`d;$(x)"
	rawPSK := strings.Repeat("0123456789abcdef", 4)
	marker := map[string]any{"data": map[string]string{MarkerKey: "1"}}
	conn := func(ssid string) map[string]any {
		return map[string]any{"id": IDPrefix + ssid, "uuid": uuid, "type": "802-11-wireless", "autoconnect": true}
	}
	ip := map[string]any{"method": "auto"}
	tests := []struct {
		name string
		cr   wifi.Credentials
		sec  wifi.Security
		want map[string]map[string]any
	}{
		{"open", wifi.Credentials{SSID: "cafe"}, wifi.Open, map[string]map[string]any{
			"connection":      conn("cafe"),
			"802-11-wireless": {"ssid": []byte("cafe"), "mode": "infrastructure"},
			"ipv4":            ip, "ipv6": ip, "user": marker,
		}},
		{"wpa2 with shell characters", wifi.Credentials{SSID: "My Net $HOME", Password: tricky}, wifi.WPA2, map[string]map[string]any{
			"connection":               conn("My Net $HOME"),
			"802-11-wireless":          {"ssid": []byte("My Net $HOME"), "mode": "infrastructure", "security": "802-11-wireless-security"},
			"802-11-wireless-security": {"key-mgmt": "wpa-psk", "psk": tricky, "psk-flags": uint32(0)},
			"ipv4":                     ip, "ipv6": ip, "user": marker,
		}},
		{"wpa3 hidden", wifi.Credentials{SSID: "secret", Password: "correct horse", Hidden: true}, wifi.WPA3, map[string]map[string]any{
			"connection":               conn("secret"),
			"802-11-wireless":          {"ssid": []byte("secret"), "mode": "infrastructure", "hidden": true, "security": "802-11-wireless-security"},
			"802-11-wireless-security": {"key-mgmt": "sae", "psk": "correct horse", "psk-flags": uint32(0)},
			"ipv4":                     ip, "ipv6": ip, "user": marker,
		}},
		{"owe needs no password", wifi.Credentials{SSID: "owe", Password: "ignored1"}, secOWE, map[string]map[string]any{
			"connection":               conn("owe"),
			"802-11-wireless":          {"ssid": []byte("owe"), "mode": "infrastructure", "security": "802-11-wireless-security"},
			"802-11-wireless-security": {"key-mgmt": "owe"},
			"ipv4":                     ip, "ipv6": ip, "user": marker,
		}},
		{"wpa2/wpa3 joins with wpa-psk, raw psk", wifi.Credentials{SSID: "t", Password: rawPSK}, wifi.WPA2WPA3, map[string]map[string]any{
			"connection":               conn("t"),
			"802-11-wireless":          {"ssid": []byte("t"), "mode": "infrastructure", "security": "802-11-wireless-security"},
			"802-11-wireless-security": {"key-mgmt": "wpa-psk", "psk": rawPSK, "psk-flags": uint32(0)},
			"ipv4":                     ip, "ipv6": ip, "user": marker,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clientSettings(uuid, tt.cr, tt.sec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, plain(got)); diff != "" {
				t.Errorf("clientSettings mismatch (-want +got):\n%s", diff)
			}
			// NetworkManager's AddConnection takes a{sa{sv}}.
			if sig := dbus.SignatureOf(got).String(); sig != "a{sa{sv}}" {
				t.Errorf("signature %s, want a{sa{sv}}", sig)
			}
		})
	}
}

func TestClientSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		cr   wifi.Credentials
		sec  wifi.Security
		want error
	}{
		{"enterprise", wifi.Credentials{SSID: "corp", Password: "whatever1"}, wifi.Enterprise, ErrUnsupported},
		{"protected without password", wifi.Credentials{SSID: "home"}, wifi.WPA2, wifi.ErrInvalid},
		{"raw psk for wpa3", wifi.Credentials{SSID: "new", Password: strings.Repeat("ab", 32)}, wifi.WPA3, wifi.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clientSettings("u", tt.cr, tt.sec)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.cr.Password != "" && strings.Contains(err.Error(), tt.cr.Password) {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestChooseSecurity(t *testing.T) {
	tests := []struct {
		name       string
		cr         wifi.Credentials
		advertised wifi.Security
		want       wifi.Security
	}{
		{"advertised wins", wifi.Credentials{Password: "x", Security: wifi.WPA2}, wifi.WPA3, wifi.WPA3},
		{"hint when not in range", wifi.Credentials{Password: "x", Security: wifi.WPA3}, "", wifi.WPA3},
		{"password means wpa2", wifi.Credentials{Password: "x"}, "", wifi.WPA2},
		{"nothing means open", wifi.Credentials{}, "", wifi.Open},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, chooseSecurity(tt.cr, tt.advertised)); diff != "" {
			t.Errorf("%s: chooseSecurity mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestHotspotSettings(t *testing.T) {
	h := wifi.Hotspot{SSID: "PiConfig-A1B2", Password: "piconfig123", Address: netip.MustParsePrefix("192.168.50.1/24")}
	got, err := hotspotSettings("u-1", "wlan0", h)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"connection":      {"id": HotspotID, "uuid": "u-1", "type": "802-11-wireless", "autoconnect": false, "interface-name": "wlan0"},
		"802-11-wireless": {"ssid": []byte("PiConfig-A1B2"), "mode": "ap", "band": "bg", "security": "802-11-wireless-security"},
		"802-11-wireless-security": {
			"key-mgmt": "wpa-psk", "proto": []string{"rsn"}, "pairwise": []string{"ccmp"}, "group": []string{"ccmp"},
			"psk": "piconfig123", "psk-flags": uint32(0), "pmf": int32(1),
		},
		"ipv4": {"method": "shared", "address-data": []map[string]dbus.Variant{{
			"address": dbus.MakeVariant("192.168.50.1"), "prefix": dbus.MakeVariant(uint32(24)),
		}}},
		"ipv6": {"method": "ignore"},
		"user": {"data": map[string]string{MarkerKey: "1"}},
	}
	if diff := cmp.Diff(want, plain(got), cmp.Comparer(func(a, b dbus.Variant) bool { return a.String() == b.String() })); diff != "" {
		t.Errorf("hotspotSettings mismatch (-want +got):\n%s", diff)
	}

	// No address: the default.
	h.Address = netip.Prefix{}
	got, err = hotspotSettings("u-1", "wlan0", h)
	if err != nil {
		t.Fatal(err)
	}
	ad := got["ipv4"]["address-data"].Value().([]map[string]dbus.Variant)
	if a := ad[0]["address"].Value(); a != "192.168.50.1" {
		t.Errorf("default address = %v, want 192.168.50.1", a)
	}

	for _, bad := range []wifi.Hotspot{
		{SSID: "", Password: "piconfig123"},
		{SSID: "x", Password: "short"},
		{SSID: "x", Password: "piconfig123", Address: netip.MustParsePrefix("fd00::1/64")},
	} {
		if _, err := hotspotSettings("u", "wlan0", bad); !errors.Is(err, wifi.ErrInvalid) {
			t.Errorf("hotspotSettings(%v) err = %v, want wifi.ErrInvalid", bad, err)
		} else if bad.Password != "" && strings.Contains(err.Error(), bad.Password) {
			t.Errorf("error %q shows the password", err)
		}
	}
}

func TestOurs(t *testing.T) {
	tests := []struct {
		name string
		s    connSettings
		want bool
	}{
		{"marked", connSettings{"user": markerSetting()}, true},
		{"prefix only is not enough", connSettings{"connection": {"id": dbus.MakeVariant(IDPrefix + "x")}}, false},
		{"other user data", connSettings{"user": {"data": dbus.MakeVariant(map[string]string{"other": "1"})}}, false},
		{"none", connSettings{}, false},
	}
	for _, tt := range tests {
		if got := ours(tt.s); got != tt.want {
			t.Errorf("%s: ours = %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestNewUUID(t *testing.T) {
	a, b := newUUID(), newUUID()
	if a == b || len(a) != 36 || a[14] != '4' || strings.Count(a, "-") != 4 {
		t.Errorf("newUUID() = %q, %q; want two distinct v4 UUIDs", a, b)
	}
}
