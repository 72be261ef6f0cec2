package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// scenario is one pass/fail line of the report. They run in this order,
// so that two boots hold them all: the first boot goes from a fresh install
// through the hotspot, the portal and the client scenarios; the second is
// the reboot of scenario 9, then removal, purge and the preseed file.
type scenario struct {
	id, name string
	boot     int
	limit    time.Duration
	fn       func(context.Context, *result) error
}

func (s scenario) timeout() time.Duration {
	if s.limit > 0 {
		return s.limit
	}
	return 4 * time.Minute
}

var scenarios = []scenario{
	{id: "0", name: "harness: a phone joins each router (WPA2, SAE, hidden), gets a lease, reaches its web server", boot: 1, fn: sc0},
	{id: "install", name: "dpkg -i the .deb: service enabled and running", boot: 1, fn: scInstall},
	{id: "1", name: "first boot, nothing saved: hotspot PiConfig-XXXX up (WPA2, 192.168.50.1/24)", boot: 1, fn: sc1},
	{id: "2", name: "phone joins: DHCP, captive DNS, probe redirects, portal and scan", boot: 1, fn: sc2},
	{id: "8a", name: "systemctl stop in AP_MODE takes the hotspot down, exits cleanly", boot: 1, fn: sc8a},
	{id: "7b", name: "NetworkManager restart in AP_MODE: back to AP_MODE", boot: 1, fn: sc7b},
	{id: "3", name: "wrong password: hotspot back, reason wrong_password", boot: 1, fn: sc3},
	{id: "4", name: "right password: CLIENT on HomeNet, saved, no password in logs", boot: 1, fn: sc4},
	{id: "7a", name: "NetworkManager restart in CLIENT: back to CLIENT", boot: 1, fn: sc7a},
	{id: "9a", name: "service restart: back on HomeNet without the hotspot", boot: 1, fn: sc9a},
	{id: "6", name: "WPA3-SAE and hidden networks configured through the API connect", boot: 1, limit: 6 * time.Minute, fn: sc6},
	{id: "8b", name: "kill -9 during a configure attempt: restarted, correct state, config intact", boot: 1, fn: sc8b},
	{id: "3b", name: "wrong password while HomeNet is saved: HomeNet stays saved, device back on it", boot: 1, fn: sc3b},
	{id: "3c", name: "wrong WPA3-SAE password reported as wrong_password (from 3b)", boot: 1, fn: sc3c},
	{id: "watchdog", name: "wedged daemon: systemd watchdog restarts it", boot: 1, fn: scWatchdog},
	{id: "5", name: "router power cut: hotspot after threshold, CLIENT again by itself", boot: 1, limit: 6 * time.Minute, fn: sc5},
	{id: "resources", name: "daemon resident memory ≤ 15 MB, CPU while idle in CLIENT", boot: 1, fn: scResources},
	{id: "secrets1", name: "no password in the journal or the log file (boot 1)", boot: 1, fn: scSecrets},
	{id: "9b", name: "VM reboot: back on HomeNet without the hotspot", boot: 2, fn: sc9b},
	{id: "remove", name: "apt-get remove stops the service, keeps /etc/pi-netconfig", boot: 2, fn: scRemove},
	{id: "purge", name: "apt-get purge removes /etc/pi-netconfig", boot: 2, fn: scPurge},
	{id: "preseed", name: "preseed file on /boot/firmware imported and scrubbed", boot: 2, fn: scPreseed},
	{id: "secrets2", name: "no password in the journal or the log file (boot 2)", boot: 2, fn: scSecrets},
}

func serviceActive(ctx context.Context) bool {
	return unitProp(ctx, service, "ActiveState") == "active"
}

func scInstall(ctx context.Context, r *result) error {
	if _, err := poll(ctx, 60*time.Second, 500*time.Millisecond, "NetworkManager running", func(ctx context.Context) (bool, error) {
		return unitProp(ctx, "NetworkManager.service", "ActiveState") == "active", nil
	}); err != nil {
		return err
	}
	if err := prepareDaemon(); err != nil {
		return err
	}
	if debPath() == "" {
		r.note("no .deb on the share: installed with the binary's install command")
	}
	start := time.Now()
	if err := install(ctx, "install.log"); err != nil {
		return fmt.Errorf("install (see out/install.log): %w", err)
	}
	r.time("install_s", time.Since(start), 0)
	if en := unitProp(ctx, service, "UnitFileState"); en != "enabled" {
		return fmt.Errorf("%s is %q, want enabled", service, en)
	}
	if _, err := poll(ctx, 30*time.Second, 250*time.Millisecond, "service active", func(ctx context.Context) (bool, error) {
		return serviceActive(ctx), nil
	}); err != nil {
		return fmt.Errorf("%w: %s", err, unitProp(ctx, service, "ActiveState"))
	}
	return nil
}

// hotspotAfterStart waits for the hotspot and returns the time from the
// service's start (systemd's own timestamp) to the hotspot being up.
func hotspotAfterStart(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	if _, err := poll(ctx, timeout, 100*time.Millisecond, "hotspot up", hotspotUp); err != nil {
		return 0, err
	}
	up := monoNow()
	started, err := unitMono(ctx, service, "ExecMainStartTimestampMonotonic")
	if err != nil {
		return 0, err
	}
	return up - started, nil
}

func expectedSSIDs() []string {
	return []string{"PiConfig-BEEF", "PiConfig-0000"} // current MAC, or the radio's permanent one
}

func sc1(ctx context.Context, r *result) error {
	d, err := hotspotAfterStart(ctx, 60*time.Second)
	if err != nil {
		return err
	}
	r.time("hotspot_up_s", d, 5)
	rs, _ := dutRadio(ctx)
	ok := false
	for _, want := range expectedSSIDs() {
		ok = ok || rs.SSID == want
	}
	if !ok {
		return fmt.Errorf("hotspot SSID %q, want one of %v (last 4 hex digits of wlan0's MAC, upper case)", rs.SSID, expectedSSIDs())
	}
	r.note("hotspot SSID %s", rs.SSID)
	_, s, err := waitState(ctx, 30*time.Second, "AP_MODE", "")
	if err != nil {
		return err
	}
	if !s.APActive || s.HotspotSSID != rs.SSID {
		return fmt.Errorf("status %s: ap_active=%v hotspot_ssid=%q, radio ssid %q", s, s.APActive, s.HotspotSSID, rs.SSID)
	}
	if !strings.Contains(nmActive(ctx), "pi-netconfig-ap:wlan0") {
		r.note("NetworkManager's active connections: %q (profile pi-netconfig-ap expected)", nmActive(ctx))
	}
	return nil
}

func hotspotSSID(ctx context.Context) string {
	rs, _ := dutRadio(ctx)
	return rs.SSID
}

func sc2(ctx context.Context, r *result) error {
	ssid := hotspotSSID(ctx)
	if ssid == "" {
		return errors.New("no hotspot")
	}
	if err := phoneStart(ctx, ssid, apPassword, "WPA-PSK"); err != nil {
		return err
	}
	lease, err := phoneJoin(ctx, r)
	if err != nil {
		return err
	}
	m, _ := phoneWPA(ctx)
	if m["key_mgmt"] != "WPA2-PSK" || m["pairwise_cipher"] != "CCMP" {
		return fmt.Errorf("phone joined with key_mgmt=%s pairwise=%s, want WPA2-PSK/CCMP", m["key_mgmt"], m["pairwise_cipher"])
	}
	if !strings.HasPrefix(lease["ip"], "192.168.50.") {
		return fmt.Errorf("phone lease %q, want 192.168.50.0/24", lease["ip"])
	}
	r.note("phone lease %s from %s", lease["ip"], lease["server"])
	var errs []error
	for _, name := range []string{"connectivitycheck.gstatic.com", "captive.apple.com", "example.org"} {
		out, err := inNS(ctx, 15*time.Second, phoneNS, "busybox", "nslookup", "-type=a", name, hotspotIP)
		if err != nil {
			errs = append(errs, fmt.Errorf("DNS %s: %w", name, err))
			continue
		}
		_, after, _ := strings.Cut(out, "Name:")
		if !strings.Contains(after, "Address: "+hotspotIP) {
			errs = append(errs, fmt.Errorf("DNS %s answered %q, want %s", name, lastLines(out, 3), hotspotIP))
		}
	}
	probes := []struct{ host, path string }{
		{"connectivitycheck.gstatic.com", "/generate_204"},
		{"captive.apple.com", "/hotspot-detect.html"},
	}
	for _, p := range probes {
		code, loc, _, err := phoneHTTP(ctx, "GET", "http://"+hotspotIP+p.path, p.host, "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if code != "302" || !strings.HasPrefix(loc, "http://"+hotspotIP+"/") {
			errs = append(errs, fmt.Errorf("probe %s%s: HTTP %s to %q, want 302 to http://%s/", p.host, p.path, code, loc, hotspotIP))
		}
	}
	for _, base := range []string{"http://" + hotspotIP, "http://" + hotspotIP + ":8080"} {
		start := time.Now()
		code, _, body, err := phoneHTTP(ctx, "GET", base+"/", "", "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.time("portal_page_s "+base, time.Since(start), 0)
		if code != "200" || !strings.Contains(strings.ToLower(body), "<html") {
			errs = append(errs, fmt.Errorf("portal %s/: HTTP %s, %d bytes", base, code, len(body)))
		}
		code, _, body, err = phoneHTTP(ctx, "GET", base+"/api/scan", "", "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var scan struct {
			Networks []struct {
				SSID     string `json:"ssid"`
				Security string `json:"security"`
				Signal   int    `json:"signal"`
			} `json:"networks"`
			Cached bool `json:"cached"`
		}
		if code != "200" || json.Unmarshal([]byte(body), &scan) != nil {
			errs = append(errs, fmt.Errorf("%s/api/scan: HTTP %s: %.200s", base, code, body))
			continue
		}
		var seen []string
		home := false
		for _, n := range scan.Networks {
			seen = append(seen, fmt.Sprintf("%s(%s,%d)", n.SSID, n.Security, n.Signal))
			home = home || n.SSID == "HomeNet"
			if n.SSID == "HiddenNet" {
				errs = append(errs, fmt.Errorf("%s/api/scan lists the hidden network", base))
			}
		}
		if base == "http://"+hotspotIP {
			r.note("scan (cached=%v): %s", scan.Cached, strings.Join(seen, " "))
		}
		if !home {
			errs = append(errs, fmt.Errorf("%s/api/scan does not list HomeNet: %v", base, seen))
		}
	}
	// The portal must never show the hotspot's password to the phone.
	if _, _, body, err := phoneHTTP(ctx, "GET", "http://"+hotspotIP+":8080/api/status", "", ""); err == nil && strings.Contains(body, apPassword) {
		errs = append(errs, errors.New("the portal's /api/status shows the hotspot password"))
	}
	return errors.Join(errs...)
}

func sc8a(ctx context.Context, r *result) error {
	if _, _, err := waitState(ctx, 30*time.Second, "AP_MODE", ""); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	start := time.Now()
	if _, err := run(ctx, 60*time.Second, "systemctl", "stop", service); err != nil {
		return err
	}
	r.time("stop_s", time.Since(start), 0)
	var errs []error
	if res := unitProp(ctx, service, "Result"); res != "success" {
		errs = append(errs, fmt.Errorf("service Result=%s (exit %s/%s), want success", res, unitProp(ctx, service, "ExecMainCode"), unitProp(ctx, service, "ExecMainStatus")))
	}
	if _, err := poll(ctx, 10*time.Second, 200*time.Millisecond, "hotspot down after stop", hotspotDown); err != nil {
		errs = append(errs, err)
	}
	if a := nmActive(ctx); strings.Contains(a, "pi-netconfig-ap") {
		errs = append(errs, fmt.Errorf("NetworkManager still has the hotspot active: %q", a))
	}
	// Start again: the same first-boot measure, a second time.
	if err := must(ctx, "systemctl", "start", service); err != nil {
		return errors.Join(append(errs, err)...)
	}
	d, err := hotspotAfterStart(ctx, 60*time.Second)
	if err != nil {
		errs = append(errs, err)
	} else {
		r.time("hotspot_up_after_start_s", d, 5)
	}
	return errors.Join(errs...)
}

// stableFor waits until cond has held for window without a break.
func stableFor(ctx context.Context, timeout, window time.Duration, what string, cond func(context.Context) (bool, error)) (time.Duration, error) {
	var since time.Time
	return poll(ctx, timeout, 500*time.Millisecond, what+" for "+window.String(), func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		if !ok {
			since = time.Time{}
			return false, err
		}
		if since.IsZero() {
			since = time.Now()
		}
		return time.Since(since) >= window, nil
	})
}

func apModeOK(ctx context.Context) (bool, error) {
	s, err := getStatus(ctx)
	if err != nil {
		return false, err
	}
	if s.State != "AP_MODE" || !s.APActive {
		return false, fmt.Errorf("%s", s)
	}
	if ok, err := hotspotUp(ctx); !ok {
		return false, err
	}
	if _, err := run(ctx, 5*time.Second, "curl", "-sS", "-m", "3", "-o", "/dev/null", "http://"+hotspotIP+":8080/api/status"); err != nil {
		return false, err
	}
	return true, nil
}

func restartNM(ctx context.Context) error {
	if err := must(ctx, "systemctl", "restart", "NetworkManager"); err != nil {
		return err
	}
	_, err := poll(ctx, 60*time.Second, 500*time.Millisecond, "NetworkManager active", func(ctx context.Context) (bool, error) {
		return unitProp(ctx, "NetworkManager.service", "ActiveState") == "active", nil
	})
	return err
}

func sc7b(ctx context.Context, r *result) error {
	if _, err := poll(ctx, 30*time.Second, 250*time.Millisecond, "AP_MODE", apModeOK); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	start := time.Now()
	if err := restartNM(ctx); err != nil {
		return err
	}
	if _, err := stableFor(ctx, 120*time.Second, 10*time.Second, "AP_MODE with hotspot and portal", apModeOK); err != nil {
		return err
	}
	r.time("recovered_s (incl. 10 s stable)", time.Since(start), 0)
	if !serviceActive(ctx) {
		return errors.New("pi-netconfig is not active after NetworkManager's restart")
	}
	return nil
}

// phoneConfigure submits a network from the phone through the portal.
func phoneConfigure(ctx context.Context, req configureReq) error {
	b, _ := json.Marshal(req)
	f := filepath.Join(runDir, "phone-request.json")
	if err := writeFile(f, string(b), 0o600); err != nil {
		return err
	}
	defer os.Remove(f)
	code, _, body, err := phoneHTTP(ctx, "POST", "http://"+hotspotIP+":8080/api/configure", "", f)
	if err != nil {
		return err
	}
	var resp struct {
		Success bool `json:"success"`
	}
	if code != "200" || json.Unmarshal([]byte(body), &resp) != nil || !resp.Success {
		return fmt.Errorf("POST /api/configure from the phone: HTTP %s: %.300s", code, redact(body))
	}
	return nil
}

func sc3(ctx context.Context, r *result) error {
	before, _ := readConfig()
	if _, err := phoneJoin(ctx, r); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	start := time.Now()
	if err := phoneConfigure(ctx, configureReq{SSID: "HomeNet", Password: wrongPassword}); err != nil {
		return err
	}
	if _, err := poll(ctx, 30*time.Second, 100*time.Millisecond, "hotspot down for the attempt", hotspotDown); err != nil {
		return err
	}
	if _, err := poll(ctx, 120*time.Second, 100*time.Millisecond, "hotspot back", hotspotUp); err != nil {
		return err
	}
	r.time("hotspot_back_s", time.Since(start), 45)
	if _, err := phoneJoin(ctx, r); err != nil {
		return fmt.Errorf("phone rejoining: %w", err)
	}
	var st status
	if _, err := poll(ctx, 60*time.Second, 500*time.Millisecond, "the reason on the portal", func(ctx context.Context) (bool, error) {
		code, _, body, err := phoneHTTP(ctx, "GET", "http://"+hotspotIP+":8080/api/status", "", "")
		if err != nil {
			return false, err
		}
		if code != "200" || json.Unmarshal([]byte(body), &st) != nil {
			return false, fmt.Errorf("HTTP %s: %.200s", code, body)
		}
		return st.Attempt != nil && !st.Attempt.Running, fmt.Errorf("%s", st)
	}); err != nil {
		return err
	}
	r.time("reason_on_phone_s", time.Since(start), 0)
	var errs []error
	if st.Attempt.Reason != "wrong_password" || st.Attempt.Success || st.Attempt.SSID != "HomeNet" {
		errs = append(errs, fmt.Errorf("last_attempt %+v, want reason wrong_password for HomeNet", *st.Attempt))
	}
	r.note("message %q hint %q", st.Attempt.Message, st.Attempt.Hint)
	after, err := readConfig()
	if err != nil {
		errs = append(errs, err)
	} else if before != nil && fmt.Sprint(after["configured_ssid"]) != fmt.Sprint(before["configured_ssid"]) {
		errs = append(errs, fmt.Errorf("configured_ssid changed from %v to %v after a failed attempt", before["configured_ssid"], after["configured_ssid"]))
	}
	if p := profilesWith("ssid=HomeNet\n"); len(p) > 0 {
		errs = append(errs, fmt.Errorf("the failed attempt's NetworkManager profile was left behind: %v", p))
	}
	return errors.Join(errs...)
}

func sc4(ctx context.Context, r *result) error {
	if _, err := phoneJoin(ctx, r); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	start := time.Now()
	if err := phoneConfigure(ctx, configureReq{SSID: "HomeNet", Password: homePassword}); err != nil {
		return err
	}
	if _, err := waitClient(ctx, 150*time.Second, "HomeNet"); err != nil {
		return err
	}
	r.time("client_s", time.Since(start), 0)
	phoneStop(ctx) // the phone goes home; later fallbacks must see no station
	var errs []error
	if ok, _ := hotspotDown(ctx); !ok {
		errs = append(errs, errors.New("hotspot still up in CLIENT"))
	}
	if s, err := getStatus(ctx); err == nil && (s.APActive || !s.Internet || !s.Link) {
		errs = append(errs, fmt.Errorf("status in CLIENT: %s", s))
	}
	c, err := readConfig()
	if err != nil {
		errs = append(errs, err)
	} else {
		if c["configured_ssid"] != "HomeNet" {
			errs = append(errs, fmt.Errorf("config.json configured_ssid=%v, want HomeNet", c["configured_ssid"]))
		}
		lc, _ := c["last_connected"].(string)
		if _, err := time.Parse(time.RFC3339, lc); err != nil {
			errs = append(errs, fmt.Errorf("config.json last_connected=%q, want an ISO 8601 time", lc))
		}
	}
	if p := profilesWith(homePassword); len(p) == 0 {
		errs = append(errs, errors.New("the password is not in NetworkManager's store"))
	} else {
		r.note("password stored by NetworkManager in %v", p)
	}
	if err := noSecrets(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func clientOK(ssid string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
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
		if got, err := reachRouter(ctx); err != nil || got != ssid {
			return false, fmt.Errorf("router: %q %v", got, err)
		}
		return true, nil
	}
}

func sc7a(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	start := time.Now()
	if err := restartNM(ctx); err != nil {
		return err
	}
	if _, err := stableFor(ctx, 150*time.Second, 10*time.Second, "CLIENT on HomeNet", clientOK("HomeNet")); err != nil {
		return err
	}
	r.time("recovered_s (incl. 10 s stable)", time.Since(start), 0)
	if apActivated(ctx, start) {
		r.note("the hotspot was raised during NetworkManager's restart")
	}
	return nil
}

func sc9a(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	start := time.Now()
	if _, err := run(ctx, 90*time.Second, "systemctl", "restart", service); err != nil {
		return err
	}
	r.time("restart_s", time.Since(start), 0)
	if _, err := waitClient(ctx, 90*time.Second, "HomeNet"); err != nil {
		return err
	}
	r.time("client_after_restart_s", time.Since(start), 0)
	if apActivated(ctx, start) {
		return errors.New("the hotspot was raised during the restart")
	}
	return nil
}

func sc6(ctx context.Context, r *result) error {
	var errs []error
	for _, n := range []struct {
		req  configureReq
		want string // a line of its NetworkManager profile
	}{
		{configureReq{SSID: "HomeNet-WPA3", Password: saePassword}, "key-mgmt=sae"},
		{configureReq{SSID: "HiddenNet", Password: hiddenPassword, Hidden: true}, "hidden=true"},
	} {
		start := time.Now()
		if err := configure(ctx, n.req); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := waitClient(ctx, 150*time.Second, n.req.SSID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n.req.SSID, err))
			continue
		}
		r.time("client_s "+n.req.SSID, time.Since(start), 0)
		found := false
		for _, p := range profilesWith("ssid=" + n.req.SSID + "\n") {
			b, _ := os.ReadFile(p)
			found = found || bytes.Contains(b, []byte(n.want+"\n"))
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s: no NetworkManager profile with %s", n.req.SSID, n.want))
		}
		if c, _ := readConfig(); c == nil || c["configured_ssid"] != n.req.SSID {
			errs = append(errs, fmt.Errorf("%s: config.json configured_ssid=%v", n.req.SSID, c["configured_ssid"]))
		}
	}
	// Back home for the scenarios that follow.
	start := time.Now()
	if err := configure(ctx, configureReq{SSID: "HomeNet", Password: homePassword}); err != nil {
		errs = append(errs, err)
	} else if _, err := waitClient(ctx, 150*time.Second, "HomeNet"); err != nil {
		errs = append(errs, fmt.Errorf("back to HomeNet: %w", err))
	} else {
		r.time("client_s HomeNet", time.Since(start), 0)
	}
	return errors.Join(errs...)
}

func mainPID(ctx context.Context) int {
	p, _ := strconv.Atoi(unitProp(ctx, service, "MainPID"))
	return p
}

func nRestarts(ctx context.Context) int {
	n, _ := strconv.Atoi(unitProp(ctx, service, "NRestarts"))
	return n
}

// waitRestarted waits for systemd to have restarted the service.
func waitRestarted(ctx context.Context, timeout time.Duration, before, oldPID int) (time.Duration, error) {
	return poll(ctx, timeout, 250*time.Millisecond, "systemd restarting the service", func(ctx context.Context) (bool, error) {
		n, pid := nRestarts(ctx), mainPID(ctx)
		if n > before && pid != 0 && pid != oldPID && serviceActive(ctx) {
			return true, nil
		}
		return false, fmt.Errorf("NRestarts=%d MainPID=%d ActiveState=%s", n, pid, unitProp(ctx, service, "ActiveState"))
	})
}

func sc8b(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	before, pid := nRestarts(ctx), mainPID(ctx)
	if err := configure(ctx, configureReq{SSID: "HomeNet-WPA3", Password: saePassword}); err != nil {
		return err
	}
	if _, err := poll(ctx, 15*time.Second, 100*time.Millisecond, "the attempt running", func(ctx context.Context) (bool, error) {
		s, err := getStatus(ctx)
		if err != nil {
			return false, err
		}
		return (s.Attempt != nil && s.Attempt.Running) || s.Busy != "", fmt.Errorf("%s", s)
	}); err != nil {
		r.note("never saw the attempt running; killing anyway")
	}
	start := time.Now()
	if err := syscallKill(pid); err != nil {
		return err
	}
	d, err := waitRestarted(ctx, 60*time.Second, before, pid)
	if err != nil {
		return err
	}
	r.time("restarted_s", d, 0)
	var final status
	if _, err := poll(ctx, 150*time.Second, 500*time.Millisecond, "CLIENT on HomeNet or HomeNet-WPA3", func(ctx context.Context) (bool, error) {
		s, err := getStatus(ctx)
		if err != nil {
			return false, err
		}
		final = s
		if s.State == "CLIENT" && (s.SSID == "HomeNet" || s.SSID == "HomeNet-WPA3") {
			return clientOK(s.SSID)(ctx)
		}
		return false, fmt.Errorf("%s", s)
	}); err != nil {
		return err
	}
	r.time("correct_state_s", time.Since(start), 0)
	r.note("after the kill: %s", final)
	c, err := readConfig()
	if err != nil {
		return err
	}
	if fmt.Sprint(c["configured_ssid"]) != final.SSID {
		r.note("config.json configured_ssid=%v while on %s", c["configured_ssid"], final.SSID)
	}
	if left, _ := filepath.Glob("/etc/pi-netconfig/.config.json.tmp-*"); len(left) > 0 {
		r.note("temporary files left in /etc/pi-netconfig: %v", left)
	}
	return nil
}

func syscallKill(pid int) error {
	if pid <= 1 {
		return fmt.Errorf("no main PID to kill (%d)", pid)
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

func scWatchdog(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	before, pid := nRestarts(ctx), mainPID(ctx)
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	code, body, err := controlDo(wctx, "POST", "/api/debug/wedge", nil)
	cancel()
	if err == nil && code >= 300 {
		return fmt.Errorf("POST /api/debug/wedge: HTTP %d: %.200s (is PI_NETCONFIG_FAULTS=1 honoured?)", code, body)
	}
	d, err := waitRestarted(ctx, 120*time.Second, before, pid)
	if err != nil {
		return err
	}
	r.time("restarted_s", d, 0)
	j, _ := run(ctx, 30*time.Second, "journalctl", "--no-pager", "-o", "cat", "-u", service, "--since", fmt.Sprintf("@%d", start.Unix()))
	if !strings.Contains(strings.ToLower(j), "watchdog") {
		r.note("systemd's journal does not say watchdog: was it restarted for another reason?")
	}
	dd, err := waitClient(ctx, 150*time.Second, "HomeNet")
	if err != nil {
		return err
	}
	r.time("client_again_s", d+dd, 0)
	return nil
}

func sc5(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	phoneStop(ctx)
	home := routerByName("home")
	cut := time.Now()
	if err := home.stopHostapd(ctx); err != nil {
		return err
	}
	if _, err := poll(ctx, 150*time.Second, 250*time.Millisecond, "AP_MODE with the hotspot", apModeOK); err != nil {
		return err
	}
	r.time("fallback_s", time.Since(cut), 0)
	back := time.Now()
	if err := home.startHostapd(ctx); err != nil {
		return err
	}
	if _, err := waitClient(ctx, 240*time.Second, "HomeNet"); err != nil {
		return err
	}
	r.time("online_again_s", time.Since(back), 180)
	if ok, _ := hotspotDown(ctx); !ok {
		return errors.New("hotspot still up after returning to CLIENT")
	}
	return nil
}

// noSecrets searches the whole journal (every field, including command
// lines) and the daemon's log file for any password a scenario typed.
func noSecrets(ctx context.Context) error {
	var errs []error
	j, err := run(ctx, 2*time.Minute, "journalctl", "--no-pager", "-o", "export")
	if err != nil {
		return fmt.Errorf("read the journal: %w", err)
	}
	lf, _ := os.ReadFile(logPath)
	for _, p := range secrets {
		if strings.Contains(j, p) {
			errs = append(errs, fmt.Errorf("a password is in the journal (%d times)", strings.Count(j, p)))
		}
		if bytes.Contains(lf, []byte(p)) {
			errs = append(errs, fmt.Errorf("a password is in %s", logPath))
		}
	}
	return errors.Join(errs...)
}

func scSecrets(ctx context.Context, r *result) error {
	return noSecrets(ctx)
}

func sc9b(ctx context.Context, r *result) error {
	boot := time.Now().Add(-time.Duration(monoNow()))
	if _, err := waitClient(ctx, 150*time.Second, "HomeNet"); err != nil {
		return err
	}
	r.time("client_after_boot_s", time.Since(boot), 0)
	if started, err := unitMono(ctx, service, "ExecMainStartTimestampMonotonic"); err == nil {
		r.time("client_after_service_start_s", monoNow()-started, 0)
	}
	if apActivated(ctx, boot.Add(-time.Minute)) {
		return errors.New("the hotspot was raised at boot although HomeNet is saved and up")
	}
	return nil
}

func scRemove(ctx context.Context, r *result) error {
	var out string
	var err error
	if debPath() == "" {
		return errors.New("no .deb to remove (only the binary was built)")
	}
	out, err = run(ctx, 3*time.Minute, "apt-get", "remove", "-y", "pi-netconfig")
	os.WriteFile(filepath.Join(share, "remove.log"), []byte(redact(out)), 0o644)
	if err != nil {
		return err
	}
	var errs []error
	if st := unitProp(ctx, service, "ActiveState"); st == "active" || st == "activating" {
		errs = append(errs, fmt.Errorf("service still %s after remove", st))
	}
	if pids, _ := run(ctx, 5*time.Second, "pidof", "pi-netconfig"); strings.TrimSpace(pids) != "" {
		errs = append(errs, fmt.Errorf("pi-netconfig still running: %s", pids))
	}
	if _, err := os.Stat(configPath); err != nil {
		errs = append(errs, fmt.Errorf("remove took the configuration: %w", err))
	}
	if ok, _ := hotspotDown(ctx); !ok {
		errs = append(errs, errors.New("hotspot up after remove"))
	}
	return errors.Join(errs...)
}

func scPurge(ctx context.Context, r *result) error {
	if debPath() == "" {
		return errors.New("no .deb to purge (only the binary was built)")
	}
	out, err := run(ctx, 3*time.Minute, "apt-get", "purge", "-y", "pi-netconfig")
	os.WriteFile(filepath.Join(share, "purge.log"), []byte(redact(out)), 0o644)
	if err != nil {
		return err
	}
	if _, err := os.Stat("/etc/pi-netconfig"); err == nil {
		return errors.New("/etc/pi-netconfig is still there after purge")
	}
	if st, _ := run(ctx, 5*time.Second, "dpkg-query", "-W", "-f=${Status}", "pi-netconfig"); strings.Contains(st, "installed") && !strings.Contains(st, "not-installed") {
		return fmt.Errorf("dpkg still lists the package: %s", st)
	}
	return nil
}

func scPreseed(ctx context.Context, r *result) error {
	// Forget every WiFi profile, so only the preseed file can bring it back.
	out, _ := run(ctx, 10*time.Second, "nmcli", "-t", "-f", "UUID,TYPE", "connection", "show")
	for _, l := range strings.Split(out, "\n") {
		if uuid, typ, ok := strings.Cut(l, ":"); ok && typ == "802-11-wireless" {
			run(ctx, 20*time.Second, "nmcli", "connection", "delete", "uuid", uuid)
		}
	}
	if _, err := poll(ctx, 30*time.Second, 250*time.Millisecond, "wlan0 disconnected", func(ctx context.Context) (bool, error) {
		return dutLinkSSID(ctx) == "", nil
	}); err != nil {
		return err
	}
	// A FAT boot partition, as on a Raspberry Pi.
	img := filepath.Join(stateDir, "boot.vfat")
	if err := must(ctx, "truncate", "-s", "32M", img); err != nil {
		return err
	}
	if err := must(ctx, "mkfs.vfat", "-n", "BOOTFS", img); err != nil {
		return err
	}
	if err := must(ctx, "mount", "-o", "loop", img, "/boot/firmware"); err != nil {
		return err
	}
	seed := fmt.Sprintf("{\"ssid\":\"HomeNet\",\"password\":%q}\n", homePassword)
	if err := writeFile("/boot/firmware/pi-netconfig.json", seed, 0o644); err != nil {
		return err
	}
	if err := prepareDaemon(); err != nil {
		return err
	}
	if debPath() == "" {
		r.note("no .deb: installed with the binary's install command")
	}
	installAt := time.Now()
	if err := install(ctx, "install-preseed.log"); err != nil {
		return fmt.Errorf("install (see out/install-preseed.log): %w", err)
	}
	if _, err := waitClient(ctx, 150*time.Second, "HomeNet"); err != nil {
		return err
	}
	if started, err := unitMono(ctx, service, "ExecMainStartTimestampMonotonic"); err == nil {
		r.time("client_after_service_start_s", monoNow()-started, 0)
	}
	if apActivated(ctx, installAt) {
		r.note("the hotspot was raised before the preseed file was imported")
	}
	var errs []error
	b, err := os.ReadFile("/boot/firmware/pi-netconfig.json")
	switch {
	case err != nil:
		r.note("the preseed file is gone: %v", err)
	case bytes.Contains(b, []byte(homePassword)):
		errs = append(errs, errors.New("the password is still in /boot/firmware/pi-netconfig.json"))
	case !json.Valid(b):
		errs = append(errs, fmt.Errorf("the scrubbed preseed file is not valid JSON: %q", b))
	default:
		r.note("scrubbed preseed file: %s", strings.TrimSpace(string(b)))
	}
	if m, _ := filepath.Glob("/boot/firmware/*"); len(m) > 0 {
		for _, f := range m {
			if c, err := os.ReadFile(f); err == nil && bytes.Contains(c, []byte(homePassword)) {
				errs = append(errs, fmt.Errorf("the password is left in %s", f))
			}
		}
	}
	if c, err := readConfig(); err != nil || c["configured_ssid"] != "HomeNet" {
		errs = append(errs, fmt.Errorf("config.json after preseed: %v %v", c["configured_ssid"], err))
	}
	exec.Command("umount", "/boot/firmware").Run()
	return errors.Join(errs...)
}

// sc0 checks the simulated air itself, so that a failure further on is the
// daemon's and not the harness's.
func sc0(ctx context.Context, r *result) error {
	defer phoneStop(ctx)
	var errs []error
	for _, n := range []struct{ ssid, psk, km string }{
		{"HomeNet", homePassword, "WPA-PSK"},
		{"HomeNet-WPA3", saePassword, "SAE"},
		{"HiddenNet", hiddenPassword, "WPA-PSK"},
	} {
		start := time.Now()
		err := func() error {
			if err := phoneStart(ctx, n.ssid, n.psk, n.km); err != nil {
				return err
			}
			lease, err := phoneJoin(ctx, &result{ID: r.ID})
			if err != nil {
				return err
			}
			if !strings.HasPrefix(lease["ip"], "10.0.0.") {
				return fmt.Errorf("lease %q", lease["ip"])
			}
			out, err := inNS(ctx, 15*time.Second, phoneNS, "curl", "-sS", "-m", "5", "http://"+routerAddr+"/")
			if err != nil {
				return err
			}
			if strings.TrimSpace(out) != "router "+n.ssid {
				return fmt.Errorf("router page %q", out)
			}
			return nil
		}()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n.ssid, err))
			continue
		}
		r.time("phone_online_s "+n.ssid, time.Since(start), 0)
	}
	return errors.Join(errs...)
}

// sc3b: a failed attempt must not replace the saved network (SPEC §2).
func sc3b(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	start := time.Now()
	if err := configure(ctx, configureReq{SSID: "HomeNet-WPA3", Password: wrongPassword}); err != nil {
		return err
	}
	var st status
	if _, err := poll(ctx, 120*time.Second, 250*time.Millisecond, "the attempt to fail", func(ctx context.Context) (bool, error) {
		s, err := getStatus(ctx)
		if err != nil {
			return false, err
		}
		st = s
		return s.Attempt != nil && s.Attempt.SSID == "HomeNet-WPA3" && !s.Attempt.Running, fmt.Errorf("%s", s)
	}); err != nil {
		return err
	}
	r.time("attempt_failed_s", time.Since(start), 0)
	saeAttempt = st.Attempt
	var errs []error
	if st.Attempt.Success {
		errs = append(errs, fmt.Errorf("last_attempt %+v reports success with a wrong password", *st.Attempt))
	}
	if _, err := waitClient(ctx, 150*time.Second, "HomeNet"); err != nil {
		errs = append(errs, fmt.Errorf("back on the saved network: %w", err))
	} else {
		r.time("back_on_saved_s", time.Since(start), 0)
	}
	if c, err := readConfig(); err != nil || c["configured_ssid"] != "HomeNet" {
		errs = append(errs, fmt.Errorf("config.json configured_ssid=%v after a failed attempt (%v), want HomeNet", c["configured_ssid"], err))
	}
	if len(profilesWith(homePassword)) == 0 {
		errs = append(errs, errors.New("HomeNet's profile is gone after a failed attempt on another network"))
	}
	if p := profilesWith(wrongPassword); len(p) > 0 {
		errs = append(errs, fmt.Errorf("the failed attempt's profile was left behind: %v", p))
	}
	return errors.Join(errs...)
}

// scResources measures the daemon in CLIENT after everything else (SPEC §6:
// ≤ 15 MB resident, no busy loops when idle): its resident memory, and the
// CPU time it uses over 20 s of idling with a check every 5 s.
func scResources(ctx context.Context, r *result) error {
	if err := ensureClient(ctx, "HomeNet", homePassword); err != nil {
		return err
	}
	pid := mainPID(ctx)
	cpu0, err := procCPU(pid)
	if err != nil {
		return err
	}
	const window = 20 * time.Second
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(window):
	}
	cpu1, err := procCPU(pid)
	if err != nil {
		return err
	}
	r.time("cpu_s_per_20s_idle", cpu1-cpu0, 0)
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err
	}
	kb := func(key string) int {
		for _, l := range strings.Split(string(st), "\n") {
			if v, ok := strings.CutPrefix(l, key+":"); ok {
				n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				return n
			}
		}
		return 0
	}
	rss, hwm := kb("VmRSS"), kb("VmHWM")
	r.note("resident memory %.1f MB (peak %.1f MB); CPU %.2f%% while idle", float64(rss)/1024, float64(hwm)/1024, 100*float64(cpu1-cpu0)/float64(window))
	// A number, not a verdict: the benchmark (scripts/bench-e2e.sh)
	// reports it against SPEC §6's 15 MB; the test asserts behaviour.
	if rss > 15*1024 {
		r.note("resident memory is above SPEC §6's 15 MB target (RssAnon %d kB, RssFile %d kB)", kb("RssAnon"), kb("RssFile"))
	}
	return nil
}

// procCPU is the user+system CPU time of a process.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	ut, _ := strconv.Atoi(f[11])
	stt, _ := strconv.Atoi(f[12])
	return time.Duration(ut+stt) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

// saeAttempt is the failed attempt of 3b, judged by 3c.
var saeAttempt *attempt

func sc3c(ctx context.Context, r *result) error {
	if saeAttempt == nil {
		return errors.New("not run: 3b did not see its attempt end")
	}
	r.note("message %q hint %q", saeAttempt.Message, saeAttempt.Hint)
	if saeAttempt.Reason != "wrong_password" {
		return fmt.Errorf("a wrong WPA3-SAE password is reported as %q (%s), want wrong_password", saeAttempt.Reason, saeAttempt.Message)
	}
	return nil
}
