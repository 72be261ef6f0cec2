package netstate

import (
	"errors"
	"fmt"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// Errors returned to commands.
var (
	// ErrBusy means another operation (usually a connection attempt) is
	// running; the command was not applied and can be retried later.
	ErrBusy = errors.New("netstate: busy")
	// ErrStopped means the state machine is not running.
	ErrStopped = errors.New("netstate: not running")
)

// State is the daemon's state, reported exactly as CHECKING, CLIENT,
// AP_MODE (FR-020).
type State int

// States.
const (
	Checking State = iota
	Client
	APMode
)

func (s State) String() string {
	switch s {
	case Client:
		return "CLIENT"
	case APMode:
		return "AP_MODE"
	}
	return "CHECKING"
}

// MarshalText makes JSON show the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Attempt is the last (or running) connection attempt started by a person.
type Attempt struct {
	SSID     string      `json:"ssid"`
	Running  bool        `json:"running"`
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished,omitzero"`
	Success  bool        `json:"success"`
	Reason   wifi.Reason `json:"reason,omitempty"`  // set when it failed
	Message  string      `json:"message,omitempty"` // what happened, in words
	Hint     string      `json:"hint,omitempty"`    // what to do about it
}

// Status is an immutable snapshot of the daemon, safe to share between
// goroutines. JSON field names state, ssid and ap_active are the original
// tool's API (FR-054) and must stay.
type Status struct {
	State    State     `json:"state"`
	SSID     string    `json:"ssid"` // the network joined in CLIENT, else ""
	APActive bool      `json:"ap_active"`
	Since    time.Time `json:"since"`  // when State was entered
	Reason   string    `json:"reason"` // why State was entered

	Interface string `json:"interface,omitempty"`
	MAC       string `json:"mac,omitempty"`
	IPv4      string `json:"ipv4,omitempty"`

	// Link and Internet are both always reported, whatever the policy.
	Link     bool   `json:"link"`
	Internet bool   `json:"internet"`
	Policy   string `json:"policy"` // "link" or "internet"

	FailedChecks int       `json:"failed_checks"`
	LastCheck    time.Time `json:"last_check,omitzero"`

	HotspotSSID string `json:"hotspot_ssid"`
	// HotspotPassword is only for the root-only control socket (status,
	// QR code); the portal must blank it before answering.
	HotspotPassword string `json:"hotspot_password,omitempty"`
	HotspotAddress  string `json:"hotspot_address"`
	Stations        int    `json:"stations"`

	SavedSSID     string    `json:"saved_ssid,omitempty"`    // configured_ssid
	LastConnected time.Time `json:"last_connected,omitzero"` // of SavedSSID

	Attempt *Attempt `json:"last_attempt,omitempty"`
	Busy    string   `json:"busy,omitempty"` // what the owner is doing, when it is a long operation

	ScannedAt time.Time `json:"scanned_at,omitzero"`

	Problems []wifi.Problem `json:"problems,omitempty"`
}

// ScanResult is the list of networks and how fresh it is.
type ScanResult struct {
	Networks  []wifi.Network `json:"networks"`
	ScannedAt time.Time      `json:"scanned_at,omitzero"`
	// Cached is true when the radio could not scan now (hotspot up) and the
	// list is the one taken before; Note says so in words.
	Cached bool   `json:"cached"`
	Note   string `json:"note,omitempty"`
}

// UnmarshalText reads a state's name, for clients of the JSON API.
func (s *State) UnmarshalText(b []byte) error {
	switch string(b) {
	case "CHECKING":
		*s = Checking
	case "CLIENT":
		*s = Client
	case "AP_MODE":
		*s = APMode
	default:
		return fmt.Errorf("netstate: unknown state %q", b)
	}
	return nil
}
