package nm

import (
	"crypto/rand"
	"fmt"
	"net/netip"

	"github.com/godbus/dbus/v5"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// connSettings is NetworkManager's connection settings type, a{sa{sv}}.
type connSettings = map[string]map[string]dbus.Variant

// defaultHotspotAddress is used when wifi.Hotspot.Address is unset.
var defaultHotspotAddress = netip.MustParsePrefix("192.168.50.1/24")

// secOWE is the security Add uses for an OWE ("Enhanced Open") access
// point: shown to people as Open, but joined with key-mgmt owe.
const secOWE wifi.Security = "OWE"

// keyMgmt is 802-11-wireless-security.key-mgmt for a security; "" means
// open (no security setting).
func keyMgmt(sec wifi.Security) (string, error) {
	switch sec {
	case wifi.Open:
		return "", nil
	case secOWE:
		return "owe", nil
	case wifi.WPA, wifi.WPA2, wifi.WPA2WPA3:
		// wpa-psk joins WPA2/WPA3 transition networks with WPA2, which
		// every driver supports; sae-only drivers are rare on a Pi.
		return "wpa-psk", nil
	case wifi.WPA3:
		return "sae", nil
	case wifi.Enterprise:
		return "", fmt.Errorf("%w: WPA-Enterprise (802.1X) networks need a user name and certificates; pi-netconfig can only join open and password (PSK/SAE) networks", ErrUnsupported)
	}
	return "", fmt.Errorf("%w: unknown security %q", ErrUnsupported, sec)
}

// chooseSecurity picks the security for a new profile: what the access
// point advertises when it is in range, else the credentials' hint, else
// WPA2 when a password is given, else Open.
func chooseSecurity(c wifi.Credentials, advertised wifi.Security) wifi.Security {
	switch {
	case advertised != "":
		return advertised
	case c.Security != "":
		return c.Security
	case c.Password != "":
		return wifi.WPA2
	}
	return wifi.Open
}

// clientSettings builds a client (infrastructure) profile. The password is
// stored by NetworkManager itself (psk-flags 0), so no secret agent is
// needed; a 64-hex-digit password is a raw PSK, which NetworkManager accepts
// in the same psk property.
func clientSettings(uuid string, c wifi.Credentials, sec wifi.Security) (connSettings, error) {
	km, err := keyMgmt(sec)
	if err != nil {
		return nil, err
	}
	if km != "" && km != "owe" && c.Password == "" {
		return nil, fmt.Errorf("%w: the network %q is protected (%s); type its password", wifi.ErrInvalid, c.SSID, sec)
	}
	if km == "sae" && isRawPSK(c.Password) {
		return nil, fmt.Errorf("%w: the network %q uses WPA3, which needs the passphrase itself, not a 64-digit hex key", wifi.ErrInvalid, c.SSID)
	}
	wl := map[string]dbus.Variant{
		"ssid": dbus.MakeVariant([]byte(c.SSID)),
		"mode": dbus.MakeVariant("infrastructure"),
	}
	if c.Hidden {
		wl["hidden"] = dbus.MakeVariant(true)
	}
	s := connSettings{
		"connection": {
			"id":          dbus.MakeVariant(IDPrefix + c.SSID),
			"uuid":        dbus.MakeVariant(uuid),
			"type":        dbus.MakeVariant("802-11-wireless"),
			"autoconnect": dbus.MakeVariant(true),
		},
		"802-11-wireless": wl,
		"ipv4":            {"method": dbus.MakeVariant("auto")},
		"ipv6":            {"method": dbus.MakeVariant("auto")},
		"user":            markerSetting(),
	}
	switch km {
	case "":
	case "owe":
		wl["security"] = dbus.MakeVariant("802-11-wireless-security")
		s["802-11-wireless-security"] = map[string]dbus.Variant{"key-mgmt": dbus.MakeVariant(km)}
	default:
		wl["security"] = dbus.MakeVariant("802-11-wireless-security")
		s["802-11-wireless-security"] = map[string]dbus.Variant{
			"key-mgmt":  dbus.MakeVariant(km),
			"psk":       dbus.MakeVariant(c.Password),
			"psk-flags": dbus.MakeVariant(uint32(0)),
		}
	}
	return s, nil
}

// hotspotSettings builds the hotspot profile: WPA2-PSK (CCMP only, no PMF) on
// 2.4 GHz, which every phone can join, NetworkManager's "shared" IPv4 (it
// runs dnsmasq for DHCP and DNS), never started on its own.
func hotspotSettings(uuid, iface string, h wifi.Hotspot) (connSettings, error) {
	if err := wifi.ValidateSSID(h.SSID); err != nil {
		return nil, fmt.Errorf("hotspot: %w", err)
	}
	if len(h.Password) < 8 {
		return nil, fmt.Errorf("hotspot: %w: the hotspot password must be 8 to 63 characters", wifi.ErrInvalid)
	}
	if err := wifi.ValidatePassword(h.Password); err != nil {
		return nil, fmt.Errorf("hotspot: %w", err)
	}
	addr := h.Address
	if !addr.IsValid() {
		addr = defaultHotspotAddress
	}
	if !addr.Addr().Is4() {
		return nil, fmt.Errorf("hotspot: %w: address %s is not IPv4", wifi.ErrInvalid, addr)
	}
	return connSettings{
		"connection": {
			"id":             dbus.MakeVariant(HotspotID),
			"uuid":           dbus.MakeVariant(uuid),
			"type":           dbus.MakeVariant("802-11-wireless"),
			"autoconnect":    dbus.MakeVariant(false),
			"interface-name": dbus.MakeVariant(iface),
		},
		"802-11-wireless": {
			"ssid":     dbus.MakeVariant([]byte(h.SSID)),
			"mode":     dbus.MakeVariant("ap"),
			"band":     dbus.MakeVariant("bg"),
			"security": dbus.MakeVariant("802-11-wireless-security"),
		},
		"802-11-wireless-security": {
			"key-mgmt":  dbus.MakeVariant("wpa-psk"),
			"proto":     dbus.MakeVariant([]string{"rsn"}),
			"pairwise":  dbus.MakeVariant([]string{"ccmp"}),
			"group":     dbus.MakeVariant([]string{"ccmp"}),
			"psk":       dbus.MakeVariant(h.Password),
			"psk-flags": dbus.MakeVariant(uint32(0)),
			// PMF off (1 = disable): brcmfmac, the Pi's WiFi driver, fails
			// to bring up a protected AP with PMF negotiated, and WPA2
			// phones do not need it.
			"pmf": dbus.MakeVariant(int32(1)),
		},
		"ipv4": {
			"method": dbus.MakeVariant("shared"),
			"address-data": dbus.MakeVariant([]map[string]dbus.Variant{{
				"address": dbus.MakeVariant(addr.Addr().String()),
				"prefix":  dbus.MakeVariant(uint32(addr.Bits())),
			}}),
		},
		"ipv6": {"method": dbus.MakeVariant("ignore")},
		"user": markerSetting(),
	}, nil
}

func markerSetting() map[string]dbus.Variant {
	return map[string]dbus.Variant{
		"data": dbus.MakeVariant(map[string]string{MarkerKey: "1"}),
	}
}

// ours reports whether settings (from GetSettings) carry pi-netconfig's
// user-data marker.
func ours(s connSettings) bool {
	data, _ := s["user"]["data"].Value().(map[string]string)
	return data[MarkerKey] == "1"
}

// newUUID returns a random (version 4) UUID for connection.uuid.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isRawPSK reports whether p is 64 hex digits, a raw WPA key rather than a
// passphrase.
func isRawPSK(p string) bool {
	if len(p) != 64 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
