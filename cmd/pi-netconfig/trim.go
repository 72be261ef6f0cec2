package main

import (
	"runtime/debug"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
)

// trimming passes the service notifications on and, after each state
// transition (a burst of D-Bus traffic, scans and probes has just ended),
// returns the garbage of that burst to the kernel, so resident memory
// stays near the live heap on a 512 MB Pi Zero. Transitions are rare; the
// collection runs off the owner goroutine.
type trimming struct{ netstate.Notifier }

func (t trimming) Status(line string) {
	t.Notifier.Status(line)
	go debug.FreeOSMemory()
}
