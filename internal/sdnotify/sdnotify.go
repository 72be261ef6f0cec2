// Package sdnotify tells systemd about the daemon (sd_notify): ready after
// the first state decision, a status line on every transition, watchdog pets
// from the owner loop, and stopping at shutdown. Without NOTIFY_SOCKET (not
// run by systemd, or Type= is not notify) every method does nothing.
package sdnotify

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Notifier implements netstate.Notifier. The zero value and a nil *Notifier
// are usable and silent apart from sending.
type Notifier struct {
	log *slog.Logger
	// failing is set after a send failed and logged, so that a broken socket
	// is reported once rather than on every watchdog pet.
	failing atomic.Bool
}

// New returns a Notifier that logs failed sends to log (nil: not logged).
func New(log *slog.Logger) *Notifier {
	if log != nil {
		log = log.With("component", "sdnotify")
	}
	return &Notifier{log: log}
}

// Ready sends READY=1: startup is complete (call it after the first state
// decision, so that `systemctl start` returns once the device is useful).
func (n *Notifier) Ready() { n.send(daemon.SdNotifyReady) }

// Status sends STATUS=line, shown by `systemctl status`. Line breaks would
// end the field early, so they become spaces.
func (n *Notifier) Status(line string) {
	n.send("STATUS=" + strings.Join(strings.Fields(line), " "))
}

// Watchdog sends WATCHDOG=1. It costs one datagram; call it at half of
// WatchdogInterval from the loop whose liveness it vouches for.
func (n *Notifier) Watchdog() { n.send(daemon.SdNotifyWatchdog) }

// Stopping sends STOPPING=1 when shutdown begins.
func (n *Notifier) Stopping() { n.send(daemon.SdNotifyStopping) }

// Reloading sends RELOADING=1 followed later by Ready when a reload is done.
func (n *Notifier) Reloading() { n.send(daemon.SdNotifyReloading) }

func (n *Notifier) send(state string) {
	if n == nil {
		return
	}
	_, err := daemon.SdNotify(false, state)
	if err == nil {
		if n.failing.Swap(false) && n.log != nil {
			n.log.Info("notify socket works again")
		}
		return
	}
	if !n.failing.Swap(true) && n.log != nil {
		n.log.Warn("cannot notify systemd; the watchdog may restart the service", "state", state, "err", err)
	}
}

// WatchdogInterval is the service's WatchdogSec for this process, or 0 when
// the watchdog is off (or meant for another process). Pet at half of it.
func WatchdogInterval() time.Duration {
	d, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		return 0
	}
	return d
}
