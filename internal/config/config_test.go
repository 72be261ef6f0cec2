package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadMissingIsDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "pi-netconfig")
	path := filepath.Join(dir, "config.json")
	c := Default()
	c.ConfiguredSSID = `Café "$HOME" \ net`
	c.LastConnected = "2026-12-04T15:04:05Z"
	c.Country = "GB"
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700 | os.ModeDir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s mode %v, want %v", p, fi.Mode(), want)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".config.json.tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestOriginalFieldsAndPartialFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, []byte(`{"configured_ssid":"HomeNet","last_connected":"2025-11-12T10:00:00Z","ap_password":"piconfig123","check_interval":5}`), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.ConfiguredSSID, want.LastConnected, want.CheckInterval = "HomeNet", "2025-11-12T10:00:00Z", 5
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBrokenFileIsReportedAndKept(t *testing.T) {
	tests := []struct {
		name, body, wantMsg string
	}{
		{"not JSON", `{"configured_ssid": "HomeNet",`, "unexpected EOF"},
		{"unknown key", `{"chek_interval": 5}`, `unknown field "chek_interval"`},
		{"bad value", `{"connectivity": "always"}`, `connectivity must be "link" or "internet"`},
		{"bad country", `{"country": "gb"}`, "country must be a two-letter upper-case"},
		{"short hotspot password", `{"ap_password": "short"}`, "ap_password must be 8 to 63"},
		{"bad time", `{"last_connected": "yesterday"}`, "last_connected must be an ISO 8601 time"},
		{"bad address", `{"ap_address": "192.168.50.1"}`, "ap_address must be an IPv4 address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			os.WriteFile(path, []byte(tt.body), 0o600)
			c, err := Load(path)
			if !errors.Is(err, ErrBroken) {
				t.Fatalf("err = %v, want ErrBroken", err)
			}
			for _, s := range []string{path, tt.wantMsg} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if diff := cmp.Diff(Default(), c); diff != "" {
				t.Errorf("a broken file must give the defaults (-want +got):\n%s", diff)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.body {
				t.Errorf("the broken file was changed: %q", b)
			}
		})
	}
}
