// Package preseed imports WiFi credentials that a person put on the boot
// partition before first boot, the way operators prepare many devices: a
// file pi-netconfig.json holding {"ssid", "password"[, "hidden", "country"]}
// in /boot/firmware/ (Raspberry Pi OS since Bookworm) or /boot/ (older).
//
// After the daemon has handed the credentials to the state machine, Scrub
// rewrites the file without the password (the boot partition is FAT and
// readable by anyone holding the SD card) and records when it was imported.
package preseed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/atomicfile"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// FileName is the preseed file's name on the boot partition.
const FileName = "pi-netconfig.json"

// Dirs are the boot partition's mount points, searched in this order.
var Dirs = []string{"boot/firmware", "boot"}

// Sentinel errors.
var (
	// ErrNone means there is no preseed file, or its credentials were
	// already imported: nothing to do.
	ErrNone = errors.New("preseed: no preseed file")
	// ErrMalformed means the file exists but cannot be used; it is left as
	// it is and the error names the path and the problem.
	ErrMalformed = errors.New("preseed: malformed file")
)

// Seed is the content of a preseed file.
type Seed struct {
	wifi.Credentials
	// Country is the WiFi country (ISO 3166 alpha-2, upper case), "" if not
	// given. The daemon applies it like config's "country".
	Country string
}

// file is the JSON layout. Password is a pointer so that an imported file
// (no password key) can be told from an open network (empty password).
type file struct {
	SSID     string  `json:"ssid"`
	Password *string `json:"password"`
	Hidden   bool    `json:"hidden"`
	Country  string  `json:"country"`
	Imported string  `json:"imported"`
}

// Find looks for the preseed file under root ("/" normally) and returns its
// path and credentials. It returns ErrNone when there is no file or it was
// already imported (it has "imported" and no "password"), and an error
// wrapping ErrMalformed, naming the path, when it cannot be used.
func Find(root string) (path string, creds wifi.Credentials, err error) {
	path, s, err := FindSeed(root)
	return path, s.Credentials, err
}

// FindSeed is Find, also returning the country the file asks for.
func FindSeed(root string) (path string, s Seed, err error) {
	for _, d := range Dirs {
		p := filepath.Join(root, d, FileName)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return p, Seed{}, fmt.Errorf("read preseed file %s: %w", p, err)
		}
		s, err := parse(b)
		if errors.Is(err, ErrNone) {
			return p, Seed{}, err
		}
		if err != nil {
			return p, Seed{}, fmt.Errorf("%w: %s: %v (the file is left as it is; fix it, or delete it and use the setup hotspot)", ErrMalformed, p, err)
		}
		return p, s, nil
	}
	return "", Seed{}, ErrNone
}

func parse(b []byte) (Seed, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // Windows editors add a BOM
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return Seed{}, fmt.Errorf("not valid JSON: %v", err)
	}
	if f.Imported != "" && f.Password == nil {
		return Seed{}, ErrNone
	}
	s := Seed{Credentials: wifi.Credentials{SSID: f.SSID, Hidden: f.Hidden}}
	if f.Password != nil {
		s.Password = *f.Password
	}
	if err := s.Credentials.Validate(); err != nil {
		return Seed{}, err
	}
	if f.Country != "" {
		c := strings.ToUpper(f.Country)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return Seed{}, fmt.Errorf(`"country" must be a two-letter code like "GB"; it is %q`, f.Country)
		}
		s.Country = c
	}
	return s, nil
}

// Scrub rewrites the preseed file at path without its password and with
// "imported" set to at (RFC 3339, UTC); other keys are kept. The rewrite is
// atomic (temporary file, fsync, rename), so a power cut leaves the old or
// the new file, never half of one.
func Scrub(path string, at time.Time) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("scrub preseed file: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &m); err != nil {
		return fmt.Errorf("%w: scrub %s: not valid JSON: %v", ErrMalformed, path, err)
	}
	delete(m, "password")
	stamp, _ := json.Marshal(at.UTC().Format(time.RFC3339))
	m["imported"] = stamp
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("scrub %s: %w", path, err)
	}
	if err := atomicfile.Write(path, append(out, '\n'), 0); err != nil {
		return fmt.Errorf("scrub %s: %w", path, err)
	}
	return nil
}

// Import is the daemon's start-up step: find the preseed file under root,
// hand its credentials to configure (the state machine's Configure) and
// scrub the password from the file whatever configure returned, since a
// plain-text password must not stay on the boot partition; a failed attempt
// is reported by the portal like any other. It logs what it did, never the
// password. No file is not an error (nil). It returns the file's country
// ("" if none) for the caller to apply.
func Import(ctx context.Context, root string, now func() time.Time, log *slog.Logger,
	configure func(context.Context, wifi.Credentials) error) (country string, err error) {
	log = log.With("component", "preseed")
	path, s, err := FindSeed(root)
	if errors.Is(err, ErrNone) {
		return "", nil
	}
	if err != nil {
		log.Error("preseed file not imported", "path", path, "err", err)
		return "", err
	}
	log.Info("importing WiFi credentials from the boot partition", "path", path, "ssid", s.SSID, "hidden", s.Hidden, "country", s.Country)
	cerr := configure(ctx, s.Credentials)
	if cerr != nil {
		log.Warn("preseeded network did not connect; use the setup hotspot to fix it", "ssid", s.SSID, "err", cerr)
	}
	if err := Scrub(path, now()); err != nil {
		log.Error("could not remove the password from the preseed file; delete the file by hand", "path", path, "err", err)
		return s.Country, errors.Join(cerr, err)
	}
	log.Info("removed the password from the preseed file", "path", path)
	return s.Country, cerr
}
