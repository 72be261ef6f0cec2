package nm

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// NM80211ApFlags and NM80211ApSecurityFlags bits.
const (
	apFlagPrivacy = 0x1

	secKeyMgmtPSK      = 0x100
	secKeyMgmt8021X    = 0x200
	secKeyMgmtSAE      = 0x400
	secKeyMgmtOWE      = 0x800
	secKeyMgmtOWETM    = 0x1000
	secKeyMgmtEAPSuite = 0x2000
)

// securityOf maps an access point's advertised flags to the security shown
// to a person. ok is false for WEP (privacy bit, no WPA/RSN key management):
// WEP is broken and pi-netconfig does not offer to join it, so Scan leaves
// such networks out.
//
// OWE ("Enhanced Open") needs no password and is shown as Open.
func securityOf(flags, wpa, rsn uint32) (sec wifi.Security, ok bool) {
	all := wpa | rsn
	switch {
	case all&(secKeyMgmt8021X|secKeyMgmtEAPSuite) != 0:
		return wifi.Enterprise, true
	case rsn&secKeyMgmtSAE != 0 && all&secKeyMgmtPSK != 0:
		return wifi.WPA2WPA3, true
	case rsn&secKeyMgmtSAE != 0:
		return wifi.WPA3, true
	case rsn&secKeyMgmtPSK != 0:
		return wifi.WPA2, true
	case wpa&secKeyMgmtPSK != 0:
		return wifi.WPA, true
	case all&(secKeyMgmtOWE|secKeyMgmtOWETM) != 0:
		return wifi.Open, true
	case flags&apFlagPrivacy != 0:
		return "", false // WEP
	}
	return wifi.Open, true
}

// decodeSSID turns SSID bytes into text: valid UTF-8 stays as it is; each
// invalid byte is shown as a \xNN escape so it stays visible and distinct.
// Control characters are escaped too, so an SSID cannot forge log lines.
func decodeSSID(b []byte) string {
	if utf8.Valid(b) && !hasControl(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&sb, `\x%02x`, b[0])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	return sb.String()
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// connectivityNames are NMConnectivityState values as strings.
var connectivityNames = map[uint32]string{0: "unknown", 1: "none", 2: "portal", 3: "limited", 4: "full"}

func connectivityName(v uint32) string {
	if n, ok := connectivityNames[v]; ok {
		return n
	}
	return "unknown"
}
