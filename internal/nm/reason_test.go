package nm

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		at   attempt
		want *wifi.ConnectError
	}{
		{"wrong psk: need-auth then no-secrets", attempt{devReason: 7, acReason: 9, needAuth: true},
			&wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "device reason no-secrets (7), connection reason no-secrets (9)"}},
		{"supplicant disconnect", attempt{devReason: 8, acReason: 3},
			&wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "device reason supplicant-disconnect (8), connection reason device-disconnected (3)"}},
		{"supplicant failed", attempt{devReason: 10},
			&wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "device reason supplicant-failed (10), connection reason unknown (0)"}},
		{"supplicant timeout after need-auth", attempt{devReason: 11, needAuth: true},
			&wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "device reason supplicant-timeout (11), connection reason unknown (0)"}},
		{"supplicant timeout before any handshake", attempt{devReason: 11},
			&wifi.ConnectError{Reason: wifi.ReasonTimeout, Detail: "device reason supplicant-timeout (11), connection reason unknown (0)"}},
		{"ssid not found", attempt{devReason: 53, acReason: 3},
			&wifi.ConnectError{Reason: wifi.ReasonNotFound, Detail: "device reason ssid-not-found (53), connection reason device-disconnected (3)"}},
		{"no ip", attempt{devReason: 5, acReason: 3},
			&wifi.ConnectError{Reason: wifi.ReasonNoIP, Detail: "device reason ip-config-unavailable (5), connection reason device-disconnected (3)"}},
		{"dhcp failed", attempt{devReason: 17},
			&wifi.ConnectError{Reason: wifi.ReasonNoIP, Detail: "device reason dhcp-failed (17), connection reason unknown (0)"}},
		{"ip config expired", attempt{devReason: 6},
			&wifi.ConnectError{Reason: wifi.ReasonNoIP, Detail: "device reason ip-config-expired (6), connection reason unknown (0)"}},
		{"only the connection's reason: no secrets", attempt{acReason: 9},
			&wifi.ConnectError{Reason: wifi.ReasonWrongPassword, Detail: "device reason none (0), connection reason no-secrets (9)"}},
		{"only the connection's reason: timeout", attempt{acReason: 6},
			&wifi.ConnectError{Reason: wifi.ReasonTimeout, Detail: "device reason none (0), connection reason connect-timeout (6)"}},
		{"unknown reason", attempt{devReason: 99, acReason: 77},
			&wifi.ConnectError{Reason: wifi.ReasonOther, Detail: "device reason reason (99), connection reason reason (77)"}},
		{"user disconnected", attempt{acReason: 2},
			&wifi.ConnectError{Reason: wifi.ReasonOther, Detail: "device reason none (0), connection reason user-disconnected (2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, classify(tt.at)); diff != "" {
				t.Errorf("classify mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReasonNames(t *testing.T) {
	// Spot checks against NetworkManager's nm-dbus-interface.h numbering.
	for r, want := range map[uint32]string{
		0: "none", 5: "ip-config-unavailable", 7: "no-secrets", 11: "supplicant-timeout",
		17: "dhcp-failed", 36: "removed", 39: "user-requested", 53: "ssid-not-found",
		60: "new-activation", 67: "peer-not-found", 68: "reason",
	} {
		if got := devReasonName(r); got != want {
			t.Errorf("devReasonName(%d) = %q, want %q", r, got, want)
		}
	}
	if got := acReasonName(9); got != "no-secrets" {
		t.Errorf("acReasonName(9) = %q, want no-secrets", got)
	}
	if got := devStateName(120); got != "failed" {
		t.Errorf("devStateName(120) = %q, want failed", got)
	}
	if got := connectivityName(3); got != "limited" {
		t.Errorf("connectivityName(3) = %q, want limited", got)
	}
}

func TestARPStations(t *testing.T) {
	f, err := os.Open("testdata/proc_net_arp")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		iface string
		want  int
	}{{"wlan0", 2}, {"eth0", 1}, {"wlan1", 0}}
	for _, tt := range tests {
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		got, err := arpStations(f, tt.iface)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("arpStations(%s) = %d, want %d", tt.iface, got, tt.want)
		}
	}
	if n, err := arpStations(strings.NewReader(""), "wlan0"); err != nil || n != 0 {
		t.Errorf("empty table: %d, %v; want 0, nil", n, err)
	}
}
