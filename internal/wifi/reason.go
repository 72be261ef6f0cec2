package wifi

import "fmt"

// Reason classifies why a connection attempt failed, so that the portal can
// tell the person what went wrong when their phone rejoins the hotspot.
type Reason string

// Failure reasons. The values are stable API strings.
const (
	ReasonWrongPassword Reason = "wrong_password"
	ReasonNotFound      Reason = "not_found"
	ReasonNoIP          Reason = "no_ip"
	ReasonTimeout       Reason = "timeout"
	ReasonOther         Reason = "other"
)

// Message is the reason in words a person can act on.
func (r Reason) Message() string {
	switch r {
	case ReasonWrongPassword:
		return "wrong password: the network refused the password"
	case ReasonNotFound:
		return "network not found: the device cannot see it from where it is"
	case ReasonNoIP:
		return "no IP address: the network accepted the device but gave it no address"
	case ReasonTimeout:
		return "timed out: the network did not answer in time"
	}
	return "the connection failed"
}

// Hint is what the person should do about it.
func (r Reason) Hint() string {
	switch r {
	case ReasonWrongPassword:
		return "Check the password (it is case-sensitive) and try again."
	case ReasonNotFound:
		return "Check the network name, move the device closer to the router, or type it as a hidden network."
	case ReasonNoIP:
		return "Check that the router hands out addresses (DHCP) and has room for another device."
	case ReasonTimeout:
		return "Try again; if it keeps happening, move the device closer to the router."
	}
	return "Try again."
}

// ConnectError is a failed connection attempt, classified.
type ConnectError struct {
	Reason Reason
	// Detail is the raw cause (NetworkManager's state reason and its number),
	// for logs and experts; it never holds a password.
	Detail string
}

func (e *ConnectError) Error() string {
	if e.Detail == "" {
		return string(e.Reason) + ": " + e.Reason.Message()
	}
	return fmt.Sprintf("%s: %s (%s)", e.Reason, e.Reason.Message(), e.Detail)
}
