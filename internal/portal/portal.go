// Package portal is pi-netconfig's captive portal: the setup page a person
// opens on their phone, the JSON API behind it (compatible with the original
// tool's /api/scan, /api/configure and /api/status), the answers to the
// operating systems' captive-portal probes, and the dnsmasq drop-in that
// points every DNS name and DHCP option 114 at it.
//
// The portal is an open door on the hotspot: it serves only its own hosts
// (anything else is redirected, which blocks DNS rebinding), limits bodies,
// rate-limits connection attempts, needs JSON or a form token for anything
// that changes state, and never echoes, logs or redirects with a password.
package portal

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// Daemon is what the portal needs from the state machine;
// *netstate.Machine implements it.
type Daemon interface {
	// Status returns the current immutable snapshot.
	Status() netstate.Status
	// Watch returns the current snapshot and a channel that is closed when
	// a newer snapshot exists.
	Watch() (netstate.Status, <-chan struct{})
	// Scan returns the networks in range, or the list cached before the
	// hotspot came up (Cached set). With force it takes the hotspot down
	// for the few seconds a scan needs.
	Scan(ctx context.Context, force bool) (netstate.ScanResult, error)
	// Configure starts a connection attempt and returns as soon as it is
	// accepted (nil), refused because one is running (netstate.ErrBusy) or
	// invalid (wraps wifi.ErrInvalid). The outcome shows in Status().Attempt.
	Configure(ctx context.Context, c wifi.Credentials) error
	// Forget deletes the networks pi-netconfig saved.
	Forget(ctx context.Context) error
	// Hotspot starts (on) or stops the hotspot by hand.
	Hotspot(ctx context.Context, on bool) error
	// Touch records portal activity, so the daemon does not interrupt a
	// person using the portal.
	Touch()
}

// Compile-time proof that the state machine is a Daemon.
var _ Daemon = (*netstate.Machine)(nil)

// Options configure the portal.
type Options struct {
	// Addr is the hotspot address (192.168.50.1), the portal's canonical host.
	Addr netip.Addr
	// Ports are the ports served on Addr in AP mode (8080 and 80); 0 is off.
	Ports []int
	// Listen, when set (demo), are explicit listen addresses such as
	// "127.0.0.1:8080": they are served always, not only in AP mode, and
	// their host:ports count as the portal's own hosts.
	Listen []string
	// DeviceName is shown on the page, e.g. the hostname.
	DeviceName string
	// Log receives the portal's logs; nil discards them.
	Log *slog.Logger
}

// DefaultAddr is the hotspot address SPEC section 3 fixes.
var DefaultAddr = netip.MustParseAddr("192.168.50.1")

func (o Options) addr() netip.Addr {
	if o.Addr.IsValid() {
		return o.Addr
	}
	return DefaultAddr
}

func (o Options) logger() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// ports returns the non-zero ports, 8080 and 80 when none are given.
func (o Options) ports() []int {
	var ps []int
	for _, p := range o.Ports {
		if p > 0 && p < 65536 {
			ps = append(ps, p)
		}
	}
	if len(o.Ports) == 0 {
		ps = []int{8080, 80}
	}
	return ps
}

// portalURL is where probes and foreign hosts are sent: the first Listen
// address in demo mode, else the hotspot address on port 80 when it is
// served, else on the first port.
func (o Options) portalURL() string {
	if len(o.Listen) > 0 {
		return "http://" + o.Listen[0] + "/"
	}
	host := o.addr().String()
	ps := o.ports()
	for _, p := range ps {
		if p == 80 {
			return "http://" + host + "/"
		}
	}
	if len(ps) > 0 {
		return "http://" + host + ":" + strconv.Itoa(ps[0]) + "/"
	}
	return "http://" + host + "/"
}

// hosts is the set of Host header values the portal serves.
func (o Options) hosts() map[string]bool {
	h := map[string]bool{}
	a := o.addr().String()
	for _, p := range o.ports() {
		h[a+":"+strconv.Itoa(p)] = true
		if p == 80 {
			h[a] = true
		}
	}
	for _, l := range o.Listen {
		h[strings.ToLower(l)] = true
		if host, port, err := net.SplitHostPort(l); err == nil && port == "80" {
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			h[strings.ToLower(host)] = true
		}
	}
	return h
}

// Handler is the full portal: page, form, JSON API, probes and host checks.
func Handler(d Daemon, opts Options) http.Handler {
	return newServer(d, opts)
}

// APIHandler is the JSON API alone (same routes and shapes) for the
// root-only Unix control socket: no Host checks, no rate limit, no form
// token, and Status includes hotspot_password. It adds POST /api/forget and
// POST /api/hotspot {"on":bool}, which the portal does not offer.
func APIHandler(d Daemon, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{d: d, log: log.With("component", "control-api"), trusted: true}
	mux := http.NewServeMux()
	a.routes(mux)
	return mux
}
