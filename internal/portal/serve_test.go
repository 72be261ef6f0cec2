package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
)

type listenEvent struct {
	addr string
	up   bool
}

// hookListeners reports listener starts and stops on a channel.
func hookListeners(t *testing.T) <-chan listenEvent {
	ch := make(chan listenEvent, 16)
	listenHook = func(addr string, up bool) { ch <- listenEvent{addr, up} }
	t.Cleanup(func() { listenHook = nil })
	return ch
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func get(t *testing.T, url string) (int, error) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// TestServeFollowsAPMode: listeners exist exactly while the state is
// AP_MODE (the hotspot address is loopback here).
func TestServeFollowsAPMode(t *testing.T) {
	events := hookListeners(t)
	f := newFake()
	f.set(func(st *netstate.Status) { st.State = netstate.Checking })
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- Serve(ctx, f, Options{Addr: netip.MustParseAddr("127.0.0.1"), Ports: []int{port, 0}})
	}()
	if _, err := get(t, "http://"+addr+"/api/status"); err == nil {
		t.Error("portal served while CHECKING")
	}
	for round := range 2 {
		f.set(func(st *netstate.Status) { st.State = netstate.APMode })
		if ev := <-events; ev != (listenEvent{addr, true}) {
			t.Fatalf("round %d: event %+v, want %s up", round, ev, addr)
		}
		if code, err := get(t, "http://"+addr+"/api/status"); err != nil || code != 200 {
			t.Errorf("round %d: AP mode: %d %v", round, code, err)
		}
		f.set(func(st *netstate.Status) { st.State = netstate.Client })
		if ev := <-events; ev != (listenEvent{addr, false}) {
			t.Fatalf("round %d: event %+v, want %s down", round, ev, addr)
		}
		if _, err := get(t, "http://"+addr+"/api/status"); err == nil {
			t.Errorf("round %d: portal still served in CLIENT", round)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// TestServeListen: the demo serves its explicit address always, and that
// address (with the port the kernel chose) is one of the portal's hosts.
func TestServeListen(t *testing.T) {
	events := hookListeners(t)
	f := newFake()
	f.set(func(st *netstate.Status) { st.State = netstate.Client })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- Serve(ctx, f, Options{Listen: []string{"127.0.0.1:0"}}) }()
	ev := <-events
	if code, err := get(t, "http://"+ev.addr+"/"); err != nil || code != 200 {
		t.Errorf("GET / = %d %v, want 200", code, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if ev := <-events; ev.up {
		t.Errorf("event %+v, want down", ev)
	}
}

func TestServeListenBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := Serve(t.Context(), newFake(), Options{Listen: []string{ln.Addr().String()}}); err == nil {
		t.Error("Serve on a taken address returned nil")
	}
}

// recorder keeps log records for assertions.
type recorder struct {
	mu   sync.Mutex // guards msgs
	msgs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// TestBindRetries: while the hotspot address is not there yet, bind keeps
// trying, says so once after the fast phase, and gives up only when told.
func TestBindRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		// 192.0.2.1 (TEST-NET-1) is on no interface: binding fails with
		// "cannot assign requested address", and no packet is sent.
		if ln := bind(ctx, "192.0.2.1:8080", slog.New(rec)); ln != nil {
			ln.Close()
			t.Skip("192.0.2.1 is assigned on this machine")
		}
		if d := time.Since(start); d != time.Minute {
			t.Errorf("bind gave up after %v, want when ctx ended (1m)", d)
		}
		if diff := cmp.Diff([]string{"portal cannot listen; still trying"}, rec.msgs); diff != "" {
			t.Errorf("logs (-want +got):\n%s", diff)
		}
	})
}
