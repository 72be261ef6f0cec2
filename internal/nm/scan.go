package nm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// scanWait bounds the wait for a requested scan to finish; after it the
// access points NetworkManager already knows are returned.
const scanWait = 15 * time.Second

// freshScan is how old NetworkManager's last scan may be to be used as is.
const freshScan = 10 * time.Second

// accessPoint is one access point as NetworkManager reports it.
type accessPoint struct {
	ssid     []byte
	strength uint8
	freq     uint32
	flags    uint32
	wpa      uint32
	rsn      uint32
}

// network converts an access point; ok is false for WEP, which is left out.
func (ap accessPoint) network() (wifi.Network, bool) {
	sec, ok := securityOf(ap.flags, ap.wpa, ap.rsn)
	if !ok {
		return wifi.Network{}, false
	}
	return wifi.Network{
		SSID:      decodeSSID(ap.ssid),
		Signal:    min(int(ap.strength), 100),
		Security:  sec,
		Frequency: int(ap.freq),
		Band:      wifi.BandOf(int(ap.freq)),
	}, true
}

// Scan asks NetworkManager for a fresh scan, waits for it (bounded), and
// returns one row per SSID, strongest first. While the device serves the
// hotspot, NetworkManager refuses to scan: wifi.ErrScanUnavailable.
func (c *Client) Scan(ctx context.Context) ([]wifi.Network, error) {
	d, err := c.device(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	if ap, err := c.inAPMode(ctx, d); err == nil && ap {
		return nil, fmt.Errorf("scan on %s: %w", d.iface, wifi.ErrScanUnavailable)
	}
	if err := c.requestScan(ctx, d); err != nil {
		if ctx.Err() == nil || errors.Is(err, wifi.ErrScanUnavailable) {
			return nil, err
		}
		// The caller's budget ran out while NetworkManager was scanning:
		// the access points it already knows beat an empty list.
		c.log.Info("scan did not finish within the caller's budget; using the access points already known", "iface", d.iface)
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	aps, err := c.accessPoints(actx, d)
	if err != nil {
		return nil, fmt.Errorf("scan on %s: %w", d.iface, err)
	}
	nets := make([]wifi.Network, 0, len(aps))
	for _, ap := range aps {
		if n, ok := ap.network(); ok {
			nets = append(nets, n)
		}
	}
	return wifi.Strongest(nets), nil
}

// requestScan triggers a scan and waits until LastScan changes, at most
// scanWait. A refusal other than AP mode (activating, scanned a moment ago)
// is not an error: the current list is still useful.
func (c *Client) requestScan(ctx context.Context, d devInfo) error {
	sigs := make(chan *dbus.Signal, 16)
	c.conn.Signal(sigs)
	defer c.conn.RemoveSignal(sigs)
	match := []dbus.MatchOption{
		dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(d.path),
		dbus.WithMatchInterface(ifaceProps), dbus.WithMatchMember("PropertiesChanged"),
	}
	if err := c.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return fmt.Errorf("scan on %s: subscribe: %w", d.iface, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = c.conn.RemoveMatchSignalContext(rctx, match...)
	}()

	var before int64
	if err := c.prop(ctx, d.path, ifaceWireless, "LastScan", &before); err != nil {
		return fmt.Errorf("scan on %s: %w", d.iface, err)
	}
	// NetworkManager scans by itself when the device appears and every few
	// minutes; a result this fresh is as good as a new one and saves the
	// seconds a first hotspot is waiting for.
	if now, ok := bootMillis(); ok && before > 0 && now-before >= 0 && now-before < freshScan.Milliseconds() {
		c.log.Debug("scan results are fresh; not asking for another", "iface", d.iface, "age_ms", now-before)
		return nil
	}
	err := c.call(ctx, d.path, ifaceWireless+".RequestScan", []any{map[string]dbus.Variant{}})
	if err != nil {
		if dbusErrName(err) != errNotAllowed {
			return fmt.Errorf("scan on %s: %w", d.iface, err)
		}
		if ap, aerr := c.inAPMode(ctx, d); aerr == nil && ap {
			return fmt.Errorf("scan on %s: %w", d.iface, wifi.ErrScanUnavailable)
		}
		c.log.Info("scan refused; using the access points already known", "iface", d.iface, "err", err)
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, scanWait)
	defer cancel()
	for {
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("scan on %s: %w", d.iface, ctx.Err())
			}
			c.log.Warn("scan did not finish in time; using the access points already known", "iface", d.iface)
			return nil
		case s := <-sigs:
			if s.Path != d.path || s.Name != ifaceProps+".PropertiesChanged" {
				continue
			}
			var now int64
			if err := c.prop(wctx, d.path, ifaceWireless, "LastScan", &now); err == nil && now != before {
				return nil
			}
		}
	}
}

// accessPoints reads every access point the device currently knows.
func (c *Client) accessPoints(ctx context.Context, d devInfo) ([]accessPoint, error) {
	var paths []dbus.ObjectPath
	if err := c.call(ctx, d.path, ifaceWireless+".GetAllAccessPoints", nil, &paths); err != nil {
		return nil, fmt.Errorf("list access points: %w", err)
	}
	aps := make([]accessPoint, 0, len(paths))
	for _, p := range paths {
		m, err := c.props(ctx, p, ifaceAP)
		if n := dbusErrName(err); n == errUnknownObject || n == errUnknownMethod {
			continue // gone since the list was made
		}
		if err != nil {
			return nil, fmt.Errorf("list access points: %w", err)
		}
		strength, _ := m["Strength"].Value().(uint8)
		aps = append(aps, accessPoint{
			ssid: vbytes(m, "Ssid"), strength: strength, freq: vu32(m, "Frequency"),
			flags: vu32(m, "Flags"), wpa: vu32(m, "WpaFlags"), rsn: vu32(m, "RsnFlags"),
		})
	}
	return aps, nil
}

// advertised is the security the strongest access point named ssid
// advertises in NetworkManager's current list, "" when none is in range.
func (c *Client) advertised(ctx context.Context, ssid string) (wifi.Security, error) {
	d, err := c.device(ctx)
	if err != nil {
		return "", err
	}
	if d.kind != devTypeWiFi {
		return "", nil
	}
	aps, err := c.accessPoints(ctx, d)
	if err != nil {
		return "", err
	}
	return advertisedIn(aps, ssid), nil
}

func advertisedIn(aps []accessPoint, ssid string) wifi.Security {
	var best *accessPoint
	for i := range aps {
		if string(aps[i].ssid) == ssid && (best == nil || aps[i].strength > best.strength) {
			best = &aps[i]
		}
	}
	if best == nil {
		return ""
	}
	sec, _ := securityOf(best.flags, best.wpa, best.rsn)
	if sec == wifi.Open && best.rsn&secKeyMgmtOWE != 0 {
		// OWE only (a transition-mode open BSS has OWE_TM instead and
		// takes plain open clients).
		return secOWE
	}
	return sec // "" for WEP: Add then falls back to the hint
}

func sortProfiles(ps []wifi.Profile) {
	slices.SortFunc(ps, func(a, b wifi.Profile) int {
		return cmp.Or(cmp.Compare(a.SSID, b.SSID), cmp.Compare(a.ID, b.ID))
	})
}
