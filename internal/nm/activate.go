package nm

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// cleanupTimeout bounds the deactivation of a half-done attempt after the
// caller's context has ended.
const cleanupTimeout = 5 * time.Second

// Activate activates a saved profile on the device and waits for the
// outcome: nil when activated, *wifi.ConnectError when NetworkManager gives
// up (classified from its reasons) or when ctx ends first (ReasonTimeout;
// the half-done activation is deactivated).
func (c *Client) Activate(ctx context.Context, id string) error {
	d, err := c.device(ctx)
	if err != nil {
		return fmt.Errorf("activate %s: %w", id, err)
	}
	p, err := c.connByUUID(ctx, id)
	if err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	return c.activate(ctx, d, p, id)
}

// activate activates the connection at p on d and waits. It subscribes
// before activating and reads the state once afterwards, so an outcome
// reached before the first signal is not missed.
func (c *Client) activate(ctx context.Context, d devInfo, p dbus.ObjectPath, id string) error {
	sigs := make(chan *dbus.Signal, 64)
	c.conn.Signal(sigs)
	defer c.conn.RemoveSignal(sigs)
	matches := [][]dbus.MatchOption{
		{dbus.WithMatchSender(busName), dbus.WithMatchInterface(ifaceActive), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(d.path), dbus.WithMatchInterface(ifaceDevice), dbus.WithMatchMember("StateChanged")},
	}
	for _, m := range matches {
		if err := c.conn.AddMatchSignalContext(ctx, m...); err != nil {
			return fmt.Errorf("activate %s: subscribe: %w", id, err)
		}
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		for _, m := range matches {
			_ = c.conn.RemoveMatchSignalContext(rctx, m...)
		}
	}()

	var acPath dbus.ObjectPath
	if err := c.call(ctx, nmPath, ifaceNM+".ActivateConnection", []any{p, d.path, dbus.ObjectPath("/")}, &acPath); err != nil {
		if ctx.Err() != nil {
			return &wifi.ConnectError{Reason: wifi.ReasonTimeout, Detail: "NetworkManager did not accept the activation in time"}
		}
		return fmt.Errorf("activate %s on %s: %w", id, d.iface, err)
	}
	c.log.Info("activating", "iface", d.iface, "id", id)

	var at attempt
	// The outcome may have come before ActivateConnection answered. The
	// state read here is answered after every signal NetworkManager sent
	// before it, so those are already queued in sigs: take them into
	// account before deciding.
	var state uint32
	err := c.prop(ctx, acPath, ifaceActive, "State", &state)
	gone := dbusErrName(err) == errUnknownObject || dbusErrName(err) == errUnknownMethod
	if gone || err == nil && (state == acStateActivated || state == acStateDeactivated) {
		if done, err := c.drain(ctx, sigs, d, acPath, id, &at); done {
			return err
		}
		if err == nil && state == acStateActivated {
			c.log.Info("activated", "iface", d.iface, "id", id)
			return nil
		}
		return c.failed(ctx, d, id, at)
	}

	for {
		select {
		case <-ctx.Done():
			c.abandon(ctx, acPath, d, id)
			return &wifi.ConnectError{Reason: wifi.ReasonTimeout, Detail: "no outcome before the deadline; the attempt was stopped"}
		case s := <-sigs:
			if done, err := c.step(ctx, s, d, acPath, id, &at); done {
				return err
			}
		}
	}
}

// drain takes the signals already queued into account.
func (c *Client) drain(ctx context.Context, sigs <-chan *dbus.Signal, d devInfo, acPath dbus.ObjectPath, id string, at *attempt) (done bool, err error) {
	for {
		select {
		case s := <-sigs:
			if done, err := c.step(ctx, s, d, acPath, id, at); done {
				return true, err
			}
		default:
			return false, nil
		}
	}
}

// step takes one signal during an activation into account; done reports
// that the outcome is known, err is it.
func (c *Client) step(ctx context.Context, s *dbus.Signal, d devInfo, acPath dbus.ObjectPath, id string, at *attempt) (done bool, err error) {
	switch {
	case s.Name == "org.freedesktop.DBus.NameOwnerChanged" && len(s.Body) >= 1 && s.Body[0] == busName:
		return true, &wifi.ConnectError{Reason: wifi.ReasonOther, Detail: "NetworkManager stopped during the attempt"}
	case s.Path == acPath && s.Name == ifaceActive+".StateChanged" && len(s.Body) >= 2:
		st, _ := s.Body[0].(uint32)
		r, _ := s.Body[1].(uint32)
		switch st {
		case acStateActivated:
			c.log.Info("activated", "iface", d.iface, "id", id)
			return true, nil
		case acStateDeactivated:
			at.acReason = r
			return true, c.failed(ctx, d, id, *at)
		}
	case s.Path == d.path && s.Name == ifaceDevice+".StateChanged" && len(s.Body) >= 3:
		st, _ := s.Body[0].(uint32)
		r, _ := s.Body[2].(uint32)
		c.log.Debug("device state", "iface", d.iface, "state", devStateName(st), "reason", devReasonName(r))
		switch st {
		case devStateNeedAuth:
			at.needAuth = true
		case devStateFailed:
			at.devReason = r
		case devStateDisconnected, devStateUnavailable, devStateUnmanaged:
			// Normally the connection's DEACTIVATED comes first; do not
			// wait for one that never comes.
			if at.devReason != 0 {
				return true, c.failed(ctx, d, id, *at)
			}
		}
	}
	return false, nil
}

// failed classifies a failed activation, filling in the device's reason
// from its StateReason when no FAILED signal carried one.
func (c *Client) failed(ctx context.Context, d devInfo, id string, at attempt) error {
	if at.devReason == 0 {
		var sr struct{ State, Reason uint32 }
		if err := c.prop(ctx, d.path, ifaceDevice, "StateReason", &sr); err == nil && sr.State == devStateFailed {
			at.devReason = sr.Reason
		}
	}
	ce := classify(at)
	if ce.Reason == wifi.ReasonNotFound && c.saeInRange(ctx, d, id) {
		// WPA3-SAE: a wrong password makes wpa_supplicant set the network
		// aside, and NetworkManager then reports ssid-not-found although
		// the access point is right there in its list.
		ce.Reason = wifi.ReasonWrongPassword
		ce.Detail += "; the WPA3 network is in range, so SAE authentication failed"
	}
	c.log.Warn("activation failed", "iface", d.iface, "id", id, "reason", string(ce.Reason), "detail", ce.Detail)
	return ce
}

// saeInRange reports whether profile id uses WPA3-SAE and an access point
// with its SSID is in NetworkManager's current list.
func (c *Client) saeInRange(ctx context.Context, d devInfo, id string) bool {
	p, err := c.connByUUID(ctx, id)
	if err != nil {
		return false
	}
	s, err := c.getSettings(ctx, p)
	if err != nil || vstr(s["802-11-wireless-security"], "key-mgmt") != "sae" {
		return false
	}
	aps, err := c.accessPoints(ctx, d)
	if err != nil {
		return false
	}
	ssid := string(vbytes(s["802-11-wireless"], "ssid"))
	for _, ap := range aps {
		if string(ap.ssid) == ssid {
			return true
		}
	}
	return false
}

// abandon deactivates a half-done activation after ctx ended.
func (c *Client) abandon(ctx context.Context, acPath dbus.ObjectPath, d devInfo, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := c.deactivate(cctx, acPath); err != nil {
		c.log.Warn("cannot stop the timed-out activation", "iface", d.iface, "id", id, "err", err)
		return
	}
	c.log.Warn("activation timed out and was stopped", "iface", d.iface, "id", id)
}

// deactivate takes an active connection down; nil when it is already gone.
func (c *Client) deactivate(ctx context.Context, acPath dbus.ObjectPath) error {
	err := c.call(ctx, nmPath, ifaceNM+".DeactivateConnection", []any{acPath})
	if err == nil {
		return nil
	}
	// NetworkManager answers ConnectionNotActive for a connection that is
	// already down, and UnknownObject if it is gone.
	switch dbusErrName(err) {
	case "org.freedesktop.NetworkManager.ConnectionNotActive", errUnknownObject, errUnknownMethod:
		return nil
	}
	return fmt.Errorf("deactivate %s: %w", acPath, err)
}
