package wifi

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrInvalid wraps every validation failure, so callers can answer 400.
var ErrInvalid = errors.New("invalid")

// Validate checks credentials as SPEC section 2 requires: SSID 1–32 bytes of
// UTF-8; passphrase empty (open network), 8–63 printable ASCII characters, or
// 64 hex digits. No character is forbidden otherwise: nothing goes through a
// shell. The error says what to fix and never contains the password.
func (c Credentials) Validate() error {
	if err := ValidateSSID(c.SSID); err != nil {
		return err
	}
	return ValidatePassword(c.Password)
}

// ValidateSSID checks an SSID typed or chosen by a person.
func ValidateSSID(ssid string) error {
	switch {
	case ssid == "":
		return fmt.Errorf("%w: the network name is empty", ErrInvalid)
	case len(ssid) > 32:
		return fmt.Errorf("%w: the network name is %d bytes long; WiFi allows at most 32", ErrInvalid, len(ssid))
	case !utf8.ValidString(ssid):
		return fmt.Errorf("%w: the network name is not valid UTF-8 text", ErrInvalid)
	}
	return nil
}

// ValidatePassword checks a WPA passphrase or raw PSK.
func ValidatePassword(p string) error {
	if p == "" {
		return nil
	}
	if len(p) == 64 && isHex(p) {
		return nil
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] > 0x7e {
			return fmt.Errorf("%w: the password may contain only printable ASCII characters (letters, digits, spaces and symbols)", ErrInvalid)
		}
	}
	if len(p) < 8 || len(p) > 63 {
		return fmt.Errorf("%w: the password must be 8 to 63 characters long (or 64 hex digits); it is %d", ErrInvalid, len(p))
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
