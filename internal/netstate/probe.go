package netstate

import (
	"context"
	"net"
)

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, hosts []string) bool

// Reachable implements Prober.
func (f ProberFunc) Reachable(ctx context.Context, hosts []string) bool { return f(ctx, hosts) }

// TCPProber dials the hosts at once; the first accepted connection wins.
type TCPProber struct{}

// Reachable implements Prober.
func (TCPProber) Reachable(ctx context.Context, hosts []string) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ok := make(chan bool, len(hosts))
	var d net.Dialer
	for _, h := range hosts {
		go func() {
			c, err := d.DialContext(ctx, "tcp", h)
			if err == nil {
				c.Close()
			}
			ok <- err == nil
		}()
	}
	for range hosts {
		if <-ok {
			return true
		}
	}
	return false
}
