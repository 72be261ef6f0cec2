package nm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// deviceTypeNames names the NMDeviceType values a person is likely to see
// in the "no WiFi device" error.
var deviceTypeNames = map[uint32]string{
	0: "unknown", 1: "ethernet", 2: "wifi", 5: "bluetooth", 8: "modem",
	10: "bond", 11: "vlan", 13: "bridge", 14: "generic", 16: "tun",
	20: "veth", 29: "wireguard", 30: "wifi-p2p", 32: "loopback",
}

func deviceTypeName(t uint32) string {
	if n, ok := deviceTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type %d", t)
}

// findDevice asks NetworkManager for its devices and picks the configured
// interface, or the first of an accepted kind.
func (c *Client) findDevice(ctx context.Context) (devInfo, error) {
	var paths []dbus.ObjectPath
	if err := c.call(ctx, nmPath, ifaceNM+".GetDevices", nil, &paths); err != nil {
		return devInfo{}, fmt.Errorf("list NetworkManager devices: %w", err)
	}
	var seen []string
	for _, p := range paths {
		m, err := c.props(ctx, p, ifaceDevice)
		if err != nil {
			return devInfo{}, fmt.Errorf("list NetworkManager devices: %w", err)
		}
		name, kind := vstr(m, "Interface"), vu32(m, "DeviceType")
		seen = append(seen, fmt.Sprintf("%s (%s)", name, deviceTypeName(kind)))
		if !c.kinds[kind] || (c.iface != "" && c.iface != name) {
			continue
		}
		d := devInfo{path: p, iface: name, kind: kind}
		d.mac = c.readMAC(ctx, p, kind, vstr(m, "HwAddress"))
		return d, nil
	}
	found := "none"
	if len(seen) > 0 {
		found = strings.Join(seen, ", ")
	}
	if c.iface != "" {
		return devInfo{}, fmt.Errorf("%w: %q is not a WiFi device NetworkManager knows; devices: %s", wifi.ErrNoDevice, c.iface, found)
	}
	return devInfo{}, fmt.Errorf("%w; devices: %s", wifi.ErrNoDevice, found)
}

// readMAC prefers the permanent address: NetworkManager randomises the
// current one while scanning, and the hotspot name is derived from it.
func (c *Client) readMAC(ctx context.Context, p dbus.ObjectPath, kind uint32, current string) net.HardwareAddr {
	if kind == devTypeWiFi {
		var perm string
		if err := c.prop(ctx, p, ifaceWireless, "PermHwAddress", &perm); err == nil {
			if mac, err := net.ParseMAC(perm); err == nil && !isZeroMAC(mac) {
				return mac
			}
		}
	}
	mac, _ := net.ParseMAC(current)
	return mac
}

func isZeroMAC(m net.HardwareAddr) bool {
	for _, b := range m {
		if b != 0 {
			return false
		}
	}
	return true
}

// device returns the managed device, finding it again when NetworkManager
// restarted (object paths change).
func (c *Client) device(ctx context.Context) (devInfo, error) {
	c.mu.Lock()
	d := c.dev
	c.mu.Unlock()
	if d.path != "" {
		return d, nil
	}
	d, err := c.findDevice(ctx)
	if err != nil {
		return devInfo{}, err
	}
	c.mu.Lock()
	c.dev = d
	c.mu.Unlock()
	return d, nil
}

// Device reports the WiFi device and its (permanent) MAC address.
func (c *Client) Device(ctx context.Context) (wifi.Device, error) {
	d, err := c.device(ctx)
	if err != nil {
		return wifi.Device{}, err
	}
	return wifi.Device{Iface: d.iface, MAC: d.mac}, nil
}

// Problems reports an rfkill block of the WiFi radio (hard: a switch or the
// firmware; soft: software, which EnableWireless lifts) and a missing
// device. The regulatory country is internal/radiocheck's business.
func (c *Client) Problems(ctx context.Context) ([]wifi.Problem, error) {
	var probs []wifi.Problem
	if _, err := c.device(ctx); err != nil {
		if !isNoDevice(err) {
			return nil, fmt.Errorf("problems: %w", err)
		}
		probs = append(probs, wifi.Problem{
			Code:    "no_device",
			Message: "NetworkManager has no WiFi device: " + err.Error() + ".",
			Fix:     `Check that the WiFi adapter is present and its driver loaded ("ip link"), or set "interface" in /etc/pi-netconfig/config.json.`,
		})
	}
	m, err := c.props(ctx, nmPath, ifaceNM)
	if err != nil {
		return nil, fmt.Errorf("problems: %w", err)
	}
	hw, _ := m["WirelessHardwareEnabled"].Value().(bool)
	sw, _ := m["WirelessEnabled"].Value().(bool)
	switch {
	case !hw:
		probs = append(probs, wifi.Problem{
			Code:    "rfkill_hard",
			Message: "The WiFi radio is switched off by a hardware switch or blocked by the firmware (rfkill).",
			Fix:     `Turn the hardware WiFi switch on, or check "rfkill list" and the firmware; pi-netconfig cannot lift a hard block.`,
		})
	case !sw:
		probs = append(probs, wifi.Problem{
			Code:    "rfkill_soft",
			Message: "WiFi is switched off in software (NetworkManager's WirelessEnabled is false, or rfkill soft block).",
			Fix:     `pi-netconfig turns it on at start; otherwise run "rfkill unblock wifi" and restart pi-netconfig.`,
		})
	}
	return probs, nil
}

// EnableWireless turns WiFi on in NetworkManager (WirelessEnabled = true),
// which also lifts an rfkill soft block. It cannot lift a hard block.
func (c *Client) EnableWireless(ctx context.Context) error {
	err := c.call(ctx, nmPath, ifaceProps+".Set", []any{ifaceNM, "WirelessEnabled", dbus.MakeVariant(true)})
	if err != nil {
		return fmt.Errorf("enable WiFi in NetworkManager: %w", err)
	}
	return nil
}

func isNoDevice(err error) bool { return err != nil && errors.Is(err, wifi.ErrNoDevice) }
