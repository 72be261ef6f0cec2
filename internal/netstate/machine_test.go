package netstate_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/sim"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

var testTiming = sim.Timing{Scan: 2 * time.Second, Connect: 4 * time.Second, Fail: 8 * time.Second, Hotspot: time.Second}

func homeWorld() *sim.World {
	return sim.New(testTiming,
		sim.AP{SSID: "HomeNet", Security: wifi.WPA2, Password: `pa"ss $word\`, Signal: 80, Frequency: 2437},
		sim.AP{SSID: "Studio", Security: wifi.WPA3, Password: "sae-only-pass", Signal: 60, Frequency: 5500},
		sim.AP{SSID: "Attic", Security: wifi.WPA2, Password: "hidden-pass", Signal: 50, Frequency: 2452, Hidden: true},
		sim.AP{SSID: "NoDHCP", Security: wifi.WPA2, Password: "password123", Signal: 40, Frequency: 2422, NoDHCP: true},
	)
}

// persisted records what the machine wrote to config.json.
type persisted struct {
	mu    sync.Mutex
	ssids []string
}

func (p *persisted) save(ssid string, at time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ssids = append(p.ssids, ssid)
	return nil
}

func (p *persisted) get() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ssids)
}

// notes records sd_notify calls.
type notes struct {
	mu     sync.Mutex
	ready  int
	status []string
	pets   int
}

func (n *notes) Ready()             { n.mu.Lock(); n.ready++; n.mu.Unlock() }
func (n *notes) Status(s string)    { n.mu.Lock(); n.status = append(n.status, s); n.mu.Unlock() }
func (n *notes) Watchdog()          { n.mu.Lock(); n.pets++; n.mu.Unlock() }
func (n *notes) counts() (int, int) { n.mu.Lock(); defer n.mu.Unlock(); return n.ready, n.pets }

type rig struct {
	t      *testing.T
	w      *sim.World
	m      *netstate.Machine
	p      *persisted
	n      *notes
	start  time.Time
	cancel context.CancelFunc
	done   chan struct{}
}

func newRig(t *testing.T, w *sim.World, mod func(*netstate.Options)) *rig {
	t.Helper()
	p := &persisted{}
	n := &notes{}
	set := netstate.DefaultSettings()
	set.WatchdogInterval = 10 * time.Second
	opts := netstate.Options{
		Radio:    w,
		Prober:   sim.Prober{W: w},
		Notifier: n,
		Log:      slog.New(slog.DiscardHandler),
		Settings: set,
		Persist:  p.save,
	}
	if mod != nil {
		mod(&opts)
	}
	return &rig{t: t, w: w, m: netstate.New(opts), p: p, n: n}
}

func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.done = make(chan struct{})
	r.start = time.Now()
	go func() {
		defer close(r.done)
		if err := r.m.Run(ctx); err != nil {
			r.t.Errorf("Run: %v", err)
		}
	}()
}

func (r *rig) stop() {
	r.cancel()
	<-r.done
}

// waitFor waits (in fake time) until cond holds for a snapshot, or fails.
func (r *rig) waitFor(what string, within time.Duration, cond func(netstate.Status) bool) netstate.Status {
	r.t.Helper()
	deadline := time.After(within)
	for {
		st, changed := r.m.Watch()
		if cond(st) {
			return st
		}
		select {
		case <-changed:
		case <-deadline:
			r.t.Fatalf("after %v: still waiting for %s; status: state=%s reason=%q busy=%q attempt=%+v; world: %s", within, what, st.State, st.Reason, st.Busy, st.Attempt, r.w)
		}
	}
}

func (r *rig) waitState(s netstate.State, within time.Duration) netstate.Status {
	r.t.Helper()
	return r.waitFor(s.String(), within, func(st netstate.Status) bool { return st.State == s && st.Busy == "" })
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(w *sim.World)
		policy  string
		want    netstate.State
		within  time.Duration // fake time from start
		atLeast time.Duration
		reason  string
	}{
		{
			name:   "nothing saved: hotspot at once",
			want:   netstate.APMode,
			within: 5 * time.Second,
			reason: "no saved network",
		},
		{
			name: "saved and connected: client",
			setup: func(w *sim.World) {
				w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
				w.ConnectNow("HomeNet")
			},
			want:   netstate.Client,
			within: time.Second,
			reason: `connected to "HomeNet"`,
		},
		{
			name: "saved but router off: hotspot after three failed checks",
			setup: func(w *sim.World) {
				w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
				w.SetDown("HomeNet", true)
			},
			want:    netstate.APMode,
			atLeast: 60 * time.Second, // checks at 0, 30 and 60 s
			within:  70 * time.Second,
			reason:  "3 consecutive failed checks",
		},
		{
			name: "internet policy: link without internet is a failure",
			setup: func(w *sim.World) {
				w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
				w.ConnectNow("HomeNet")
			},
			policy:  netstate.PolicyInternet,
			want:    netstate.APMode,
			atLeast: 60 * time.Second,
			within:  70 * time.Second,
			reason:  "internet is unreachable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := homeWorld()
				if tt.setup != nil {
					tt.setup(w)
				}
				r := newRig(t, w, func(o *netstate.Options) {
					if tt.policy != "" {
						o.Settings.Policy = tt.policy
						o.Prober = netstate.ProberFunc(func(context.Context, []string) bool { return false })
					}
				})
				r.run()
				defer r.stop()
				st := r.waitState(tt.want, tt.within)
				if took := time.Since(r.start); took < tt.atLeast {
					t.Errorf("reached %s after %v, want at least %v", tt.want, took, tt.atLeast)
				}
				if !strings.Contains(st.Reason, tt.reason) {
					t.Errorf("reason = %q, want it to contain %q", st.Reason, tt.reason)
				}
				if ready, _ := r.n.counts(); ready != 1 {
					t.Errorf("READY sent %d times, want 1", ready)
				}
				if tt.want == netstate.APMode {
					if !st.APActive || st.HotspotSSID != "PiConfig-3ABC" {
						t.Errorf("ap_active=%v hotspot=%q, want true and PiConfig-3ABC", st.APActive, st.HotspotSSID)
					}
					if st.Link || st.Internet {
						t.Errorf("our own hotspot counted as online: link=%v internet=%v", st.Link, st.Internet)
					}
				}
			})
		})
	}
}

func TestLostLinkFallsBackAfterThreshold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
		w.ConnectNow("HomeNet")
		r := newRig(t, w, nil)
		r.run()
		defer r.stop()
		r.waitState(netstate.Client, time.Second)

		time.Sleep(45 * time.Second)
		lost := time.Now()
		w.SetDown("HomeNet", true)
		st := r.waitState(netstate.Checking, time.Second)
		if !strings.Contains(st.Reason, "not connected") {
			t.Errorf("reason = %q", st.Reason)
		}
		st = r.waitState(netstate.APMode, 2*time.Minute)
		took := time.Since(lost)
		if took < 60*time.Second || took > 100*time.Second {
			t.Errorf("fell back %v after the link was lost, want 3 periodic checks (60–90 s)", took)
		}
		if !st.ScannedAt.After(lost) {
			t.Errorf("no scan was taken before raising the hotspot")
		}
	})
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name       string
		creds      wifi.Credentials
		wantState  netstate.State
		wantReason wifi.Reason
		wantSaved  []string
	}{
		{"right password with quotes and dollar", wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`}, netstate.Client, "", []string{"HomeNet"}},
		{"wrong password", wifi.Credentials{SSID: "HomeNet", Password: "wrong-password"}, netstate.APMode, wifi.ReasonWrongPassword, []string{"Studio"}},
		{"network not found", wifi.Credentials{SSID: "Nowhere", Password: "whatever1"}, netstate.APMode, wifi.ReasonNotFound, []string{"Studio"}},
		{"no address", wifi.Credentials{SSID: "NoDHCP", Password: "password123"}, netstate.APMode, wifi.ReasonNoIP, []string{"Studio"}},
		{"hidden network typed by hand", wifi.Credentials{SSID: "Attic", Password: "hidden-pass", Hidden: true}, netstate.Client, "", []string{"Attic"}},
		{"hidden network not marked hidden", wifi.Credentials{SSID: "Attic", Password: "hidden-pass"}, netstate.APMode, wifi.ReasonNotFound, []string{"Studio"}},
		{"WPA3-only network", wifi.Credentials{SSID: "Studio", Password: "sae-only-pass"}, netstate.Client, "", []string{"Studio"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := homeWorld()
				// A network saved earlier whose router is off: the device is in AP mode.
				w.SavePassword(wifi.Credentials{SSID: "Studio", Password: "sae-only-pass"})
				w.SetDown("Studio", true)
				r := newRig(t, w, func(o *netstate.Options) { o.Settings.RetryInterval = 0 })
				r.run()
				defer r.stop()
				r.waitState(netstate.APMode, 2*time.Minute)
				w.SetDown("Studio", false)

				if err := r.m.Configure(context.Background(), tt.creds); err != nil {
					t.Fatalf("Configure: %v", err)
				}
				submitted := time.Now()
				st := r.waitFor("attempt finished", time.Minute, func(st netstate.Status) bool {
					return st.Attempt != nil && !st.Attempt.Running && st.Busy == ""
				})
				if st.State != tt.wantState {
					t.Errorf("state = %s, want %s (reason %q)", st.State, tt.wantState, st.Reason)
				}
				if st.Attempt.Reason != tt.wantReason {
					t.Errorf("attempt reason = %q, want %q", st.Attempt.Reason, tt.wantReason)
				}
				if took := time.Since(submitted); took > 45*time.Second {
					t.Errorf("attempt took %v, want ≤ 45 s", took)
				}
				saved, _ := w.Saved(context.Background())
				var got []string
				for _, p := range saved {
					got = append(got, p.SSID)
				}
				if diff := cmp.Diff(tt.wantSaved, got); diff != "" {
					t.Errorf("saved profiles (-want +got):\n%s", diff)
				}
				if tt.wantState == netstate.Client {
					if diff := cmp.Diff([]string{tt.creds.SSID}, r.p.get()); diff != "" {
						t.Errorf("persisted (-want +got):\n%s", diff)
					}
					if st.SSID != tt.creds.SSID || st.APActive {
						t.Errorf("ssid=%q ap_active=%v", st.SSID, st.APActive)
					}
				} else {
					if !st.APActive {
						t.Errorf("hotspot not back after a failed attempt")
					}
					if st.Attempt.Message == "" || st.Attempt.Hint == "" {
						t.Errorf("failed attempt without message or hint: %+v", st.Attempt)
					}
					if len(r.p.get()) != 0 {
						t.Errorf("a failed attempt was persisted: %v", r.p.get())
					}
				}
			})
		})
	}
}

func TestConfigureRejectsInvalidInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		r := newRig(t, w, nil)
		r.run()
		defer r.stop()
		r.waitState(netstate.APMode, 10*time.Second)
		before := w.Calls()
		for _, c := range []wifi.Credentials{
			{SSID: "", Password: "password1"},
			{SSID: strings.Repeat("x", 33), Password: "password1"},
			{SSID: "HomeNet", Password: "short"},
			{SSID: "HomeNet", Password: "tab\tinside"},
			{SSID: "HomeNet"},              // protected: needs a password
			{SSID: "Studio", Password: ""}, // likewise
		} {
			err := r.m.Configure(context.Background(), c)
			if !errors.Is(err, wifi.ErrInvalid) {
				t.Errorf("Configure(%v) = %v, want ErrInvalid", c, err)
			}
			if err != nil && strings.Contains(err.Error(), c.Password) && c.Password != "" {
				t.Errorf("error %q contains the password", err)
			}
		}
		if diff := cmp.Diff(before, w.Calls()); diff != "" {
			t.Errorf("invalid input changed something (-before +after):\n%s", diff)
		}
	})
}

// The original's defect: its lock-based "thread safety" deadlocked on the
// first successful configure. 50 concurrent configure requests: exactly one
// attempt runs, the others are told the device is busy, nothing deadlocks.
func TestConcurrentConfigure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		r := newRig(t, w, nil)
		r.run()
		defer r.stop()
		r.waitState(netstate.APMode, 10*time.Second)

		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted, busy := 0, 0
		for i := range 50 {
			wg.Go(func() {
				pw := `pa"ss $word\`
				if i%2 == 1 {
					pw = "wrong-password"
				}
				err := r.m.Configure(context.Background(), wifi.Credentials{SSID: "HomeNet", Password: pw})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					accepted++
				case errors.Is(err, netstate.ErrBusy):
					busy++
				default:
					t.Errorf("Configure: %v", err)
				}
			})
		}
		wg.Wait()
		if accepted != 1 || busy != 49 {
			t.Errorf("accepted=%d busy=%d, want 1 and 49", accepted, busy)
		}
		r.waitFor("attempt finished", time.Minute, func(st netstate.Status) bool {
			return st.Attempt != nil && !st.Attempt.Running && st.Busy == ""
		})
		if n := w.MaxConcurrent(); n != 1 {
			t.Errorf("%d network operations ran at once, want 1", n)
		}
		// And after it: the machine still answers.
		if _, err := r.m.Scan(context.Background(), false); err != nil {
			t.Errorf("Scan after the attempts: %v", err)
		}
	})
}

func TestComesBackAfterPowerCut(t *testing.T) {
	tests := []struct {
		name     string
		stations int
		touch    bool
		want     netstate.State
	}{
		{"nobody around: back to client", 0, false, netstate.Client},
		{"a phone on the hotspot: stay", 1, false, netstate.APMode},
		{"someone using the portal: stay", 0, true, netstate.APMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := homeWorld()
				w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
				w.SetDown("HomeNet", true)
				r := newRig(t, w, nil)
				r.run()
				defer r.stop()
				r.waitState(netstate.APMode, 2*time.Minute)
				w.SetStations(tt.stations)

				time.Sleep(30 * time.Second)
				back := time.Now()
				w.SetDown("HomeNet", false)
				deadline := time.After(5 * time.Minute)
				for tt.touch {
					r.m.Touch()
					select {
					case <-deadline:
						tt.touch = false
					case <-time.After(10 * time.Second):
						continue
					}
				}
				if tt.want == netstate.APMode {
					if tt.stations > 0 {
						time.Sleep(5 * time.Minute)
					}
					if st := r.m.Status(); st.State != netstate.APMode || !st.APActive {
						t.Fatalf("state=%s ap_active=%v: interrupted a person using the hotspot", st.State, st.APActive)
					}
					for _, c := range w.Calls() {
						if strings.HasPrefix(c, "Activate") {
							t.Errorf("tried a saved network while the hotspot was in use")
						}
					}
					return
				}
				st := r.waitState(netstate.Client, 5*time.Minute)
				if took := time.Since(back); took > 3*time.Minute {
					t.Errorf("back online %v after the router returned, want ≤ 3 min", took)
				}
				if !strings.Contains(st.Reason, "is back") {
					t.Errorf("reason = %q", st.Reason)
				}
			})
		})
	}
}

func TestScanWhileHotspotUpIsCached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		r := newRig(t, w, nil)
		r.run()
		defer r.stop()
		r.waitState(netstate.APMode, 10*time.Second)
		time.Sleep(3 * time.Minute)

		res, err := r.m.Scan(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Cached || !strings.Contains(res.Note, "3 minutes ago") {
			t.Errorf("cached=%v note=%q, want a cached list that says how old it is", res.Cached, res.Note)
		}
		var got []string
		for _, n := range res.Networks {
			got = append(got, fmt.Sprintf("%s %d %s", n.SSID, n.Signal, n.Security))
		}
		want := []string{"HomeNet 80 WPA2", "Studio 60 WPA3", "NoDHCP 40 WPA2"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("networks (-want +got):\n%s", diff)
		}

		res, err = r.m.Scan(context.Background(), true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Cached || time.Since(res.ScannedAt) > 10*time.Second {
			t.Errorf("forced rescan: cached=%v scanned %v ago", res.Cached, time.Since(res.ScannedAt))
		}
		if st := r.m.Status(); st.State != netstate.APMode || !st.APActive {
			t.Errorf("after a forced rescan: state=%s ap_active=%v, want the hotspot back", st.State, st.APActive)
		}
	})
}

func TestForgetAndHotspotCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
		w.ConnectNow("HomeNet")
		r := newRig(t, w, nil)
		r.run()
		defer r.stop()
		r.waitState(netstate.Client, time.Second)

		if err := r.m.Hotspot(context.Background(), true); err != nil {
			t.Fatalf("hotspot on: %v", err)
		}
		r.waitState(netstate.APMode, 20*time.Second)
		time.Sleep(10 * time.Minute) // started by hand: no automatic retry
		if st := r.m.Status(); st.State != netstate.APMode {
			t.Fatalf("a hotspot started by hand was taken down: %s", st.Reason)
		}
		if err := r.m.Hotspot(context.Background(), false); err != nil {
			t.Fatalf("hotspot off: %v", err)
		}
		r.waitState(netstate.Client, time.Minute)

		if err := r.m.Forget(context.Background()); err != nil {
			t.Fatalf("forget: %v", err)
		}
		st := r.waitState(netstate.APMode, 20*time.Second)
		if st.SavedSSID != "" {
			t.Errorf("saved_ssid = %q after forget", st.SavedSSID)
		}
		if diff := cmp.Diff([]string{"HomeNet", ""}, r.p.get()); diff != "" {
			t.Errorf("persisted (-want +got):\n%s", diff)
		}
		if err := r.m.Hotspot(context.Background(), false); !errors.Is(err, netstate.ErrNothingSaved) {
			t.Errorf("hotspot off with nothing saved = %v, want ErrNothingSaved", err)
		}
	})
}

func TestShutdownTakesHotspotDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		r := newRig(t, w, nil)
		r.run()
		r.waitState(netstate.APMode, 10*time.Second)
		r.stop()
		calls := w.Calls()
		if calls[len(calls)-1] != "HotspotDown" {
			t.Errorf("last operation %q, want HotspotDown", calls[len(calls)-1])
		}
		if _, err := r.m.Scan(context.Background(), false); !errors.Is(err, netstate.ErrStopped) {
			t.Errorf("Scan after stop = %v, want ErrStopped", err)
		}
		if _, pets := r.n.counts(); pets == 0 {
			t.Errorf("watchdog never petted")
		}
	})
}

// A network someone else saved (Raspberry Pi Imager's "preconfigured")
// counts as saved and is never deleted.
func TestForeignProfileIsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		w.SaveForeign(wifi.Credentials{SSID: "Studio", Password: "sae-only-pass"})
		w.SetDown("Studio", true)
		r := newRig(t, w, func(o *netstate.Options) { o.Settings.RetryInterval = 0 })
		r.run()
		defer r.stop()
		st := r.waitState(netstate.APMode, 2*time.Minute)
		if !strings.Contains(st.Reason, "consecutive failed checks") {
			t.Errorf("reason %q: a foreign saved network must count as saved", st.Reason)
		}
		if err := r.m.Configure(context.Background(), wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`}); err != nil {
			t.Fatal(err)
		}
		r.waitState(netstate.Client, time.Minute)
		if err := r.m.Forget(context.Background()); err != nil {
			t.Fatal(err)
		}
		saved, _ := w.Saved(context.Background())
		if len(saved) != 1 || saved[0].SSID != "Studio" || !saved[0].Foreign {
			t.Errorf("saved = %+v, want only the foreign Studio", saved)
		}
	})
}

// A hotspot left up by a killed daemon is adopted when nothing is saved,
// and taken down when a saved network may work.
func TestHotspotLeftUpByPreviousRun(t *testing.T) {
	for _, saved := range []bool{false, true} {
		t.Run(fmt.Sprintf("saved=%v", saved), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := homeWorld()
				if saved {
					w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
				}
				w.HotspotUp(context.Background(), wifi.Hotspot{SSID: "PiConfig-3ABC"})
				r := newRig(t, w, nil)
				r.run()
				defer r.stop()
				if !saved {
					st := r.waitState(netstate.APMode, time.Second)
					if !st.APActive {
						t.Error("adopted hotspot not reported active")
					}
					return
				}
				st := r.waitFor("first check", time.Second, func(st netstate.Status) bool { return st.Reason != "starting" })
				if st.State != netstate.Checking || st.APActive {
					t.Errorf("state %s ap_active %v", st.State, st.APActive)
				}
				if st.APActive {
					t.Error("hotspot still up")
				}
				if l, _ := w.Link(context.Background()); l.Mode == wifi.ModeAP {
					t.Error("the old hotspot was left up")
				}
			})
		})
	}
}

// At boot NetworkManager may need longer than the threshold to connect
// (slow DHCP): its verdict is awaited, the hotspot does not come up.
func TestSlowConnectAtBootIsAwaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		w.SavePassword(wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`})
		w.Autoconnect("HomeNet", 55*time.Second)
		r := newRig(t, w, func(o *netstate.Options) { o.Settings.CheckInterval = 10 * time.Second })
		r.run()
		defer r.stop()
		st := r.waitState(netstate.Client, 2*time.Minute)
		for _, c := range w.Calls() {
			if c == "HotspotUp" {
				t.Errorf("the hotspot came up while NetworkManager was still connecting")
			}
		}
		if st.FailedChecks != 0 {
			t.Errorf("failed_checks = %d", st.FailedChecks)
		}
	})
}

// Credentials preseeded on the boot partition are tried before the first
// decision: no hotspot first.
func TestPreseedIsTriedFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := homeWorld()
		r := newRig(t, w, func(o *netstate.Options) {
			o.First = &wifi.Credentials{SSID: "HomeNet", Password: `pa"ss $word\`}
		})
		r.run()
		defer r.stop()
		st := r.waitState(netstate.Client, time.Minute)
		if st.Attempt == nil || !st.Attempt.Success {
			t.Errorf("attempt = %+v, want a successful one", st.Attempt)
		}
		for _, c := range w.Calls() {
			if c == "HotspotUp" {
				t.Errorf("the hotspot came up before the preseeded network was tried: %v", w.Calls())
			}
		}
		if ready, _ := r.n.counts(); ready != 1 {
			t.Errorf("READY sent %d times", ready)
		}
	})
}
