package sdnotify

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSocket listens where systemd's NOTIFY_SOCKET would be.
func fakeSocket(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return c
}

func read(t *testing.T, c *net.UnixConn, n int) []string {
	t.Helper()
	// A deadline only so that a broken test fails instead of hanging; the
	// datagrams are already queued when read is called.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []string
	buf := make([]byte, 4096)
	for range n {
		k, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read datagram %d: %v", len(out)+1, err)
		}
		out = append(out, string(buf[:k]))
	}
	return out
}

func TestSends(t *testing.T) {
	tests := []struct {
		name string
		do   func(n *Notifier)
		want []string
	}{
		{"ready", (*Notifier).Ready, []string{"READY=1"}},
		{"watchdog", (*Notifier).Watchdog, []string{"WATCHDOG=1"}},
		{"stopping", (*Notifier).Stopping, []string{"STOPPING=1"}},
		{"reloading", (*Notifier).Reloading, []string{"RELOADING=1"}},
		{"status", func(n *Notifier) { n.Status("AP_MODE: hotspot PiConfig-AB12") }, []string{"STATUS=AP_MODE: hotspot PiConfig-AB12"}},
		{"status line breaks", func(n *Notifier) { n.Status("CLIENT\nREADY=1 ") }, []string{"STATUS=CLIENT READY=1"}},
		{"sequence", func(n *Notifier) {
			n.Status("CHECKING")
			n.Ready()
			n.Watchdog()
			n.Stopping()
		}, []string{"STATUS=CHECKING", "READY=1", "WATCHDOG=1", "STOPPING=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sock := fakeSocket(t)
			tt.do(New(nil))
			got := read(t, sock, len(tt.want))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("datagrams (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoSocketIsNoOp(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	var buf bytes.Buffer
	n := New(slog.New(slog.NewTextHandler(&buf, nil)))
	n.Ready()
	n.Status("x")
	n.Watchdog()
	n.Stopping()
	var nilN *Notifier
	nilN.Ready()
	nilN.Watchdog()
	if buf.Len() != 0 {
		t.Errorf("logged without a socket: %s", buf.String())
	}
}

func TestBrokenSocketLoggedOnce(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "gone"))
	var buf bytes.Buffer
	n := New(slog.New(slog.NewTextHandler(&buf, nil)))
	for range 3 {
		n.Watchdog()
	}
	if got := strings.Count(buf.String(), "cannot notify systemd"); got != 1 {
		t.Errorf("logged %d warnings, want 1:\n%s", got, buf.String())
	}
}

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		name, usec, pid string
		want            time.Duration
	}{
		{"off", "", "", 0},
		{"on", "30000000", self, 30 * time.Second},
		{"on without pid", "10000000", "", 10 * time.Second},
		{"other process", "30000000", "1", 0},
		{"garbage", "soon", self, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)
			if got := WatchdogInterval(); got != tt.want {
				t.Errorf("WatchdogInterval() = %v, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkWatchdog is the cost of one WATCHDOG=1 (the owner loop pays it
// every WatchdogSec/2).
func BenchmarkWatchdog(b *testing.B) {
	path := filepath.Join(b.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	b.Setenv("NOTIFY_SOCKET", path)
	n := New(nil)
	b.ReportAllocs()
	for b.Loop() {
		n.Watchdog()
	}
}
