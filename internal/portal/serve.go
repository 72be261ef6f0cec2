package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
)

// Binding the hotspot address can fail for a moment after AP_MODE is
// entered: NetworkManager adds the address as the hotspot comes up.
const (
	bindRetry     = 250 * time.Millisecond
	bindRetrySlow = 2 * time.Second
	bindFastFor   = 15 * time.Second
	shutdownWait  = 2 * time.Second
)

// listenHook, when set (tests), hears each listener start (up) and stop.
var listenHook func(addr string, up bool)

// Serve runs the portal until ctx ends. It watches d and serves on
// Addr:Ports while the state is AP_MODE, closing the listeners when it
// leaves AP_MODE. With Listen set (demo) it serves those addresses always,
// and fails at once if one cannot be bound.
func Serve(ctx context.Context, d Daemon, opts Options) error {
	log := opts.logger().With("component", "portal")
	if len(opts.Listen) > 0 {
		return serveAlways(ctx, d, opts, log)
	}
	// cur is the hotspot listeners' run while in AP mode, nil otherwise.
	type run struct {
		stop context.CancelFunc
		done chan struct{}
	}
	var cur *run
	halt := func() {
		if cur != nil {
			cur.stop()
			<-cur.done
			cur = nil
		}
	}
	defer halt()
	h := Handler(d, opts)
	for {
		st, changed := d.Watch()
		want := st.State == netstate.APMode
		switch {
		case want && cur == nil:
			sctx, stop := context.WithCancel(ctx)
			r := &run{stop: stop, done: make(chan struct{})}
			go func() {
				defer close(r.done)
				serveHotspot(sctx, h, opts, log)
			}()
			cur = r
		case !want && cur != nil:
			log.Info("leaving AP mode: portal stops", "state", st.State)
			halt()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// serveAlways is the demo: explicit addresses, served until ctx ends.
func serveAlways(ctx context.Context, d Daemon, opts Options, log *slog.Logger) error {
	var lns []net.Listener
	var lc net.ListenConfig
	for _, a := range opts.Listen {
		ln, err := lc.Listen(ctx, "tcp", a)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("portal: listen on %s: %w", a, err)
		}
		lns = append(lns, ln)
	}
	// The actual addresses (a port 0 was chosen by the kernel) are the
	// portal's own hosts.
	opts.Listen = opts.Listen[:0:0]
	for _, ln := range lns {
		opts.Listen = append(opts.Listen, ln.Addr().String())
	}
	h := Handler(d, opts)
	var wg sync.WaitGroup
	for _, ln := range lns {
		wg.Go(func() { serveListener(ctx, h, ln, log) })
	}
	log.Info("portal serving", "addrs", opts.Listen)
	wg.Wait()
	return nil
}

// serveHotspot binds every port on the hotspot address (retrying while the
// address is not there yet) and serves until ctx ends.
func serveHotspot(ctx context.Context, h http.Handler, opts Options, log *slog.Logger) {
	var wg sync.WaitGroup
	for _, p := range opts.ports() {
		addr := netip.AddrPortFrom(opts.addr(), uint16(p)).String()
		wg.Go(func() {
			ln := bind(ctx, addr, log)
			if ln == nil {
				return
			}
			log.Info("portal serving", "addr", addr)
			serveListener(ctx, h, ln, log)
		})
	}
	wg.Wait()
}

// bind listens on addr, retrying quickly at first and then slowly, until it
// works or ctx ends (nil).
func bind(ctx context.Context, addr string, log *slog.Logger) net.Listener {
	var lc net.ListenConfig
	start := time.Now()
	warned := false
	for {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err == nil {
			return ln
		}
		wait := bindRetry
		if time.Since(start) > bindFastFor {
			wait = bindRetrySlow
			if !warned {
				log.Error("portal cannot listen; still trying", "addr", addr, "err", err)
				warned = true
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// serveListener serves h on ln until ctx ends, then shuts down gracefully
// (an answer in flight, such as "connecting", still reaches the phone).
func serveListener(ctx context.Context, h http.Handler, ln net.Listener, log *slog.Logger) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	addr := ln.Addr().String()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if listenHook != nil {
		listenHook(addr, true)
		defer listenHook(addr, false)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("portal stopped", "addr", addr, "err", err)
		}
		return
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-errc
	log.Debug("portal listener closed", "addr", addr)
}
