package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	service     = "pi-netconfig.service"
	controlSock = "/run/pi-netconfig/control.sock"
	configPath  = "/etc/pi-netconfig/config.json"
	logPath     = "/var/log/pi-netconfig.log"
	share       = "/mnt/e2e"
)

// e2eConfig holds only keys that exist in internal/config: fast checks, a
// probe that targets the router namespaces' web servers, never the Internet.
const e2eConfig = `{
  "check_interval": 5,
  "failure_threshold": 3,
  "ap_retry_interval": 30,
  "portal_idle": 15,
  "connect_timeout": 30,
  "connectivity": "internet",
  "probe_hosts": ["` + probeHost + `"],
  "log_file": "` + logPath + `",
  "log_level": "debug"
}
`

// faultDropIn turns on the test-only fault switch (POST /api/debug/wedge).
const faultDropIn = "[Service]\nEnvironment=PI_NETCONFIG_FAULTS=1\n"

// status is the part of the daemon's /api/status the scenarios read.
type status struct {
	State           string   `json:"state"`
	SSID            string   `json:"ssid"`
	APActive        bool     `json:"ap_active"`
	Reason          string   `json:"reason"`
	Link            bool     `json:"link"`
	Internet        bool     `json:"internet"`
	HotspotSSID     string   `json:"hotspot_ssid"`
	HotspotPassword string   `json:"hotspot_password"`
	Stations        int      `json:"stations"`
	SavedSSID       string   `json:"saved_ssid"`
	Busy            string   `json:"busy"`
	Attempt         *attempt `json:"last_attempt"`
}

type attempt struct {
	SSID    string `json:"ssid"`
	Running bool   `json:"running"`
	Success bool   `json:"success"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
}

func (s status) String() string {
	a := "none"
	if s.Attempt != nil {
		a = fmt.Sprintf("{ssid=%q running=%v success=%v reason=%q}", s.Attempt.SSID, s.Attempt.Running, s.Attempt.Success, s.Attempt.Reason)
	}
	return fmt.Sprintf("state=%s ssid=%q ap_active=%v link=%v internet=%v stations=%d busy=%q attempt=%s", s.State, s.SSID, s.APActive, s.Link, s.Internet, s.Stations, s.Busy, a)
}

var control = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", controlSock)
		},
	},
}

// controlDo calls the daemon's API on its root-only control socket.
func controlDo(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := control.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s on the control socket: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

func getStatus(ctx context.Context) (status, error) {
	var s status
	code, b, err := controlDo(ctx, "GET", "/api/status", nil)
	if err != nil {
		return s, err
	}
	if code != 200 {
		return s, fmt.Errorf("GET /api/status: HTTP %d: %s", code, b)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("GET /api/status: %w", err)
	}
	return s, nil
}

type configureReq struct {
	SSID     string `json:"ssid"`
	Password string `json:"password"`
	Hidden   bool   `json:"hidden,omitempty"`
}

// configure asks the daemon (control socket) to join a network.
func configure(ctx context.Context, req configureReq) error {
	code, b, err := controlDo(ctx, "POST", "/api/configure", req)
	if err != nil {
		return err
	}
	var r struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	json.Unmarshal(b, &r)
	if code != 200 || !r.Success {
		return fmt.Errorf("configure %q: HTTP %d: %s", req.SSID, code, redact(string(b)))
	}
	return nil
}

// waitState polls the control socket until the daemon is in state (and on
// ssid, when not empty) and returns how long it took.
func waitState(ctx context.Context, timeout time.Duration, state, ssid string) (time.Duration, status, error) {
	var last status
	d, err := poll(ctx, timeout, 250*time.Millisecond, fmt.Sprintf("state %s %s", state, ssid), func(ctx context.Context) (bool, error) {
		s, err := getStatus(ctx)
		if err != nil {
			return false, err
		}
		last = s
		if s.State != state || (ssid != "" && s.SSID != ssid) {
			return false, fmt.Errorf("%s", s)
		}
		return true, nil
	})
	return d, last, err
}

// waitClient waits for CLIENT on ssid with the router reachable.
func waitClient(ctx context.Context, timeout time.Duration, ssid string) (time.Duration, error) {
	start := time.Now()
	_, err := poll(ctx, timeout, 250*time.Millisecond, "CLIENT on "+ssid+" with the router reachable", func(ctx context.Context) (bool, error) {
		s, err := getStatus(ctx)
		if err != nil {
			return false, err
		}
		if s.State != "CLIENT" || s.SSID != ssid {
			return false, fmt.Errorf("%s", s)
		}
		if got := dutLinkSSID(ctx); got != ssid {
			return false, fmt.Errorf("wlan0 associated with %q", got)
		}
		r, err := reachRouter(ctx)
		if err != nil {
			return false, err
		}
		if r != ssid {
			return false, fmt.Errorf("router page names %q", r)
		}
		return true, nil
	})
	return time.Since(start), err
}

// ensureClient puts the device on ssid if it is not there already, so a
// scenario's precondition does not depend on an earlier one passing.
func ensureClient(ctx context.Context, ssid, password string) error {
	if s, err := getStatus(ctx); err == nil && s.State == "CLIENT" && s.SSID == ssid {
		return nil
	}
	if _, err := poll(ctx, 60*time.Second, 500*time.Millisecond, "the control socket", func(ctx context.Context) (bool, error) {
		_, err := getStatus(ctx)
		return err == nil, err
	}); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	logf("precondition: configuring %s", ssid)
	if err := configure(ctx, configureReq{SSID: ssid, Password: password}); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	_, err := waitClient(ctx, 150*time.Second, ssid)
	return err
}

// readConfig parses config.json as JSON (any keys) and returns it.
func readConfig() (map[string]any, error) {
	b, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %w", configPath, err)
	}
	return m, nil
}

// prepareDaemon writes the e2e settings and the fault switch drop-in before
// the package is installed, the way an operator would.
func prepareDaemon() error {
	if err := os.MkdirAll(filepath.Dir(configPath), 0o700); err != nil {
		return err
	}
	if err := writeFile(configPath, e2eConfig, 0o600); err != nil {
		return err
	}
	d := "/etc/systemd/system/" + service + ".d"
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	return writeFile(filepath.Join(d, "e2e-faults.conf"), faultDropIn, 0o644)
}

// debPath is the package on the share, "" if the build gave only a binary.
func debPath() string {
	m, _ := filepath.Glob(filepath.Join(share, "pkg", "pi-netconfig_*_amd64.deb"))
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// install installs the daemon from the .deb (or, before the package
// exists, with the binary's own install command) and writes the
// transcript to out/NAME.
func install(ctx context.Context, transcript string) error {
	var out string
	var err error
	if deb := debPath(); deb != "" {
		out, err = run(ctx, 3*time.Minute, "dpkg", "-i", deb)
	} else {
		out, err = run(ctx, 3*time.Minute, filepath.Join(share, "pkg", "pi-netconfig"), "install")
	}
	os.WriteFile(filepath.Join(share, transcript), []byte(redact(out)), 0o644)
	return err
}

// nmActive lists NetworkManager's active connections as NAME:DEVICE lines.
func nmActive(ctx context.Context) string {
	out, _ := run(ctx, 10*time.Second, "nmcli", "-t", "-f", "NAME,DEVICE", "connection", "show", "--active")
	return strings.TrimSpace(out)
}

// nmLogSince returns NetworkManager's journal since a wall-clock time.
func nmLogSince(ctx context.Context, since time.Time) string {
	out, _ := run(ctx, 30*time.Second, "journalctl", "--no-pager", "-b", "-o", "cat", "-u", "NetworkManager", "--since", fmt.Sprintf("@%d", since.Unix()))
	return out
}

// apActivated tells whether NetworkManager started the hotspot profile
// since a time (the journal is the witness of an AP that came and went
// between two polls).
func apActivated(ctx context.Context, since time.Time) bool {
	return strings.Contains(nmLogSince(ctx, since), "starting connection 'pi-netconfig-ap'")
}

// profilesWith returns NetworkManager keyfiles that contain s.
func profilesWith(s string) []string {
	var hits []string
	for _, dir := range []string{"/etc/NetworkManager/system-connections", "/run/NetworkManager/system-connections"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range m {
			b, err := os.ReadFile(f)
			if err == nil && bytes.Contains(b, []byte(s)) {
				hits = append(hits, f)
			}
		}
	}
	return hits
}
