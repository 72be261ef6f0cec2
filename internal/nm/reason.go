package nm

import (
	"fmt"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// NMDeviceState values.
const (
	devStateUnknown      = 0
	devStateUnmanaged    = 10
	devStateUnavailable  = 20
	devStateDisconnected = 30
	devStateNeedAuth     = 60
	devStateActivated    = 100
	devStateDeactivating = 110
	devStateFailed       = 120
)

// NMActiveConnectionState values.
const (
	acStateUnknown      = 0
	acStateActivating   = 1
	acStateActivated    = 2
	acStateDeactivating = 3
	acStateDeactivated  = 4
)

// NMDeviceStateReason values that classify a failed attempt.
const (
	devReasonIPConfigUnavailable  = 5
	devReasonIPConfigExpired      = 6
	devReasonNoSecrets            = 7
	devReasonSupplicantDisconnect = 8
	devReasonSupplicantFailed     = 10
	devReasonSupplicantTimeout    = 11
	devReasonDHCPStartFailed      = 15
	devReasonDHCPError            = 16
	devReasonDHCPFailed           = 17
	devReasonSSIDNotFound         = 53
)

// NMActiveConnectionStateReason values that classify a failed attempt.
const (
	acReasonIPConfigInvalid = 5
	acReasonConnectTimeout  = 6
	acReasonNoSecrets       = 9
	acReasonLoginFailed     = 10
)

// devReasonNames are NMDeviceStateReason values as NetworkManager logs them.
var devReasonNames = []string{
	"none", "unknown", "now-managed", "now-unmanaged", "config-failed",
	"ip-config-unavailable", "ip-config-expired", "no-secrets",
	"supplicant-disconnect", "supplicant-config-failed", "supplicant-failed",
	"supplicant-timeout", "ppp-start-failed", "ppp-disconnect", "ppp-failed",
	"dhcp-start-failed", "dhcp-error", "dhcp-failed", "shared-start-failed",
	"shared-failed", "autoip-start-failed", "autoip-error", "autoip-failed",
	"modem-busy", "modem-no-dial-tone", "modem-no-carrier", "modem-dial-timeout",
	"modem-dial-failed", "modem-init-failed", "gsm-apn-failed",
	"gsm-registration-not-searching", "gsm-registration-denied",
	"gsm-registration-timeout", "gsm-registration-failed", "gsm-pin-check-failed",
	"firmware-missing", "removed", "sleeping", "connection-removed",
	"user-requested", "carrier", "connection-assumed", "supplicant-available",
	"modem-not-found", "bt-failed", "gsm-sim-not-inserted", "gsm-sim-pin-required",
	"gsm-sim-puk-required", "gsm-sim-wrong", "infiniband-mode", "dependency-failed",
	"br2684-failed", "modem-manager-unavailable", "ssid-not-found",
	"secondary-connection-failed", "dcb-fcoe-failed", "teamd-control-failed",
	"modem-failed", "modem-available", "sim-pin-incorrect", "new-activation",
	"parent-changed", "parent-managed-changed", "ovsdb-failed",
	"ip-address-duplicate", "ip-method-unsupported", "sriov-configuration-failed",
	"peer-not-found",
}

// acReasonNames are NMActiveConnectionStateReason values.
var acReasonNames = []string{
	"unknown", "none", "user-disconnected", "device-disconnected",
	"service-stopped", "ip-config-invalid", "connect-timeout",
	"service-start-timeout", "service-start-failed", "no-secrets",
	"login-failed", "connection-removed", "dependency-failed",
	"device-realize-failed", "device-removed",
}

var devStateNames = map[uint32]string{
	0: "unknown", 10: "unmanaged", 20: "unavailable", 30: "disconnected",
	40: "prepare", 50: "config", 60: "need-auth", 70: "ip-config",
	80: "ip-check", 90: "secondaries", 100: "activated", 110: "deactivating",
	120: "failed",
}

func devReasonName(r uint32) string {
	if int(r) < len(devReasonNames) {
		return devReasonNames[r]
	}
	return "reason"
}

func acReasonName(r uint32) string {
	if int(r) < len(acReasonNames) {
		return acReasonNames[r]
	}
	return "reason"
}

func devStateName(s uint32) string {
	if n, ok := devStateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("state-%d", s)
}

// attempt is what an activation reported on its way to failing.
type attempt struct {
	devReason uint32 // NMDeviceStateReason of the device's FAILED state (0: none seen)
	acReason  uint32 // NMActiveConnectionStateReason of DEACTIVATED (0: none seen)
	needAuth  bool   // the device asked for secrets (NEED_AUTH) on the way
}

// classify turns NetworkManager's reasons into a ConnectError.
//
// A wrong WPA-PSK on NetworkManager 1.42 usually shows as the device going
// to NEED_AUTH after the 4-way handshake fails (supplicant-disconnect), then,
// since no secret agent can supply a new password, FAILED with no-secrets.
// Supplicant failures and timeouts after asking for secrets mean the same.
func classify(a attempt) *wifi.ConnectError {
	detail := fmt.Sprintf("device reason %s (%d), connection reason %s (%d)",
		devReasonName(a.devReason), a.devReason, acReasonName(a.acReason), a.acReason)
	reason := wifi.ReasonOther
	switch a.devReason {
	case devReasonNoSecrets, devReasonSupplicantDisconnect:
		reason = wifi.ReasonWrongPassword
	case devReasonSupplicantFailed, devReasonSupplicantTimeout:
		reason = wifi.ReasonWrongPassword
		if !a.needAuth && a.devReason == devReasonSupplicantTimeout {
			// Association never got as far as the handshake: the
			// network did not answer.
			reason = wifi.ReasonTimeout
		}
	case devReasonSSIDNotFound:
		reason = wifi.ReasonNotFound
	case devReasonIPConfigUnavailable, devReasonIPConfigExpired,
		devReasonDHCPStartFailed, devReasonDHCPError, devReasonDHCPFailed:
		reason = wifi.ReasonNoIP
	default:
		switch a.acReason {
		case acReasonNoSecrets, acReasonLoginFailed:
			reason = wifi.ReasonWrongPassword
		case acReasonIPConfigInvalid:
			reason = wifi.ReasonNoIP
		case acReasonConnectTimeout:
			reason = wifi.ReasonTimeout
		default:
			if a.needAuth {
				reason = wifi.ReasonWrongPassword
			}
		}
	}
	return &wifi.ConnectError{Reason: reason, Detail: detail}
}
