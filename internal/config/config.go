// Package config reads and writes /etc/pi-netconfig/config.json: the
// original tool's fields (configured_ssid, last_connected, ap_password) and
// the daemon's settings. Writes are atomic; a broken file is reported and
// kept, and the daemon runs on defaults rather than leaving a device offline.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/atomicfile"
)

// Default locations.
const (
	DefaultDir  = "/etc/pi-netconfig"
	DefaultPath = DefaultDir + "/config.json"
)

// RandomPassword is the ap_password value that asks for a per-device
// hotspot password, generated once and kept in generated_ap_password.
const RandomPassword = "random"

// Config is the whole file. Durations are whole seconds in JSON.
type Config struct {
	// The original tool's fields (FR-034, FR-060–062).
	ConfiguredSSID string `json:"configured_ssid"`
	LastConnected  string `json:"last_connected"` // ISO 8601 (RFC 3339), "" if never
	APPassword     string `json:"ap_password"`    // WPA2 passphrase, or "random"

	// GeneratedAPPassword is the per-device password when ap_password is
	// "random"; written by the daemon, not by people.
	GeneratedAPPassword string `json:"generated_ap_password,omitempty"`

	Interface        string   `json:"interface"`         // "" picks the first WiFi device
	CheckInterval    Seconds  `json:"check_interval"`    // periodic check, FR-010
	FailureThreshold int      `json:"failure_threshold"` // failed checks before the hotspot, FR-013
	Connectivity     string   `json:"connectivity"`      // "link" or "internet"
	ProbeHosts       []string `json:"probe_hosts"`       // host:port, FR-012
	ProbeTimeout     Seconds  `json:"probe_timeout"`     // per host
	ConnectTimeout   Seconds  `json:"connect_timeout"`   // one connection attempt
	APRetryInterval  Seconds  `json:"ap_retry_interval"` // in AP mode, how often to try the saved network
	PortalIdle       Seconds  `json:"portal_idle"`       // portal idle this long before such a try
	APSSIDPrefix     string   `json:"ap_ssid_prefix"`    // + last 4 hex digits of the MAC
	APAddress        string   `json:"ap_address"`        // CIDR, FR-043
	Country          string   `json:"country"`           // ISO 3166 alpha-2 WiFi country, "" leaves it alone
	PortalPort       int      `json:"portal_port"`       // FR-050
	HTTPPort         int      `json:"http_port"`         // for captive-portal checks; 0 disables
	LogFile          string   `json:"log_file"`          // "" logs to stderr (the journal) only
	LogLevel         string   `json:"log_level"`         // debug, info, warn, error
}

// Seconds is a duration written as a whole number of seconds.
type Seconds int

// Duration converts to time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Default returns the settings used when the file or a key is missing.
func Default() Config {
	return Config{
		APPassword:       "piconfig123",
		CheckInterval:    30,
		FailureThreshold: 3,
		Connectivity:     "link",
		ProbeHosts:       []string{"8.8.8.8:53", "1.1.1.1:53"},
		ProbeTimeout:     1,
		ConnectTimeout:   30,
		APRetryInterval:  60,
		PortalIdle:       120,
		APSSIDPrefix:     "PiConfig-",
		APAddress:        "192.168.50.1/24",
		PortalPort:       8080,
		HTTPPort:         80,
		LogLevel:         "info",
	}
}

// ErrBroken is wrapped by Load when the file exists but cannot be used.
var ErrBroken = errors.New("config: broken file")

// Load reads the file at path over the defaults. A missing file is not an
// error. A file that cannot be parsed or holds invalid values returns the
// defaults and an error wrapping ErrBroken that names the path and the
// problem; the file is left untouched.
func Load(path string) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read %s: %w", path, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Default(), fmt.Errorf("%w: %s: %v (the file is kept as it is; fix or delete it)", ErrBroken, path, err)
	}
	if err := c.Validate(); err != nil {
		return Default(), fmt.Errorf("%w: %s: %v (the file is kept as it is; fix or delete it)", ErrBroken, path, err)
	}
	return c, nil
}

// Validate checks the settings a person may have edited.
func (c *Config) Validate() error {
	var errs []string
	if c.CheckInterval < 1 {
		errs = append(errs, "check_interval must be at least 1 second")
	}
	if c.FailureThreshold < 1 {
		errs = append(errs, "failure_threshold must be at least 1")
	}
	if c.Connectivity != "link" && c.Connectivity != "internet" {
		errs = append(errs, `connectivity must be "link" or "internet"`)
	}
	if c.Connectivity == "internet" && len(c.ProbeHosts) == 0 {
		errs = append(errs, `connectivity "internet" needs at least one probe_hosts entry`)
	}
	for _, h := range c.ProbeHosts {
		if _, _, err := splitHostPort(h); err != nil {
			errs = append(errs, fmt.Sprintf("probe_hosts entry %q must be host:port", h))
		}
	}
	if c.ProbeTimeout < 1 {
		errs = append(errs, "probe_timeout must be at least 1 second")
	}
	if c.ConnectTimeout < 5 || c.ConnectTimeout > 45 {
		// The service watchdog (60 s) must be petted between operations.
		errs = append(errs, "connect_timeout must be 5 to 45 seconds")
	}
	if c.APRetryInterval < 0 {
		errs = append(errs, "ap_retry_interval must be 0 (never) or more seconds")
	}
	if c.PortalIdle < 0 {
		errs = append(errs, "portal_idle must not be negative")
	}
	if p := c.APPassword; p != RandomPassword && (len(p) < 8 || len(p) > 63 || !printableASCII(p)) {
		errs = append(errs, `ap_password must be 8 to 63 printable ASCII characters, or "random"`)
	}
	if len(c.APSSIDPrefix) > 27 {
		errs = append(errs, "ap_ssid_prefix must be at most 27 bytes (the SSID adds 4 hex digits, 32 in all)")
	}
	if pfx, err := netip.ParsePrefix(c.APAddress); err != nil || !pfx.Addr().Is4() || pfx.Bits() < 16 || pfx.Bits() > 30 {
		errs = append(errs, "ap_address must be an IPv4 address with a prefix length from 16 to 30, like 192.168.50.1/24")
	}
	if c.Country != "" && (len(c.Country) != 2 || strings.ToUpper(c.Country) != c.Country || !isAlpha(c.Country)) {
		errs = append(errs, `country must be a two-letter upper-case ISO 3166 code, like "GB" or "US"`)
	}
	if c.PortalPort < 1 || c.PortalPort > 65535 {
		errs = append(errs, "portal_port must be 1 to 65535")
	}
	if c.HTTPPort < 0 || c.HTTPPort > 65535 || (c.HTTPPort != 0 && c.HTTPPort == c.PortalPort) {
		errs = append(errs, "http_port must be 0 (off) or a port other than portal_port")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, "log_level must be debug, info, warn or error")
	}
	if c.LastConnected != "" {
		if _, err := time.Parse(time.RFC3339, c.LastConnected); err != nil {
			errs = append(errs, "last_connected must be an ISO 8601 time like 2026-01-02T15:04:05Z")
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// APPrefix returns the hotspot address as a prefix; valid after Validate.
func (c *Config) APPrefix() netip.Prefix {
	p, _ := netip.ParsePrefix(c.APAddress)
	return p
}

// Save writes c to path atomically: a temporary file in the same directory,
// fsync, rename, fsync of the directory; mode 0600 in a 0700 directory.
func Save(path string, c Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	return WriteFileAtomic(path, append(b, '\n'), 0o600)
}

// WriteFileAtomic replaces path with data (see package atomicfile),
// creating its directory 0700 first.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return atomicfile.Write(path, data, mode)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func splitHostPort(h string) (string, string, error) {
	i := strings.LastIndexByte(h, ':')
	if i <= 0 || i == len(h)-1 {
		return "", "", errors.New("missing port")
	}
	return h[:i], h[i+1:], nil
}
