package wifiqr

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestPayload(t *testing.T) {
	tests := []struct {
		name, ssid, password, want string
	}{
		{"plain", "PiConfig-AB12", "piconfig123", "WIFI:T:WPA;S:PiConfig-AB12;P:piconfig123;;"},
		{"semicolon", "a;b", "pass;word", `WIFI:T:WPA;S:a\;b;P:pass\;word;;`},
		{"comma colon", "a,b:c", "x,y:z12345", `WIFI:T:WPA;S:a\,b\:c;P:x\,y\:z12345;;`},
		{"backslash first", `a\;`, `\\`, `WIFI:T:WPA;S:a\\\;;P:\\\\;;`},
		{"quote", `say "hi"`, `"quoted"`, `WIFI:T:WPA;S:say \"hi\";P:\"quoted\";;`},
		{"unicode kept", "Café ☕", "motdepasse", "WIFI:T:WPA;S:Café ☕;P:motdepasse;;"},
		{"open", "Free WiFi", "", "WIFI:T:nopass;S:Free WiFi;;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Payload(tt.ssid, tt.password)); diff != "" {
				t.Errorf("Payload(%q, ...) (-want +got):\n%s", tt.ssid, diff)
			}
		})
	}
}

func TestTerminalSquare(t *testing.T) {
	tests := []struct {
		name, ssid, password string
		modules              int // QR size for this payload at level M
	}{
		{"hotspot", "PiConfig-AB12", "piconfig123", 29},                // version 3
		{"long", strings.Repeat("s", 32), strings.Repeat("p", 63), 45}, // version 7
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Terminal(&buf, tt.ssid, tt.password); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, tt.password) {
				t.Fatal("the password is printed as text")
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			side := tt.modules + 2*Quiet
			if want := (side + 1) / 2; len(lines) != want {
				t.Errorf("%d lines, want %d (side %d modules, two per line)", len(lines), want, side)
			}
			for i, l := range lines {
				if n := utf8.RuneCountInString(l); n != side {
					t.Errorf("line %d is %d cells wide, want %d", i, n, side)
				}
			}
			// The quiet zone is light all round: the first line is full
			// blocks, and every line starts and ends with Quiet light cells.
			if lines[0] != strings.Repeat("█", side) {
				t.Errorf("first line %q is not quiet zone", lines[0])
			}
			for i, l := range lines[:len(lines)-1] {
				r := []rune(l)
				if string(r[:Quiet]) != strings.Repeat("█", Quiet) || string(r[side-Quiet:]) != strings.Repeat("█", Quiet) {
					t.Errorf("line %d lacks the side quiet zone: %q", i, l)
				}
			}
			// The top-left finder pattern: module rows Quiet (all dark
			// across 7 modules) and Quiet+1 (dark, 5 light, dark) share
			// line Quiet/2.
			if got := string([]rune(lines[Quiet/2])[Quiet : Quiet+7]); got != " ▄▄▄▄▄ " {
				t.Errorf("finder pattern top %q, want %q", got, " ▄▄▄▄▄ ")
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestTerminalWriteError(t *testing.T) {
	if err := Terminal(failWriter{}, "a", "12345678"); err == nil {
		t.Error("no error from a failing writer")
	}
}
