package nm

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// active describes the device's active connection.
type active struct {
	path     dbus.ObjectPath // the ActiveConnection, "" when none
	state    uint32          // NMActiveConnectionState
	id, uuid string
	ap       bool // 802-11-wireless.mode ap (our hotspot, or any AP)
	ssid     []byte
}

// activeOn reads the device's active connection and its profile.
func (c *Client) activeOn(ctx context.Context, d devInfo) (active, error) {
	var acPath dbus.ObjectPath
	if err := c.prop(ctx, d.path, ifaceDevice, "ActiveConnection", &acPath); err != nil {
		return active{}, err
	}
	if acPath == "/" || acPath == "" {
		return active{}, nil
	}
	m, err := c.props(ctx, acPath, ifaceActive)
	if n := dbusErrName(err); n == errUnknownObject || n == errUnknownMethod {
		return active{}, nil // deactivated a moment ago
	}
	if err != nil {
		return active{}, err
	}
	a := active{path: acPath, state: vu32(m, "State"), id: vstr(m, "Id"), uuid: vstr(m, "Uuid")}
	a.ap = a.id == HotspotID
	if s, err := c.getSettings(ctx, vpath(m, "Connection")); err == nil {
		a.ap = a.ap || vstr(s["802-11-wireless"], "mode") == "ap"
		a.ssid = vbytes(s["802-11-wireless"], "ssid")
	}
	return a, nil
}

// inAPMode reports whether the device serves an access point now.
func (c *Client) inAPMode(ctx context.Context, d devInfo) (bool, error) {
	a, err := c.activeOn(ctx, d)
	if err != nil {
		return false, err
	}
	return a.path != "" && a.ap, nil
}

// Link reports the device's connection: the hotspot (ModeAP, never
// ModeClient, whatever NetworkManager's connectivity says), a client
// connection, or none; its IPv4 address; NetworkManager's connectivity.
func (c *Client) Link(ctx context.Context) (wifi.Link, error) {
	d, err := c.device(ctx)
	if err != nil {
		return wifi.Link{}, fmt.Errorf("link: %w", err)
	}
	var l wifi.Link
	var conn uint32
	if err := c.prop(ctx, nmPath, ifaceNM, "Connectivity", &conn); err != nil {
		return wifi.Link{}, fmt.Errorf("link: %w", err)
	}
	l.Connectivity = connectivityName(conn)
	a, err := c.activeOn(ctx, d)
	if err != nil {
		return wifi.Link{}, fmt.Errorf("link on %s: %w", d.iface, err)
	}
	if a.path == "" || a.state == acStateDeactivating || a.state == acStateDeactivated {
		return l, nil
	}
	l.Mode = wifi.ModeClient
	if a.ap {
		l.Mode = wifi.ModeAP
	}
	l.Activating = a.state != acStateActivated
	l.SSID = decodeSSID(a.ssid)
	l.ProfileID = a.uuid
	l.IPv4, err = c.ipv4(ctx, d)
	if err != nil {
		return wifi.Link{}, fmt.Errorf("link on %s: %w", d.iface, err)
	}
	return l, nil
}

// ipv4 is the device's first IPv4 address, zero when it has none.
func (c *Client) ipv4(ctx context.Context, d devInfo) (netip.Prefix, error) {
	var cfg dbus.ObjectPath
	if err := c.prop(ctx, d.path, ifaceDevice, "Ip4Config", &cfg); err != nil {
		return netip.Prefix{}, err
	}
	if cfg == "/" || cfg == "" {
		return netip.Prefix{}, nil
	}
	var data []map[string]dbus.Variant
	err := c.prop(ctx, cfg, ifaceIP4Config, "AddressData", &data)
	if n := dbusErrName(err); n == errUnknownObject || n == errUnknownMethod {
		return netip.Prefix{}, nil
	}
	if err != nil {
		return netip.Prefix{}, err
	}
	for _, a := range data {
		ip, err := netip.ParseAddr(vstr(a, "address"))
		if err != nil || !ip.Is4() {
			continue
		}
		return netip.PrefixFrom(ip, int(vu32(a, "prefix"))), nil
	}
	return netip.Prefix{}, nil
}
