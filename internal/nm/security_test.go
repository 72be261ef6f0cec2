package nm

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

func TestAccessPointNetwork(t *testing.T) {
	const (
		pairCCMP = 0x8
		grpCCMP  = 0x80
	)
	tests := []struct {
		name   string
		ap     accessPoint
		want   wifi.Network
		wantOK bool
	}{
		{"open 2.4", accessPoint{ssid: []byte("cafe"), strength: 70, freq: 2412},
			wifi.Network{SSID: "cafe", Signal: 70, Security: wifi.Open, Frequency: 2412, Band: wifi.Band24GHz}, true},
		{"wpa only", accessPoint{ssid: []byte("old"), strength: 40, freq: 2437, flags: apFlagPrivacy, wpa: secKeyMgmtPSK | pairCCMP | grpCCMP},
			wifi.Network{SSID: "old", Signal: 40, Security: wifi.WPA, Frequency: 2437, Band: wifi.Band24GHz}, true},
		{"wpa2 5 GHz", accessPoint{ssid: []byte("home"), strength: 88, freq: 5180, flags: apFlagPrivacy, rsn: secKeyMgmtPSK | pairCCMP | grpCCMP},
			wifi.Network{SSID: "home", Signal: 88, Security: wifi.WPA2, Frequency: 5180, Band: wifi.Band5GHz}, true},
		{"wpa/wpa2 mixed is WPA2", accessPoint{ssid: []byte("mixed"), strength: 50, freq: 2462, flags: apFlagPrivacy, wpa: secKeyMgmtPSK, rsn: secKeyMgmtPSK},
			wifi.Network{SSID: "mixed", Signal: 50, Security: wifi.WPA2, Frequency: 2462, Band: wifi.Band24GHz}, true},
		{"wpa2/wpa3 transition", accessPoint{ssid: []byte("t"), strength: 60, freq: 5500, flags: apFlagPrivacy, rsn: secKeyMgmtPSK | secKeyMgmtSAE},
			wifi.Network{SSID: "t", Signal: 60, Security: wifi.WPA2WPA3, Frequency: 5500, Band: wifi.Band5GHz}, true},
		{"wpa3 only 6 GHz", accessPoint{ssid: []byte("new"), strength: 30, freq: 5955, flags: apFlagPrivacy, rsn: secKeyMgmtSAE},
			wifi.Network{SSID: "new", Signal: 30, Security: wifi.WPA3, Frequency: 5955, Band: wifi.Band6GHz}, true},
		{"enterprise", accessPoint{ssid: []byte("corp"), strength: 90, freq: 2412, flags: apFlagPrivacy, rsn: secKeyMgmt8021X},
			wifi.Network{SSID: "corp", Signal: 90, Security: wifi.Enterprise, Frequency: 2412, Band: wifi.Band24GHz}, true},
		{"enterprise wpa1", accessPoint{ssid: []byte("corp1"), strength: 90, freq: 2412, flags: apFlagPrivacy, wpa: secKeyMgmt8021X},
			wifi.Network{SSID: "corp1", Signal: 90, Security: wifi.Enterprise, Frequency: 2412, Band: wifi.Band24GHz}, true},
		{"suite-b 192 is enterprise", accessPoint{ssid: []byte("gov"), strength: 10, freq: 5745, flags: apFlagPrivacy, rsn: secKeyMgmtEAPSuite},
			wifi.Network{SSID: "gov", Signal: 10, Security: wifi.Enterprise, Frequency: 5745, Band: wifi.Band5GHz}, true},
		{"enterprise and psk is enterprise", accessPoint{ssid: []byte("both"), strength: 10, freq: 2412, flags: apFlagPrivacy, rsn: secKeyMgmt8021X | secKeyMgmtPSK},
			wifi.Network{SSID: "both", Signal: 10, Security: wifi.Enterprise, Frequency: 2412, Band: wifi.Band24GHz}, true},
		{"owe is open", accessPoint{ssid: []byte("owe"), strength: 20, freq: 2412, flags: apFlagPrivacy, rsn: secKeyMgmtOWE},
			wifi.Network{SSID: "owe", Signal: 20, Security: wifi.Open, Frequency: 2412, Band: wifi.Band24GHz}, true},
		{"wep left out", accessPoint{ssid: []byte("wep"), strength: 99, freq: 2412, flags: apFlagPrivacy},
			wifi.Network{}, false},
		{"unknown band", accessPoint{ssid: []byte("x"), strength: 5, freq: 900},
			wifi.Network{SSID: "x", Signal: 5, Security: wifi.Open, Frequency: 900}, true},
		{"strength capped", accessPoint{ssid: []byte("y"), strength: 255, freq: 2412},
			wifi.Network{SSID: "y", Signal: 100, Security: wifi.Open, Frequency: 2412, Band: wifi.Band24GHz}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.ap.network()
			if ok != tt.wantOK {
				t.Fatalf("ok = %t, want %t", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("network() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeSSID(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"ascii", []byte("HomeNet"), "HomeNet"},
		{"utf-8", []byte("Café ☕ 🐱"), "Café ☕ 🐱"},
		{"empty", nil, ""},
		{"invalid byte", []byte{'a', 0xff, 'b'}, `a\xffb`},
		{"truncated rune", []byte{'x', 0xe2, 0x98}, `x\xe2\x98`},
		{"control characters", []byte("a\nb\x00"), `a\x0ab\x00`},
		{"latin-1", []byte{'C', 'a', 'f', 0xe9}, `Caf\xe9`},
		{"utf-8 with invalid", append([]byte("é"), 0xc0), `é\xc0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, decodeSSID(tt.in)); diff != "" {
				t.Errorf("decodeSSID(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestAdvertisedIn(t *testing.T) {
	aps := []accessPoint{
		{ssid: []byte("home"), strength: 30, rsn: secKeyMgmtPSK},
		{ssid: []byte("home"), strength: 80, rsn: secKeyMgmtSAE},
		{ssid: []byte("wep"), strength: 80, flags: apFlagPrivacy},
		{ssid: []byte("cafe"), strength: 50},
		{ssid: []byte("owe"), strength: 50, flags: apFlagPrivacy, rsn: secKeyMgmtOWE},
		{ssid: []byte("owe-tm"), strength: 50, rsn: secKeyMgmtOWETM},
	}
	tests := []struct {
		ssid string
		want wifi.Security
	}{
		{"home", wifi.WPA3}, // the strongest access point wins
		{"cafe", wifi.Open},
		{"owe", secOWE},
		{"owe-tm", wifi.Open},
		{"wep", ""},
		{"absent", ""},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, advertisedIn(aps, tt.ssid)); diff != "" {
			t.Errorf("advertisedIn(%q) mismatch (-want +got):\n%s", tt.ssid, diff)
		}
	}
}
