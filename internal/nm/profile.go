package nm

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// connByUUID finds a saved connection; wifi.ErrNotFound when there is none.
func (c *Client) connByUUID(ctx context.Context, uuid string) (dbus.ObjectPath, error) {
	var p dbus.ObjectPath
	err := c.call(ctx, settingsPath, ifaceSettings+".GetConnectionByUuid", []any{uuid}, &p)
	if dbusErrName(err) == errInvalidConnection {
		return "", fmt.Errorf("profile %s: %w", uuid, wifi.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("look up profile %s: %w", uuid, err)
	}
	return p, nil
}

// getSettings reads a saved connection's settings (without secrets).
func (c *Client) getSettings(ctx context.Context, p dbus.ObjectPath) (connSettings, error) {
	var s connSettings
	if err := c.call(ctx, p, ifaceConn+".GetSettings", nil, &s); err != nil {
		return nil, fmt.Errorf("read profile settings: %w", err)
	}
	return s, nil
}

// listConnections returns every saved connection's path and settings.
func (c *Client) listConnections(ctx context.Context) (map[dbus.ObjectPath]connSettings, error) {
	var paths []dbus.ObjectPath
	if err := c.call(ctx, settingsPath, ifaceSettings+".ListConnections", nil, &paths); err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	out := make(map[dbus.ObjectPath]connSettings, len(paths))
	for _, p := range paths {
		s, err := c.getSettings(ctx, p)
		if dbusErrName(err) == errUnknownObject || dbusErrName(err) == errUnknownMethod {
			continue // deleted while we were listing
		}
		if err != nil {
			return nil, fmt.Errorf("list profiles: %w", err)
		}
		out[p] = s
	}
	return out, nil
}

// addConnection saves a new persistent profile and returns its path.
func (c *Client) addConnection(ctx context.Context, s connSettings) (dbus.ObjectPath, error) {
	var p dbus.ObjectPath
	if err := c.call(ctx, settingsPath, ifaceSettings+".AddConnection", []any{s}, &p); err != nil {
		return "", fmt.Errorf("add profile %q: %w", s["connection"]["id"].Value(), err)
	}
	return p, nil
}

// Saved lists the WiFi client profiles (never the hotspot, never an access
// point someone else set up): those pi-netconfig created, and the others
// (Raspberry Pi Imager's "preconfigured", say) marked Foreign, since they
// too bring the device online. Profiles bound to another interface and
// those with autoconnect off are left out: NetworkManager would not use
// them here by itself either.
func (c *Client) Saved(ctx context.Context) ([]wifi.Profile, error) {
	all, err := c.listConnections(ctx)
	if err != nil {
		return nil, err
	}
	iface := ""
	if d, err := c.device(ctx); err == nil {
		iface = d.iface
	}
	var out []wifi.Profile
	for _, s := range all {
		if vstr(s["connection"], "type") != "802-11-wireless" || vstr(s["connection"], "id") == HotspotID {
			continue
		}
		if m := vstr(s["802-11-wireless"], "mode"); m != "" && m != "infrastructure" {
			continue
		}
		mine := ours(s)
		if !mine {
			if auto, ok := s["connection"]["autoconnect"].Value().(bool); ok && !auto {
				continue
			}
			if in := vstr(s["connection"], "interface-name"); in != "" && iface != "" && in != iface {
				continue
			}
		}
		hidden, _ := s["802-11-wireless"]["hidden"].Value().(bool)
		out = append(out, wifi.Profile{
			ID:      vstr(s["connection"], "uuid"),
			SSID:    decodeSSID(vbytes(s["802-11-wireless"], "ssid")),
			Hidden:  hidden,
			Foreign: !mine,
		})
	}
	sortProfiles(out)
	return out, nil
}

// Add saves a client profile for the credentials without activating it.
// The security comes from what the access point advertises when NetworkManager
// has seen it in its last scan, else from the credentials.
func (c *Client) Add(ctx context.Context, cr wifi.Credentials) (wifi.Profile, error) {
	if err := cr.Validate(); err != nil {
		return wifi.Profile{}, fmt.Errorf("add %q: %w", cr.SSID, err)
	}
	advertised, err := c.advertised(ctx, cr.SSID)
	if err != nil {
		c.log.Warn("cannot read access points; using the credentials' security", "ssid", cr.SSID, "err", err)
	}
	sec := chooseSecurity(cr, advertised)
	uuid := newUUID()
	s, err := clientSettings(uuid, cr, sec)
	if err != nil {
		return wifi.Profile{}, fmt.Errorf("add %q: %w", cr.SSID, err)
	}
	if _, err := c.addConnection(ctx, s); err != nil {
		return wifi.Profile{}, err
	}
	c.log.Info("profile added", "ssid", cr.SSID, "security", string(sec), "hidden", cr.Hidden, "id", uuid)
	return wifi.Profile{ID: uuid, SSID: cr.SSID, Hidden: cr.Hidden}, nil
}

// Delete removes a profile pi-netconfig created; wifi.ErrNotFound when it
// does not exist, ErrNotOurs when someone else created it.
func (c *Client) Delete(ctx context.Context, id string) error {
	p, err := c.connByUUID(ctx, id)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	s, err := c.getSettings(ctx, p)
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	if !ours(s) {
		return fmt.Errorf("delete %q (%s): %w; remove it yourself if it should go", vstr(s["connection"], "id"), id, ErrNotOurs)
	}
	if err := c.call(ctx, p, ifaceConn+".Delete", nil); err != nil {
		if n := dbusErrName(err); n == errUnknownObject || n == errUnknownMethod {
			return fmt.Errorf("delete %s: %w", id, wifi.ErrNotFound)
		}
		return fmt.Errorf("delete %s: %w", id, err)
	}
	c.log.Info("profile deleted", "id", id, "profile", vstr(s["connection"], "id"))
	return nil
}
