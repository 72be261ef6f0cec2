// Package nmns runs a real NetworkManager for integration tests, isolated
// from the host: its own network namespace with one end of a veth pair (the
// other end sits in a second namespace with a DHCP server), its own private
// dbus-daemon, its own configuration, state and run directories, and a
// private mount namespace with /sys read-only so it does not wait for udev.
//
// It needs root, NetworkManager, dbus-daemon, iproute2 and dnsmasq; Start
// skips the test (loudly) when they are missing, and
// scripts/tier-integration.sh installs them first.
package nmns

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

//go:embed nm-exec.sh
var nmExec []byte

// Addresses on the veth link. The DHCP server sits in the peer namespace.
const (
	PeerAddr  = "10.77.0.1"
	PoolFirst = "10.77.0.50"
	PoolLast  = "10.77.0.99"
)

// tag is $NMNS_TAG plus a dash, put in namespace names so that the tier
// script can remove what a killed test run left behind.
func tag() string {
	if t := os.Getenv("NMNS_TAG"); t != "" {
		return t + "-"
	}
	return ""
}

// seq numbers the environments of one test process.
var seq atomic.Int32

// busName is NetworkManager's well-known name.
const busName = "org.freedesktop.NetworkManager"

// Env is one isolated NetworkManager.
type Env struct {
	Dir     string // everything NetworkManager writes lives here
	BusAddr string // the private bus, for dbus.Dial
	NS      string // namespace NetworkManager runs in
	PeerNS  string // namespace of the DHCP server
	Iface   string // the veth end NetworkManager manages
	Peer    string // the other end

	t    testing.TB
	nm   *exec.Cmd
	dhcp *exec.Cmd
	bus  *exec.Cmd
}

// Start sets everything up and starts NetworkManager; t.Cleanup tears it
// all down. It skips t when not root or when a tool is missing.
func Start(t testing.TB) *Env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("NMNS SKIPPED: needs root (network namespaces, mounts); run scripts/tier-integration.sh as root")
	}
	for _, tool := range []string{"ip", "dbus-daemon", "NetworkManager", "dnsmasq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("NMNS SKIPPED: %s not installed; run scripts/tier-integration.sh, which installs it", tool)
		}
	}
	n := fmt.Sprintf("%d%02d", os.Getpid()%100000, seq.Add(1)%100)
	e := &Env{
		Dir:    t.TempDir(),
		NS:     "pnc-nm-" + tag() + n,
		PeerNS: "pnc-peer-" + tag() + n,
		Iface:  "pnca" + n,
		Peer:   "pncb" + n,
		t:      t,
	}
	t.Cleanup(e.teardown)
	for _, d := range []string{"run", "lib", "conf.d", "connections"} {
		if err := os.MkdirAll(filepath.Join(e.Dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.writeFiles()
	e.network()
	e.startBus()
	e.StartDHCP()
	e.StartNM()
	return e
}

func (e *Env) writeFiles() {
	files := map[string]string{
		"nm-exec.sh": string(nmExec),
		// hostname-mode=none: the UTS namespace is the host's, and
		// NetworkManager must not rename the machine from DHCP.
		"NetworkManager.conf": `[main]
plugins=keyfile
auth-polkit=false
dns=none
rc-manager=unmanaged
systemd-resolved=false
hostname-mode=none
no-auto-default=*

[keyfile]
path=` + filepath.Join(e.Dir, "connections") + `
unmanaged-devices=except:interface-name:` + e.Iface + `

[connectivity]
enabled=false

[logging]
level=INFO
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(e.Dir, name), []byte(body), 0o700); err != nil {
			e.t.Fatal(err)
		}
	}
}

// run runs a command that must succeed.
func (e *Env) run(name string, args ...string) {
	e.t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func (e *Env) network() {
	e.run("ip", "netns", "add", e.NS)
	e.run("ip", "netns", "add", e.PeerNS)
	e.run("ip", "link", "add", e.Iface, "netns", e.NS, "type", "veth", "peer", "name", e.Peer, "netns", e.PeerNS)
	e.run("ip", "-n", e.PeerNS, "link", "set", "lo", "up")
	e.run("ip", "-n", e.PeerNS, "addr", "add", PeerAddr+"/24", "dev", e.Peer)
	e.run("ip", "-n", e.PeerNS, "link", "set", e.Peer, "up")
	e.run("ip", "-n", e.NS, "link", "set", "lo", "up")
}

func (e *Env) startBus() {
	e.bus, e.BusAddr = startBus(e.t, e.Dir)
}

// busConf lets anyone own any name and talk to anyone: the bus is private
// to one test.
func busConf(dir string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=` + filepath.Join(dir, "bus.sock") + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`
}

func startBus(t testing.TB, dir string) (*exec.Cmd, string) {
	t.Helper()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(busConf(dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address")
	cmd.SysProcAttr = diesWithTest()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return cmd, strings.TrimSpace(line)
}

// Bus starts a private dbus-daemon only (no root needed) and returns its
// address; t.Cleanup stops it. Tests use it to serve fakes of system
// services.
func Bus(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("NMNS SKIPPED: dbus-daemon not installed; run scripts/tier-integration.sh, which installs it")
	}
	cmd, addr := startBus(t, t.TempDir())
	t.Cleanup(func() { stop(cmd, 5*time.Second) })
	return addr
}

// Dial opens a private connection to the bus at addr; t.Cleanup closes it.
func Dial(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Dial(addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Auth(nil); err != nil {
		t.Fatalf("auth: %v", err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatalf("hello: %v", err)
	}
	return conn
}

func (e *Env) logFile(name string) *os.File {
	f, err := os.OpenFile(filepath.Join(e.Dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { f.Close() })
	return f
}

// StartDHCP starts dnsmasq (DHCP only, no DNS) in the peer namespace.
func (e *Env) StartDHCP() {
	e.t.Helper()
	cmd := exec.Command("ip", "netns", "exec", e.PeerNS, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
		"--port=0", "--user=root", "--bind-interfaces", "--interface="+e.Peer, "--except-interface=lo",
		"--dhcp-range="+PoolFirst+","+PoolLast+",1h", "--dhcp-authoritative", "--no-ping",
		"--dhcp-leasefile="+filepath.Join(e.Dir, "dnsmasq.leases"), "--pid-file="+filepath.Join(e.Dir, "dnsmasq.pid"))
	cmd.SysProcAttr = diesWithTest()
	cmd.Stdout = e.logFile("dnsmasq.log")
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start dnsmasq: %v", err)
	}
	e.dhcp = cmd
}

// StopDHCP stops the DHCP server, so that an activation gets no address.
func (e *Env) StopDHCP() {
	e.t.Helper()
	stop(e.dhcp, 5*time.Second)
	e.dhcp = nil
}

// StartNM starts NetworkManager and waits until it owns its bus name.
func (e *Env) StartNM() {
	e.t.Helper()
	e.t.Logf("nmns: starting NetworkManager in netns %s (bus %s, logs %s)", e.NS, e.BusAddr, filepath.Join(e.Dir, "nm.log"))
	start := time.Now()
	cmd := exec.Command("ip", "netns", "exec", e.NS, "sh", filepath.Join(e.Dir, "nm-exec.sh"), e.Dir)
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+e.BusAddr)
	cmd.SysProcAttr = diesWithTest()
	cmd.Stdout = e.logFile("nm.log")
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start NetworkManager: %v", err)
	}
	e.nm = cmd
	conn := e.Conn()
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		var has bool
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, busName).Store(&has)
		if err == nil && has && e.startupComplete(ctx, conn) {
			break
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("NetworkManager did not come up within 20 s; log:\n%s", e.NMLog())
		case <-time.After(50 * time.Millisecond):
		}
	}
	e.t.Logf("nmns: NetworkManager is up after %v", time.Since(start).Round(time.Millisecond))
}

// startupComplete reads NetworkManager's Startup property (false once
// startup is complete).
func (e *Env) startupComplete(ctx context.Context, conn *dbus.Conn) bool {
	var v dbus.Variant
	err := conn.Object(busName, "/org/freedesktop/NetworkManager").CallWithContext(ctx,
		"org.freedesktop.DBus.Properties.Get", 0, "org.freedesktop.NetworkManager", "Startup").Store(&v)
	starting, ok := v.Value().(bool)
	return err == nil && ok && !starting
}

// StopNM stops NetworkManager (SIGTERM, then SIGKILL) and waits for it.
func (e *Env) StopNM() {
	e.t.Helper()
	stop(e.nm, 10*time.Second)
	e.nm = nil
}

// KillNM kills NetworkManager at once (SIGKILL), as a crash would.
func (e *Env) KillNM() {
	e.t.Helper()
	if e.nm != nil {
		_ = e.nm.Process.Signal(syscall.SIGKILL)
		_ = e.nm.Wait()
		e.nm = nil
	}
}

// diesWithTest makes a child get SIGKILL when the test process dies
// (killed, or a test timeout), so nothing outlives a broken run.
func diesWithTest() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

func stop(cmd *exec.Cmd, grace time.Duration) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Conn opens a new private connection to the bus; the caller closes it.
func (e *Env) Conn() *dbus.Conn {
	e.t.Helper()
	conn, err := dbus.Dial(e.BusAddr)
	if err != nil {
		e.t.Fatalf("dial %s: %v", e.BusAddr, err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		e.t.Fatalf("auth: %v", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		e.t.Fatalf("hello: %v", err)
	}
	return conn
}

// NMLog is NetworkManager's log so far.
func (e *Env) NMLog() string {
	b, _ := os.ReadFile(filepath.Join(e.Dir, "nm.log"))
	return string(b)
}

// Exec runs a command inside NetworkManager's namespace and returns its
// output (for checks such as "ip -4 addr").
func (e *Env) Exec(args ...string) string {
	e.t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", e.NS}, args...)...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(bytes.TrimSpace(out))
}

func (e *Env) teardown() {
	if e.t.Failed() {
		e.t.Logf("nmns: NetworkManager log:\n%s", tail(e.NMLog(), 80))
	}
	stop(e.nm, 10*time.Second)
	stop(e.dhcp, 5*time.Second)
	stop(e.bus, 5*time.Second)
	for _, ns := range []string{e.NS, e.PeerNS} {
		_ = exec.Command("ip", "netns", "del", ns).Run()
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
