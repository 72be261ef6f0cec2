package nm

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// wpa_supplicant's D-Bus API, which NetworkManager's AP mode runs on.
const (
	wpasBus   = "fi.w1.wpa_supplicant1"
	wpasPath  = dbus.ObjectPath("/fi/w1/wpa_supplicant1")
	wpasIface = "fi.w1.wpa_supplicant1.Interface"
)

// HotspotUp creates the hotspot profile (or updates it, so there is only
// ever one), activates it on the device and waits until the access point
// is up. A failure is a *wifi.ConnectError like Activate's.
func (c *Client) HotspotUp(ctx context.Context, h wifi.Hotspot) error {
	d, err := c.device(ctx)
	if err != nil {
		return fmt.Errorf("hotspot up: %w", err)
	}
	p, err := c.ensureHotspot(ctx, d, h)
	if err != nil {
		return err
	}
	c.log.Info("starting hotspot", "iface", d.iface, "ssid", h.SSID)
	if err := c.activate(ctx, d, p, HotspotID); err != nil {
		return fmt.Errorf("hotspot up: %w", err)
	}
	return nil
}

// ensureHotspot saves the hotspot settings in the profile named HotspotID,
// updating the first one found (and deleting any duplicates pi-netconfig
// made) instead of adding another.
func (c *Client) ensureHotspot(ctx context.Context, d devInfo, h wifi.Hotspot) (dbus.ObjectPath, error) {
	all, err := c.listConnections(ctx)
	if err != nil {
		return "", fmt.Errorf("hotspot up: %w", err)
	}
	var found dbus.ObjectPath
	var uuid string
	for p, s := range all {
		if vstr(s["connection"], "id") != HotspotID || !ours(s) {
			continue
		}
		if found == "" || p < found {
			if found != "" {
				c.deleteDuplicate(ctx, found)
			}
			found, uuid = p, vstr(s["connection"], "uuid")
			continue
		}
		c.deleteDuplicate(ctx, p)
	}
	if found == "" {
		uuid = newUUID()
	}
	s, err := hotspotSettings(uuid, d.iface, h)
	if err != nil {
		return "", err
	}
	if found == "" {
		return c.addConnection(ctx, s)
	}
	if err := c.call(ctx, found, ifaceConn+".Update", []any{s}); err != nil {
		return "", fmt.Errorf("update profile %s: %w", HotspotID, err)
	}
	return found, nil
}

func (c *Client) deleteDuplicate(ctx context.Context, p dbus.ObjectPath) {
	if err := c.call(ctx, p, ifaceConn+".Delete", nil); err != nil {
		c.log.Warn("cannot delete duplicate hotspot profile", "path", string(p), "err", err)
	}
}

// HotspotDown deactivates the hotspot; nil when it is not up.
func (c *Client) HotspotDown(ctx context.Context) error {
	var acs []dbus.ObjectPath
	if err := c.prop(ctx, nmPath, ifaceNM, "ActiveConnections", &acs); err != nil {
		return fmt.Errorf("hotspot down: %w", err)
	}
	for _, ac := range acs {
		var id string
		if err := c.prop(ctx, ac, ifaceActive, "Id", &id); err != nil || id != HotspotID {
			continue
		}
		if err := c.deactivate(ctx, ac); err != nil {
			return fmt.Errorf("hotspot down: %w", err)
		}
		if err := c.waitGone(ctx, ac); err != nil {
			return fmt.Errorf("hotspot down: %w", err)
		}
		c.log.Info("hotspot stopped")
	}
	return nil
}

// waitGone waits until an active connection NetworkManager was asked to
// deactivate is gone, so that what comes next (a scan, which NetworkManager
// refuses while the device still serves the access point) finds the device
// free. Deactivating takes NetworkManager a fraction of a second.
func (c *Client) waitGone(ctx context.Context, ac dbus.ObjectPath) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		var state uint32
		err := c.prop(ctx, ac, ifaceActive, "State", &state)
		if n := dbusErrName(err); n == errUnknownObject || n == errUnknownMethod || err == nil && state == acStateDeactivated {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("still deactivating: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// Stations counts the stations associated to the hotspot: wpa_supplicant's
// Interface.Stations property (wpa_supplicant 2.10 and later), else the
// complete entries of the interface in the kernel's ARP table (phones that
// talked to the device recently). 0 when the hotspot is not up.
func (c *Client) Stations(ctx context.Context) (int, error) {
	d, err := c.device(ctx)
	if err != nil {
		return 0, fmt.Errorf("stations: %w", err)
	}
	ap, err := c.inAPMode(ctx, d)
	if err != nil {
		return 0, fmt.Errorf("stations: %w", err)
	}
	if !ap {
		return 0, nil
	}
	n, err := c.wpasStations(ctx, d.iface)
	if err == nil {
		return n, nil
	}
	c.log.Debug("wpa_supplicant has no station list; counting ARP neighbours", "iface", d.iface, "err", err)
	f, err := os.Open("/proc/net/arp")
	if err != nil {
		return 0, fmt.Errorf("stations: %w", err)
	}
	defer f.Close()
	return arpStations(f, d.iface)
}

func (c *Client) wpasStations(ctx context.Context, iface string) (int, error) {
	var p dbus.ObjectPath
	if err := c.callDest(ctx, wpasBus, wpasPath, wpasBus+".GetInterface", []any{iface}, &p); err != nil {
		return 0, err
	}
	var v dbus.Variant
	if err := c.callDest(ctx, wpasBus, p, ifaceProps+".Get", []any{wpasIface, "Stations"}, &v); err != nil {
		return 0, err
	}
	st, ok := v.Value().([]dbus.ObjectPath)
	if !ok {
		return 0, fmt.Errorf("wpa_supplicant Stations has type %s", v.Signature())
	}
	return len(st), nil
}

// arpStations counts complete (flag 0x2) ARP entries on iface in
// /proc/net/arp's format.
func arpStations(r io.Reader, iface string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != iface {
			continue
		}
		flags, err := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 32)
		if err == nil && flags&0x2 != 0 {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read ARP table: %w", err)
	}
	return n, nil
}
