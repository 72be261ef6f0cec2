package wifi

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBandOf(t *testing.T) {
	for mhz, want := range map[int]Band{2412: Band24GHz, 2484: Band24GHz, 5180: Band5GHz, 5825: Band5GHz, 5955: Band6GHz, 7115: Band6GHz, 0: "", 900: ""} {
		if got := BandOf(mhz); got != want {
			t.Errorf("BandOf(%d) = %q, want %q", mhz, got, want)
		}
	}
}

func TestStrongest(t *testing.T) {
	in := []Network{
		{SSID: "B", Signal: 40}, {SSID: "A", Signal: 70}, {SSID: "", Signal: 99},
		{SSID: "B", Signal: 90, Frequency: 5180}, {SSID: "C", Signal: 70},
	}
	want := []Network{{SSID: "B", Signal: 90, Frequency: 5180}, {SSID: "A", Signal: 70}, {SSID: "C", Signal: 70}}
	if diff := cmp.Diff(want, Strongest(in)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		c       Credentials
		wantErr string
	}{
		{Credentials{SSID: "HomeNet", Password: `quote" dollar$ back\slash`}, ""},
		{Credentials{SSID: "Open Cafe"}, ""},
		{Credentials{SSID: "Café ☕", Password: "12345678"}, ""},
		{Credentials{SSID: strings.Repeat("s", 32), Password: strings.Repeat("p", 63)}, ""},
		{Credentials{SSID: "raw", Password: strings.Repeat("aB3", 21) + "f"}, ""},
		{Credentials{SSID: "", Password: "12345678"}, "network name is empty"},
		{Credentials{SSID: strings.Repeat("s", 33)}, "at most 32"},
		{Credentials{SSID: "bad\xff"}, "not valid UTF-8"},
		{Credentials{SSID: "x", Password: "1234567"}, "8 to 63 characters"},
		{Credentials{SSID: "x", Password: strings.Repeat("p", 64)}, "8 to 63 characters"},
		{Credentials{SSID: "x", Password: "pässwörd"}, "printable ASCII"},
		{Credentials{SSID: "x", Password: "new\nline1"}, "printable ASCII"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.c, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want ErrInvalid mentioning %q", tt.c, err, tt.wantErr)
		}
		if tt.c.Password != "" && strings.Contains(err.Error(), tt.c.Password) {
			t.Errorf("error %q contains the password", err)
		}
	}
}

func TestCredentialsNeverShowThePassword(t *testing.T) {
	c := Credentials{SSID: "HomeNet", Password: "s3cret-pass"}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "creds", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), logged.String(), Hotspot{Password: "s3cret-pass"}.String()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("password shown: %s", s)
		}
	}
}
