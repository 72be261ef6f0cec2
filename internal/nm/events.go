package nm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// refindTimeout bounds the search for the device after NetworkManager
// came back.
const refindTimeout = 30 * time.Second

// managerProps are the NetworkManager properties whose change is an event.
var managerProps = []string{
	"State", "Connectivity", "PrimaryConnection", "ActiveConnections",
	"WirelessEnabled", "WirelessHardwareEnabled",
}

// matches are the long-lived match rules. The sender is the well-known
// name, which the bus resolves to whoever owns it now, so the rules outlive
// a NetworkManager restart; the device rule has no path, because the path
// changes on restart: readSignals filters by the current one.
func (c *Client) matches() [][]dbus.MatchOption {
	return [][]dbus.MatchOption{
		{dbus.WithMatchSender(busName), dbus.WithMatchInterface(ifaceDevice), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(nmPath), dbus.WithMatchInterface(ifaceProps), dbus.WithMatchMember("PropertiesChanged")},
		{dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(nmPath), dbus.WithMatchInterface(ifaceNM), dbus.WithMatchMember("DeviceRemoved")},
		{dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(nmPath), dbus.WithMatchInterface(ifaceNM), dbus.WithMatchMember("DeviceAdded")},
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, busName)},
	}
}

func (c *Client) subscribe(ctx context.Context) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	for _, m := range c.matches() {
		if err := c.conn.AddMatchSignalContext(ctx, m...); err != nil {
			return fmt.Errorf("subscribe to NetworkManager signals: %w", err)
		}
	}
	c.mu.Lock()
	c.subs++
	c.mu.Unlock()
	return nil
}

// readSignals is the one goroutine that drains the connection's signal
// channel. It never calls NetworkManager itself (a re-find runs in its own
// goroutine) and never blocks on the state machine (emit drops duplicates).
func (c *Client) readSignals() {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case s, ok := <-c.signals:
			if !ok {
				return
			}
			c.handle(s)
		}
	}
}

func (c *Client) handle(s *dbus.Signal) {
	switch s.Name {
	case "org.freedesktop.DBus.NameOwnerChanged":
		if len(s.Body) < 3 {
			return
		}
		name, _ := s.Body[0].(string)
		newOwner, _ := s.Body[2].(string)
		if name != busName {
			return
		}
		c.mu.Lock()
		c.dev = devInfo{} // object paths die with the process
		c.refindID++
		gen := c.refindID
		c.mu.Unlock()
		if newOwner == "" {
			c.log.Warn("NetworkManager stopped")
			c.emit("NetworkManager stopped")
			return
		}
		c.log.Info("NetworkManager started again; finding the device")
		c.wg.Add(1)
		go c.refind(gen)

	case ifaceNM + ".DeviceRemoved":
		p, _ := firstPath(s)
		c.mu.Lock()
		d := c.dev
		ours := d.path != "" && p == d.path
		if ours {
			c.dev = devInfo{} // the next call looks again
		}
		c.mu.Unlock()
		if ours {
			c.log.Warn("WiFi device removed", "iface", d.iface)
			c.emit("device " + d.iface + " removed")
		}

	case ifaceNM + ".DeviceAdded":
		c.mu.Lock()
		missing := c.dev.path == ""
		c.mu.Unlock()
		if missing {
			c.emit("a device was added")
		}

	case ifaceDevice + ".StateChanged":
		c.mu.Lock()
		d := c.dev
		c.mu.Unlock()
		if d.path == "" || s.Path != d.path || len(s.Body) < 3 {
			return
		}
		st, _ := s.Body[0].(uint32)
		old, _ := s.Body[1].(uint32)
		r, _ := s.Body[2].(uint32)
		c.log.Debug("device state changed", "iface", d.iface, "state", devStateName(st), "old", devStateName(old), "reason", devReasonName(r))
		c.emit(fmt.Sprintf("device %s: %s -> %s (%s)", d.iface, devStateName(old), devStateName(st), devReasonName(r)))

	case ifaceProps + ".PropertiesChanged":
		if s.Path != nmPath || len(s.Body) < 2 {
			return
		}
		if iface, _ := s.Body[0].(string); iface != ifaceNM {
			return
		}
		changed, _ := s.Body[1].(map[string]dbus.Variant)
		var keys []string
		for _, k := range managerProps {
			if _, ok := changed[k]; ok {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			c.emit("NetworkManager " + strings.Join(keys, ", ") + " changed")
		}
	}
}

// refind looks for the device after NetworkManager restarted, re-adds the
// match rules, and tells the state machine. A newer restart (gen) wins.
func (c *Client) refind(gen int) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), refindTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := c.subscribe(ctx); err != nil {
		c.log.Warn("cannot subscribe again after NetworkManager restarted", "err", err)
	}
	d, err := c.findDevice(ctx)
	c.mu.Lock()
	current := gen == c.refindID
	if err == nil && current {
		c.dev = d
	}
	c.mu.Unlock()
	if !current {
		return
	}
	if err != nil {
		c.log.Warn("device not found after NetworkManager restarted", "err", err)
	} else {
		c.log.Info("device found again", "iface", d.iface, "path", string(d.path))
	}
	c.emit("NetworkManager restarted")
}

func firstPath(s *dbus.Signal) (dbus.ObjectPath, bool) {
	if len(s.Body) < 1 {
		return "", false
	}
	p, ok := s.Body[0].(dbus.ObjectPath)
	return p, ok
}
