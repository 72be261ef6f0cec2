package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// records decodes JSON lines written by a JSON handler.
func records(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		delete(m, "time")
		out = append(out, m)
	}
	return out
}

func TestRedact(t *testing.T) {
	creds := wifi.Credentials{SSID: "Home", Password: "hunter2hunter2"}
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want map[string]any
	}{
		{
			name: "plain keys",
			log: func(l *slog.Logger) {
				l.Info("m", "password", "hunter2hunter2", "psk", "abc", "secret", "s", "ssid", "Home")
			},
			want: map[string]any{"level": "INFO", "msg": "m", "component": "main",
				"password": Redacted, "psk": Redacted, "secret": Redacted, "ssid": "Home"},
		},
		{
			name: "key case ignored",
			log:  func(l *slog.Logger) { l.Info("m", "Password", "x", "PSK", "y") },
			want: map[string]any{"level": "INFO", "msg": "m", "component": "main", "Password": Redacted, "PSK": Redacted},
		},
		{
			name: "nested group",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("ap", slog.String("ssid", "PiConfig-AB12"), slog.String("password", "piconfig123")))
			},
			want: map[string]any{"level": "INFO", "msg": "m", "component": "main",
				"ap": map[string]any{"ssid": "PiConfig-AB12", "password": Redacted}},
		},
		{
			name: "LogValuer resolved",
			log:  func(l *slog.Logger) { l.Info("m", "creds", creds) },
			want: map[string]any{"level": "INFO", "msg": "m", "component": "main",
				"creds": map[string]any{"ssid": "Home", "hidden": false, "password": Redacted}},
		},
		{
			name: "With attrs and component",
			log: func(l *slog.Logger) {
				l.With("component", "nm", "psk", "abcdefgh").Warn("m", "iface", "wlan0")
			},
			want: map[string]any{"level": "WARN", "msg": "m", "component": "nm", "psk": Redacted, "iface": "wlan0"},
		},
		{
			name: "component in record",
			log:  func(l *slog.Logger) { l.Error("m", "component", "portal") },
			want: map[string]any{"level": "ERROR", "msg": "m", "component": "portal"},
		},
		{
			name: "group after component",
			log: func(l *slog.Logger) {
				l.With("component", "install").WithGroup("g").Info("m", "secret", "x")
			},
			want: map[string]any{"level": "INFO", "msg": "m", "component": "install", "g": map[string]any{"secret": Redacted}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(Redact(slog.NewJSONHandler(&buf, nil)))
			tt.log(l)
			if strings.Contains(buf.String(), "hunter2") || strings.Contains(buf.String(), "piconfig123") {
				t.Fatalf("secret leaked: %s", buf.String())
			}
			got := records(t, buf.Bytes())
			if diff := cmp.Diff([]map[string]any{tt.want}, got); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{"debug", slog.LevelDebug, false},
		{"INFO", slog.LevelInfo, false},
		{"", slog.LevelInfo, false},
		{"warn", slog.LevelWarn, false},
		{"warning", slog.LevelWarn, false},
		{" error ", slog.LevelError, false},
		{"loud", slog.LevelInfo, true},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrLevel) {
			t.Errorf("ParseLevel(%q) error %v does not wrap ErrLevel", tt.in, err)
		}
	}
}

func TestStderrFormats(t *testing.T) {
	tests := []struct {
		name    string
		journal string
		level   slog.Level
		want    []string // each line, with the time removed
	}{
		{
			name:  "terminal has time",
			level: slog.LevelInfo,
			want:  []string{"level=INFO msg=up component=main", "level=WARN msg=down component=nm iface=wlan0"},
		},
		{
			name:    "journal: priority prefix, no time",
			journal: "8:123",
			level:   slog.LevelDebug,
			want: []string{"<7>level=DEBUG msg=dbg component=main", "<6>level=INFO msg=up component=main",
				"<4>level=WARN msg=down component=nm iface=wlan0", "<3>level=ERROR msg=bad component=main"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOURNAL_STREAM", tt.journal)
			var buf bytes.Buffer
			l, err := New(Options{Level: tt.level, Stderr: &buf})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			s := l.Slog()
			s.Debug("dbg")
			s.Info("up")
			s.With("component", "nm").Warn("down", "iface", "wlan0")
			if tt.journal != "" {
				s.Error("bad")
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if tt.journal == "" {
					if !strings.HasPrefix(line, "time=") {
						t.Errorf("line %q has no time", line)
					}
					_, line, _ = strings.Cut(line, " ")
				}
				got = append(got, line)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileAndReopen(t *testing.T) {
	t.Setenv("JOURNAL_STREAM", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "pi-netconfig.log")
	var stderr bytes.Buffer
	l, err := New(Options{Level: slog.LevelInfo, File: path, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	s := l.Slog().With("component", "netstate")
	s.Info("first", "state", "CHECKING", "password", "hunter2hunter2")

	// logrotate: rename, then SIGHUP → Reopen.
	rotated := path + ".1"
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	s.Info("second")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	s.Info("third")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	s.Info("after close")

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("log file mode = %v, want 0640", got)
	}
	msgs := func(p string) []string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "hunter2") {
			t.Errorf("%s: password leaked: %s", p, b)
		}
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			for _, f := range []string{"time=", "level=", "component=netstate", "msg="} {
				if !strings.Contains(line, f) {
					t.Errorf("%s: line %q lacks %s", p, line, f)
				}
			}
			_, m, _ := strings.Cut(line, "msg=")
			m, _, _ = strings.Cut(m, " ")
			out = append(out, m)
		}
		return out
	}
	if diff := cmp.Diff([]string{"first", "second"}, msgs(rotated)); diff != "" {
		t.Errorf("rotated file messages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"third"}, msgs(path)); diff != "" {
		t.Errorf("new file messages (-want +got):\n%s", diff)
	}
	if n := strings.Count(stderr.String(), "\n"); n != 4 {
		t.Errorf("stderr got %d records, want 4:\n%s", n, stderr.String())
	}
}

func TestNewFileError(t *testing.T) {
	_, err := New(Options{File: filepath.Join(t.TempDir(), "missing", "x.log"), Stderr: &bytes.Buffer{}})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("New with a file in a missing directory: %v, want ErrNotExist", err)
	}
}

// BenchmarkLog compares a record through the redacting wrapper with the
// bare text handler it wraps.
func BenchmarkLog(b *testing.B) {
	for _, bb := range []struct {
		name string
		h    slog.Handler
	}{
		{"bare", slog.NewTextHandler(io.Discard, nil)},
		{"redacted", Redact(slog.NewTextHandler(io.Discard, nil))},
	} {
		b.Run(bb.name, func(b *testing.B) {
			l := slog.New(bb.h).With("component", "netstate")
			b.ReportAllocs()
			for b.Loop() {
				l.Info("state changed", "state", "AP_MODE", "reason", "no saved network", "ssid", "PiConfig-AB12")
			}
		})
	}
}
