package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/config"
	"github.com/pi-netconfig/pi-netconfig/internal/control"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/sim"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// daemonRig is the daemon's wiring (state machine, control socket with the
// JSON API, config persistence) on a fast simulated world.
type daemonRig struct {
	world   *sim.World
	m       *netstate.Machine
	sock    string
	cfgPath string
	client  *control.Client
}

func startDaemon(t *testing.T) *daemonRig {
	t.Helper()
	dir := t.TempDir()
	r := &daemonRig{
		world: sim.New(sim.Timing{Scan: 20 * time.Millisecond, Connect: 200 * time.Millisecond, Fail: 300 * time.Millisecond, Hotspot: 20 * time.Millisecond},
			sim.AP{SSID: "HomeNet", Security: wifi.WPA2, Password: "correct horse", Signal: 80, Frequency: 2437}),
		sock:    filepath.Join(dir, "control.sock"),
		cfgPath: filepath.Join(dir, "etc", "config.json"),
	}
	log := slog.New(slog.DiscardHandler)
	set := netstate.DefaultSettings()
	set.HandoffDelay = 10 * time.Millisecond
	r.m = netstate.New(netstate.Options{
		Radio: r.world, Prober: sim.Prober{W: r.world}, Log: log, Settings: set,
		Persist: func(ssid string, at time.Time) error { return persistConnection(r.cfgPath, ssid, at, log) },
	})
	ln, err := control.Listen(r.sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.m.Run(ctx) })
	wg.Go(func() { control.Serve(ctx, ln, controlHandler(r.m, log)) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	r.client = control.NewClient(r.sock)
	r.waitState(t, netstate.APMode)
	return r
}

func (r *daemonRig) waitState(t *testing.T, s netstate.State) netstate.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		st, changed := r.m.Watch()
		if st.State == s && st.Busy == "" {
			return st
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("state %s (%s), want %s", st.State, st.Reason, s)
		}
	}
}

// The original's defect, against the daemon's API: 50 concurrent configure
// requests. Exactly one attempt runs, the others get 409 with a clear
// message, nothing deadlocks, and the config file is whole.
func TestFiftyConcurrentConfigureRequests(t *testing.T) {
	r := startDaemon(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	var messages []string
	for i := range 50 {
		wg.Go(func() {
			pw := "correct horse"
			if i%3 == 0 {
				pw = "wrong password"
			}
			err := r.client.Do(context.Background(), "POST", "/api/configure", map[string]any{"ssid": "HomeNet", "password": pw}, nil)
			mu.Lock()
			defer mu.Unlock()
			switch e := err.(type) {
			case nil:
				codes[200]++
			case *control.APIError:
				codes[e.Code]++
				messages = append(messages, e.Message)
			default:
				t.Errorf("request: %v", err)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("deadlock: 50 configure requests did not all get an answer in 20 s")
	}
	if codes[200] != 1 || codes[409] != 49 {
		t.Errorf("answers %v, want one 200 and 49 409", codes)
	}
	for _, m := range messages {
		if !strings.Contains(m, "already running") && !strings.Contains(m, "busy") {
			t.Errorf("busy answer %q does not say why", m)
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		st, changed := r.m.Watch()
		if st.Attempt != nil && !st.Attempt.Running && st.Busy == "" {
			break
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("the attempt did not finish")
		}
	}
	if n := r.world.MaxConcurrent(); n != 1 {
		t.Errorf("%d network operations at once, want 1", n)
	}
	// The config file is whole: valid JSON, or absent if the one attempt
	// that ran had the wrong password.
	if b, err := os.ReadFile(r.cfgPath); err == nil {
		var c config.Config
		if err := json.Unmarshal(b, &c); err != nil {
			t.Errorf("config file broken: %v\n%s", err, b)
		}
	}
	// And the daemon still answers.
	var st netstate.Status
	if err := r.client.Do(context.Background(), "GET", "/api/status", nil, &st); err != nil {
		t.Errorf("status after the storm: %v", err)
	}
}

func TestClientCommands(t *testing.T) {
	r := startDaemon(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := cmdStatus(ctx, []string{"--socket", r.sock}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AP_MODE", "PiConfig-3ABC", "piconfig123", "Saved network:     none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := cmdScan(ctx, []string{"--socket", r.sock}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "HomeNet") || !strings.Contains(out.String(), "cannot scan while its hotspot is up") {
		t.Errorf("scan output:\n%s", out.String())
	}

	connect := func(pw string, args ...string) (string, error) {
		f := filepath.Join(t.TempDir(), "pw")
		os.WriteFile(f, []byte(pw+"\n"), 0o600)
		in, _ := os.Open(f)
		defer in.Close()
		var out bytes.Buffer
		err := cmdConnect(ctx, append(args, "--socket", r.sock, "--password-stdin"), in, &out)
		return out.String(), err
	}
	_, err := connect("wrong password", "HomeNet")
	if err == nil || !strings.Contains(err.Error(), "wrong password") || strings.Contains(err.Error(), "wrong password for") {
		t.Errorf("connect with a wrong password: %v", err)
	}
	if _, err := connect("short", "HomeNet"); err == nil || !strings.Contains(err.Error(), "8 to 63") {
		t.Errorf("connect with a short password: %v", err)
	}
	got, err := connect("correct horse", "HomeNet")
	if err != nil || !strings.Contains(got, "Connected to HomeNet.") {
		t.Errorf("connect: %v\n%s", err, got)
	}
	c, err := config.Load(r.cfgPath)
	if err != nil || c.ConfiguredSSID != "HomeNet" || c.LastConnected == "" {
		t.Errorf("config after connect: %+v, %v", c, err)
	}
	if b, _ := os.ReadFile(r.cfgPath); bytes.Contains(b, []byte("correct horse")) {
		t.Errorf("the password is in config.json")
	}

	out.Reset()
	if err := cmdForget(ctx, []string{"--socket", r.sock}, &out); err != nil {
		t.Fatal(err)
	}
	r.waitState(t, netstate.APMode)
	if err := cmdAP(ctx, []string{"stop", "--socket", r.sock}, &out); err == nil || !strings.Contains(err.Error(), "connect to a network first") {
		t.Errorf("ap stop with nothing saved: %v", err)
	}
	if err := cmdStatus(ctx, []string{"--socket", filepath.Join(t.TempDir(), "none.sock")}, &out); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("status without a daemon: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"connect"}, {"connect", "a", "b"}, {"ap", "sideways"}, {"status", "--bogus"}} {
		err := run(context.Background(), args)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error is not one sentence: %q", args, err)
		}
	}
	_ = http.StatusOK
}
