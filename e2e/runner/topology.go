package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The simulated air: five mac80211_hwsim radios. wlan0 is the device under
// test and the only one NetworkManager sees; each other radio lives in its
// own network namespace, or frames never cross the simulated air.
const (
	dutIface   = "wlan0"
	dutMAC     = "02:00:00:00:be:ef" // set before NetworkManager starts
	runDir     = "/run/e2e"
	routerAddr = "10.0.0.1" // the same in every router namespace
	probeHost  = routerAddr + ":80"
	hotspotIP  = "192.168.50.1"
	apPassword = "piconfig123"
)

// Passwords the scenarios type. They only ever appear in files handed to
// hostapd and in request bodies, never on a command line or in a log line.
const (
	homePassword   = "Home-Secret-7731"
	saePassword    = "Sae-Secret-4409"
	hiddenPassword = "Hidden-Secret-5512"
	wrongPassword  = "Wrong-Secret-0000"
)

// router is one access point with its DHCP and web server.
type router struct {
	name    string // network namespace and unit suffix
	iface   string
	ssid    string
	channel int
	extra   string // hostapd lines for security
	subnet  string
}

var routers = []router{
	{name: "home", iface: "wlan1", ssid: "HomeNet", channel: 1,
		extra: "wpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=" + homePassword + "\n"},
	{name: "sae", iface: "wlan2", ssid: "HomeNet-WPA3", channel: 6,
		extra: "wpa=2\nwpa_key_mgmt=SAE\nrsn_pairwise=CCMP\nieee80211w=2\nsae_password=" + saePassword + "\n"},
	{name: "hidden", iface: "wlan3", ssid: "HiddenNet", channel: 11,
		extra: "wpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nignore_broadcast_ssid=1\nwpa_passphrase=" + hiddenPassword + "\n"},
}

const (
	phoneNS    = "phone"
	phoneIface = "wlan4"
)

func routerByName(name string) router {
	for _, r := range routers {
		if r.name == name {
			return r
		}
	}
	panic("no router " + name)
}

// setupRadios runs before NetworkManager starts (e2e-boot.service).
func setupRadios(ctx context.Context) error {
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return err
	}
	if err := must(ctx, "modprobe", "mac80211_hwsim", "radios=5"); err != nil {
		return err
	}
	if _, err := poll(ctx, 20*time.Second, 100*time.Millisecond, "five hwsim radios", func(context.Context) (bool, error) {
		_, err := os.Stat("/sys/class/net/wlan4/phy80211/name")
		return err == nil, nil
	}); err != nil {
		return err
	}
	if err := must(ctx, "ip", "link", "set", dutIface, "address", dutMAC); err != nil {
		return err
	}
	move := append([]router{}, routers...)
	move = append(move, router{name: phoneNS, iface: phoneIface})
	for _, r := range move {
		phy, err := os.ReadFile(filepath.Join("/sys/class/net", r.iface, "phy80211/name"))
		if err != nil {
			return fmt.Errorf("phy of %s: %w", r.iface, err)
		}
		if err := must(ctx, "ip", "netns", "add", r.name); err != nil {
			return err
		}
		if err := must(ctx, "iw", "phy", strings.TrimSpace(string(phy)), "set", "netns", "name", r.name); err != nil {
			return err
		}
		if _, err := inNS(ctx, 10*time.Second, r.name, "ip", "link", "set", "lo", "up"); err != nil {
			return err
		}
	}
	for _, r := range routers {
		if err := r.configure(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r router) configure(ctx context.Context) error {
	conf := fmt.Sprintf("interface=%s\ndriver=nl80211\nssid=%s\nhw_mode=g\nchannel=%d\nctrl_interface=%s/hostapd-%s\n%s",
		r.iface, r.ssid, r.channel, runDir, r.name, r.extra)
	if err := writeFile(r.hostapdConf(), conf, 0o600); err != nil {
		return err
	}
	www := filepath.Join(runDir, "www-"+r.name)
	if err := os.MkdirAll(www, 0o755); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(www, "index.html"), "router "+r.ssid+"\n", 0o644); err != nil {
		return err
	}
	if _, err := inNS(ctx, 10*time.Second, r.name, "ip", "addr", "add", routerAddr+"/24", "dev", r.iface); err != nil {
		return err
	}
	return nil
}

func (r router) hostapdConf() string { return filepath.Join(runDir, "hostapd-"+r.name+".conf") }

// start runs hostapd, then the DHCP and web servers, as transient units so
// that a scenario can cut the router's power with systemctl stop.
func (r router) start(ctx context.Context) error {
	if err := r.startHostapd(ctx); err != nil {
		return err
	}
	if _, err := poll(ctx, 30*time.Second, 200*time.Millisecond, r.ssid+" hostapd enabled", r.hostapdUp); err != nil {
		return err
	}
	if err := must(ctx, "systemd-run", "--quiet", "--collect", "--unit=e2e-dhcp-"+r.name, "--",
		"ip", "netns", "exec", r.name, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
		"--port=0", "--interface="+r.iface, "--except-interface=lo", "--dhcp-range=10.0.0.100,10.0.0.200,255.255.255.0,1h",
		"--dhcp-option=3,"+routerAddr, "--dhcp-leasefile="+filepath.Join(runDir, r.name+".leases"), "--pid-file="); err != nil {
		return err
	}
	return must(ctx, "systemd-run", "--quiet", "--collect", "--unit=e2e-www-"+r.name, "--",
		"ip", "netns", "exec", r.name, "busybox", "httpd", "-f", "-p", "80", "-h", filepath.Join(runDir, "www-"+r.name))
}

func (r router) startHostapd(ctx context.Context) error {
	return must(ctx, "systemd-run", "--quiet", "--collect", "--unit=e2e-hostapd-"+r.name, "--",
		"ip", "netns", "exec", r.name, "hostapd", r.hostapdConf())
}

func (r router) stopHostapd(ctx context.Context) error {
	return must(ctx, "systemctl", "stop", "e2e-hostapd-"+r.name)
}

func (r router) hostapdUp(ctx context.Context) (bool, error) {
	out, err := run(ctx, 5*time.Second, "hostapd_cli", "-p", filepath.Join(runDir, "hostapd-"+r.name), "-i", r.iface, "status")
	if err != nil {
		return false, err
	}
	return strings.Contains(out, "state=ENABLED"), nil
}

// radioState is what the device under test's radio is doing.
type radioState struct {
	AP   bool
	SSID string
	Addr bool // 192.168.50.1/24 on wlan0
}

func dutRadio(ctx context.Context) (radioState, error) {
	var s radioState
	out, err := run(ctx, 5*time.Second, "iw", "dev", dutIface, "info")
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "type AP":
			s.AP = true
		case strings.HasPrefix(l, "ssid "):
			s.SSID = strings.TrimPrefix(l, "ssid ")
		}
	}
	addr, err := run(ctx, 5*time.Second, "ip", "-4", "-o", "addr", "show", "dev", dutIface)
	if err != nil {
		return s, err
	}
	s.Addr = strings.Contains(addr, " "+hotspotIP+"/24 ")
	return s, nil
}

func hotspotUp(ctx context.Context) (bool, error) {
	s, err := dutRadio(ctx)
	if err != nil {
		return false, err
	}
	if !s.AP || !s.Addr {
		return false, fmt.Errorf("radio: AP=%v address=%v ssid=%q", s.AP, s.Addr, s.SSID)
	}
	return true, nil
}

func hotspotDown(ctx context.Context) (bool, error) {
	s, err := dutRadio(ctx)
	if err != nil {
		return false, err
	}
	return !s.AP, nil
}

// dutLinkSSID is the network wlan0 is associated with as a client, "" if none.
func dutLinkSSID(ctx context.Context) string {
	out, err := run(ctx, 5*time.Second, "iw", "dev", dutIface, "link")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "SSID: ") {
			return strings.TrimPrefix(l, "SSID: ")
		}
	}
	return ""
}

// reachRouter fetches the router's web page from the device under test and
// returns the SSID it names.
func reachRouter(ctx context.Context) (string, error) {
	out, err := run(ctx, 10*time.Second, "curl", "-sS", "-m", "5", "http://"+routerAddr+"/")
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(strings.TrimSpace(out), "router "), nil
}

// The phone: wpa_supplicant and udhcpc in their own namespace.

// phoneStart (re)starts the phone's wpa_supplicant with one network;
// keyMgmt is WPA-PSK or SAE.
func phoneStart(ctx context.Context, ssid, psk, keyMgmt string) error {
	pmf := ""
	if keyMgmt == "SAE" {
		pmf = "\tieee80211w=2\n"
	}
	conf := fmt.Sprintf("ctrl_interface=%s/phone-wpa\nsae_pwe=2\nnetwork={\n\tssid=%q\n\tpsk=%q\n\tkey_mgmt=%s\n%s\tscan_ssid=1\n}\n", runDir, ssid, psk, keyMgmt, pmf)
	if err := writeFile(filepath.Join(runDir, "phone.conf"), conf, 0o600); err != nil {
		return err
	}
	phoneStop(ctx)
	return must(ctx, "systemd-run", "--quiet", "--collect", "--unit=e2e-phone", "--",
		"ip", "netns", "exec", phoneNS, "wpa_supplicant", "-D", "nl80211", "-i", phoneIface, "-c", filepath.Join(runDir, "phone.conf"))
}

func phoneStop(ctx context.Context) {
	run(ctx, 20*time.Second, "systemctl", "stop", "e2e-phone")
	inNS(ctx, 5*time.Second, phoneNS, "ip", "-4", "addr", "flush", "dev", phoneIface)
}

func phoneWPA(ctx context.Context) (map[string]string, error) {
	out, err := run(ctx, 5*time.Second, "wpa_cli", "-p", filepath.Join(runDir, "phone-wpa"), "-i", phoneIface, "status")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok {
			m[k] = v
		}
	}
	return m, nil
}

// phoneJoin waits for the phone to be associated with the hotspot, then
// gets a lease. It returns the lease's fields.
func phoneJoin(ctx context.Context, res *result) (map[string]string, error) {
	d, err := poll(ctx, 60*time.Second, 200*time.Millisecond, "phone associated", func(ctx context.Context) (bool, error) {
		m, err := phoneWPA(ctx)
		if err != nil {
			return false, err
		}
		if m["wpa_state"] != "COMPLETED" {
			return false, fmt.Errorf("wpa_state=%s", m["wpa_state"])
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	res.time("phone_join_s", d, 0)
	start := time.Now()
	inNS(ctx, 5*time.Second, phoneNS, "ip", "-4", "addr", "flush", "dev", phoneIface)
	// Debian's busybox udhcpc does not run a -s script here, so the lease
	// is read from its output and applied by hand.
	out, err := inNS(ctx, 40*time.Second, phoneNS, "udhcpc", "-i", phoneIface, "-f", "-q", "-n", "-t", "10", "-T", "2", "-s", "/bin/true")
	if err != nil {
		return nil, fmt.Errorf("phone DHCP: %w", err)
	}
	lease := parseLease(out)
	if lease["ip"] == "" {
		return nil, fmt.Errorf("phone DHCP: no lease in %q", lastLines(out, 3))
	}
	if _, err := inNS(ctx, 5*time.Second, phoneNS, "ip", "addr", "add", lease["ip"]+"/24", "dev", phoneIface); err != nil {
		return nil, err
	}
	res.time("phone_dhcp_s", time.Since(start), 0)
	return lease, nil
}

// phoneHTTP fetches url from the phone and returns the status code, the
// redirect target and the body.
func phoneHTTP(ctx context.Context, method, url, host, bodyFile string) (code, location, body string, err error) {
	bf := filepath.Join(runDir, "phone-body")
	args := []string{"-sS", "-m", "20", "-o", bf, "-w", "%{http_code} %{redirect_url}", "-X", method}
	if host != "" {
		args = append(args, "-H", "Host: "+host)
	}
	if bodyFile != "" {
		args = append(args, "-H", "Content-Type: application/json", "--data-binary", "@"+bodyFile)
	}
	args = append(args, url)
	out, err := inNS(ctx, 25*time.Second, phoneNS, "curl", args...)
	if err != nil {
		return "", "", "", err
	}
	code, location, _ = strings.Cut(strings.TrimSpace(out), " ")
	b, _ := os.ReadFile(bf)
	return code, location, string(b), nil
}

// parseLease reads udhcpc's "lease of IP obtained from SERVER" line.
func parseLease(out string) map[string]string {
	lease := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "lease of "); ok {
			f := strings.Fields(strings.ReplaceAll(rest, ",", ""))
			if len(f) >= 4 && f[1] == "obtained" {
				lease["ip"], lease["server"] = f[0], f[3]
			}
		}
	}
	return lease
}
