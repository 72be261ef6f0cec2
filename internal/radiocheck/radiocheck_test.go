package radiocheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// fakeReg is a regulatory domain in memory.
type fakeReg struct {
	country   string
	err       error // from Country
	setErr    error // from RequestCountry
	requested []string
}

func (f *fakeReg) Country(context.Context) (string, error) { return f.country, f.err }
func (f *fakeReg) RequestCountry(_ context.Context, a2 string) error {
	f.requested = append(f.requested, a2)
	if f.setErr != nil {
		return f.setErr
	}
	f.country = a2
	return nil
}

// sysfs builds /sys/class/rfkill with one directory per switch; the
// values are type, name, soft, hard.
func sysfs(t *testing.T, switches map[string][4]string) string {
	t.Helper()
	root := t.TempDir()
	for id, v := range switches {
		dir := filepath.Join(root, "class", "rfkill", id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"type", "name", "soft", "hard"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(v[i]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestProblems(t *testing.T) {
	noCountry := wifi.Problem{
		Code:    CodeNoCountry,
		Message: "No WiFi country is set, so the radio may not transmit on all channels (or at all on some Pi models).",
		Fix:     `Set "country" in /etc/pi-netconfig/config.json to your two-letter country code, e.g. "GB".`,
	}
	soft := wifi.Problem{
		Code:    CodeRfkillSoft,
		Message: "The WiFi radio (phy0) is switched off in software (rfkill soft block).",
		Fix:     "pi-netconfig unblocks it when it starts; if it stays blocked, run: sudo rfkill unblock wifi",
	}
	hard := wifi.Problem{
		Code:    CodeRfkillHard,
		Message: "The WiFi radio (phy1) is switched off by a hardware switch or the firmware (rfkill hard block), so it cannot join a network or raise the setup hotspot.",
		Fix:     "Turn the WiFi switch on if the device has one; on a Raspberry Pi, remove any dtoverlay=disable-wifi line from config.txt on the boot partition and reboot.",
	}
	tests := []struct {
		name     string
		switches map[string][4]string
		reg      fakeReg
		country  string
		want     []wifi.Problem
	}{
		{name: "all well", switches: map[string][4]string{"rfkill0": {"wlan", "phy0", "0", "0"}}, reg: fakeReg{country: "GB"}, country: "GB"},
		{name: "no rfkill at all", reg: fakeReg{country: "DE"}},
		{name: "world domain, no country configured", reg: fakeReg{country: World}, want: []wifi.Problem{noCountry}},
		{name: "world domain although configured", reg: fakeReg{country: World}, country: "GB", want: []wifi.Problem{{
			Code:    CodeNoCountry,
			Message: `The WiFi country "GB" from the config is not in effect: the radio still uses the world regulatory domain.`,
			Fix:     `Check that "country" in /etc/pi-netconfig/config.json is your two-letter country code; the log says why setting it failed.`,
		}}},
		{name: "no nl80211", reg: fakeReg{err: ErrNoNL80211}},
		{name: "netlink error is logged, not reported", reg: fakeReg{err: errors.New("boom")}},
		{name: "soft and hard blocks, bluetooth ignored", switches: map[string][4]string{
			"rfkill0": {"wlan", "phy0", "1", "0"},
			"rfkill1": {"wlan", "phy1", "1", "1"},
			"rfkill2": {"bluetooth", "hci0", "1", "1"},
		}, reg: fakeReg{country: World}, want: []wifi.Problem{soft, hard, noCountry}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{SysFS: sysfs(t, tt.switches), Reg: &tt.reg}
			got := c.Problems(t.Context(), tt.country)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnblock(t *testing.T) {
	root := sysfs(t, map[string][4]string{
		"rfkill0": {"wlan", "phy0", "1", "0"},
		"rfkill1": {"wlan", "phy1", "0", "1"},
		"rfkill2": {"bluetooth", "hci0", "1", "0"},
	})
	c := &Checker{SysFS: root}
	if err := c.Unblock(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, id := range []string{"rfkill0", "rfkill1", "rfkill2"} {
		got[id] = read(filepath.Join(root, "class", "rfkill", id), "soft")
	}
	want := map[string]string{"rfkill0": "0", "rfkill1": "0", "rfkill2": "1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("soft after Unblock (-want +got):\n%s", diff)
	}

}

func TestApplyCountry(t *testing.T) {
	boom := errors.New("operation not permitted")
	tests := []struct {
		name          string
		reg           fakeReg
		alpha2        string
		wantErr       error
		wantRequested []string
	}{
		{name: "sets it", reg: fakeReg{country: World}, alpha2: "GB", wantRequested: []string{"GB"}},
		{name: "already set", reg: fakeReg{country: "GB"}, alpha2: "GB"},
		{name: "lower case refused", reg: fakeReg{country: World}, alpha2: "gb", wantErr: ErrCountry},
		{name: "world refused", reg: fakeReg{country: "GB"}, alpha2: "00", wantErr: ErrCountry},
		{name: "too long refused", reg: fakeReg{country: "GB"}, alpha2: "GBR", wantErr: ErrCountry},
		{name: "no nl80211", reg: fakeReg{err: ErrNoNL80211}, alpha2: "GB", wantErr: ErrNoNL80211},
		{name: "request fails", reg: fakeReg{country: World, setErr: boom}, alpha2: "DE", wantErr: boom, wantRequested: []string{"DE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Reg: &tt.reg}
			err := c.ApplyCountry(t.Context(), tt.alpha2)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ApplyCountry = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantRequested, tt.reg.requested); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}
