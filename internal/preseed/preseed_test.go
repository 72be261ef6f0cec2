package preseed

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// bootWith makes a root with the fixture copied to dir/pi-netconfig.json.
func bootWith(t *testing.T, dir, fixture string) (root, path string) {
	t.Helper()
	root = t.TempDir()
	if fixture == "" {
		return root, ""
	}
	b, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(root, dir, FileName)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return root, path
}

func TestFindSeed(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		fixture string
		want    Seed
		wantErr error
	}{
		{name: "no file", wantErr: ErrNone},
		{name: "wpa in /boot/firmware", dir: "boot/firmware", fixture: "wpa.json",
			want: Seed{Credentials: wifi.Credentials{SSID: "Home WiFi", Password: "correct horse battery"}}},
		{name: "wpa in /boot", dir: "boot", fixture: "wpa.json",
			want: Seed{Credentials: wifi.Credentials{SSID: "Home WiFi", Password: "correct horse battery"}}},
		{name: "open network", dir: "boot/firmware", fixture: "open.json",
			want: Seed{Credentials: wifi.Credentials{SSID: "Cafe"}}},
		{name: "hidden, country, shell characters, CRLF", dir: "boot/firmware", fixture: "hidden-country.json",
			want: Seed{Credentials: wifi.Credentials{SSID: `Lab "5G"`, Password: "p@ss w0rd;$(rm -rf)", Hidden: true}, Country: "GB"}},
		{name: "byte order mark", dir: "boot", fixture: "bom.json",
			want: Seed{Credentials: wifi.Credentials{SSID: "Notepad", Password: "12345678"}}},
		{name: "already imported", dir: "boot/firmware", fixture: "imported.json", wantErr: ErrNone},
		{name: "truncated JSON", dir: "boot/firmware", fixture: "truncated.json", wantErr: ErrMalformed},
		{name: "short password", dir: "boot/firmware", fixture: "short-password.json", wantErr: ErrMalformed},
		{name: "no ssid", dir: "boot", fixture: "no-ssid.json", wantErr: ErrMalformed},
		{name: "bad country", dir: "boot", fixture: "bad-country.json", wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, wantPath := bootWith(t, tt.dir, tt.fixture)
			var before []byte
			if wantPath != "" {
				before, _ = os.ReadFile(wantPath)
			}
			path, got, err := FindSeed(root)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("FindSeed error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if errors.Is(err, ErrMalformed) {
					if !strings.Contains(err.Error(), wantPath) {
						t.Errorf("error %q does not name the file %s", err, wantPath)
					}
					if strings.Contains(err.Error(), "12345678") || strings.Contains(err.Error(), "short\"") {
						t.Errorf("error %q shows the password", err)
					}
				}
				if after, _ := os.ReadFile(wantPath); wantPath != "" && !bytes.Equal(before, after) {
					t.Errorf("file was changed")
				}
				return
			}
			if path != wantPath {
				t.Errorf("path = %q, want %q", path, wantPath)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("seed (-want +got):\n%s", diff)
			}
			// Find is FindSeed without the country.
			_, creds, _ := Find(root)
			if diff := cmp.Diff(tt.want.Credentials, creds); diff != "" {
				t.Errorf("Find creds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFirmwareDirWins(t *testing.T) {
	root, _ := bootWith(t, "boot", "open.json")
	b, _ := os.ReadFile(filepath.Join("testdata", "wpa.json"))
	os.MkdirAll(filepath.Join(root, "boot/firmware"), 0o755)
	os.WriteFile(filepath.Join(root, "boot/firmware", FileName), b, 0o644)
	_, creds, err := Find(root)
	if err != nil || creds.SSID != "Home WiFi" {
		t.Errorf("Find = %v, %v; want the /boot/firmware file", creds, err)
	}
}

func TestScrubGolden(t *testing.T) {
	at := time.Date(2026, 12, 4, 16, 30, 0, 0, time.FixedZone("CET", 3600))
	for _, fixture := range []string{"wpa.json", "open.json", "hidden-country.json", "bom.json"} {
		t.Run(fixture, func(t *testing.T) {
			root, path := bootWith(t, "boot/firmware", fixture)
			if err := Scrub(path, at); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "scrubbed", fixture)
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("scrubbed file (-want +got):\n%s", diff)
			}
			// Nothing left behind, and the file now counts as imported.
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries after scrub, want 1", len(entries))
			}
			if _, _, err := Find(root); !errors.Is(err, ErrNone) {
				t.Errorf("Find after Scrub = %v, want ErrNone", err)
			}
		})
	}
}

func TestScrubMalformedLeftAlone(t *testing.T) {
	_, path := bootWith(t, "boot", "truncated.json")
	before, _ := os.ReadFile(path)
	if err := Scrub(path, time.Now()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Scrub = %v, want ErrMalformed", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("malformed file was changed")
	}
}

func TestImport(t *testing.T) {
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		fixture     string
		configErr   error
		wantCreds   []wifi.Credentials
		wantCountry string
		wantErr     error
		wantScrub   bool
	}{
		{name: "no file"},
		{name: "imported and scrubbed", fixture: "hidden-country.json",
			wantCreds:   []wifi.Credentials{{SSID: `Lab "5G"`, Password: "p@ss w0rd;$(rm -rf)", Hidden: true}},
			wantCountry: "GB", wantScrub: true},
		{name: "scrubbed even when the attempt fails", fixture: "wpa.json",
			configErr: &wifi.ConnectError{Reason: wifi.ReasonWrongPassword},
			wantCreds: []wifi.Credentials{{SSID: "Home WiFi", Password: "correct horse battery"}},
			wantErr:   &wifi.ConnectError{}, wantScrub: true},
		{name: "malformed is reported and kept", fixture: "truncated.json", wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, path := bootWith(t, "boot/firmware", tt.fixture)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			var got []wifi.Credentials
			country, err := Import(context.Background(), root, func() time.Time { return at }, log,
				func(_ context.Context, c wifi.Credentials) error {
					got = append(got, c)
					return tt.configErr
				})
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Import = %v, want nil", err)
				}
			case *wifi.ConnectError:
				var ce *wifi.ConnectError
				if !errors.As(err, &ce) {
					t.Fatalf("Import = %v, want a *wifi.ConnectError", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("Import = %v, want %v", err, want)
				}
			}
			if diff := cmp.Diff(tt.wantCreds, got); diff != "" {
				t.Errorf("configured (-want +got):\n%s", diff)
			}
			if country != tt.wantCountry {
				t.Errorf("country = %q, want %q", country, tt.wantCountry)
			}
			if path != "" {
				b, _ := os.ReadFile(path)
				if scrubbed := bytes.Contains(b, []byte(`"imported"`)); scrubbed != tt.wantScrub {
					t.Errorf("scrubbed = %t, want %t:\n%s", scrubbed, tt.wantScrub, b)
				}
			}
			for _, secret := range []string{"correct horse", "p@ss w0rd"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("log shows the password:\n%s", logs.String())
				}
			}
		})
	}
}
