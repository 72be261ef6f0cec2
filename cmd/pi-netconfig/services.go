package main

import (
	"context"
	"log/slog"
	"net"
	"sync"

	"github.com/pi-netconfig/pi-netconfig/internal/control"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/portal"
)

// services are the daemon's three long-running parts: the state machine,
// the control socket and the portal. The first to fail stops the others.
type services struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// failed delivers the first error (or nil) of a part that returned
	// before ctx ended.
	failed chan error
}

func startServices(ctx context.Context, m *netstate.Machine, ln net.Listener, popts portal.Options, log *slog.Logger) *services {
	ctx, cancel := context.WithCancel(ctx)
	s := &services{cancel: cancel, failed: make(chan error, 3)}
	s.wg.Go(func() { s.failed <- m.Run(ctx) })
	s.wg.Go(func() { s.failed <- control.Serve(ctx, ln, controlHandler(m, log)) })
	s.wg.Go(func() { s.failed <- portal.Serve(ctx, m, popts) })
	return s
}

// stop ends every part and waits for them (the state machine takes the
// hotspot down on its way out).
func (s *services) stop() {
	s.cancel()
	s.wg.Wait()
}
