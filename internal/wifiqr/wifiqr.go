// Package wifiqr makes the "WIFI:" QR code that phones scan to join a
// network, so a person can join the setup hotspot by pointing a camera at
// the console instead of typing its password.
package wifiqr

import (
	"fmt"
	"io"
	"strings"

	"rsc.io/qr"
)

// Quiet is the quiet zone around the code, in modules. The QR standard asks
// for 4; scanners need it to find the code on a dark terminal.
const Quiet = 4

// escaper escapes what the WIFI: format reserves, backslash first.
var escaper = strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, `:`, `\:`, `"`, `\"`)

// Payload is the text of a WiFi QR code: WPA for a network with a password
// (WPA2 and WPA3 included, as phones expect), nopass for an open one.
func Payload(ssid, password string) string {
	if password == "" {
		return "WIFI:T:nopass;S:" + escaper.Replace(ssid) + ";;"
	}
	return "WIFI:T:WPA;S:" + escaper.Replace(ssid) + ";P:" + escaper.Replace(password) + ";;"
}

// Terminal prints the QR code for the network to w with half-block
// characters, two modules per character cell, light modules drawn (for the
// usual light-on-dark terminal), with a quiet zone. The output holds the
// password in the code only, never as text.
func Terminal(w io.Writer, ssid, password string) error {
	code, err := qr.Encode(Payload(ssid, password), qr.M)
	if err != nil {
		return fmt.Errorf("wifiqr: encode: %w", err)
	}
	// light reports whether the module at (x, y), counted from the outer
	// edge of the quiet zone, is light; outside the code is quiet zone.
	light := func(x, y int) bool { return !code.Black(x-Quiet, y-Quiet) }
	n := code.Size + 2*Quiet
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := light(x, y), y+1 < n && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("wifiqr: write: %w", err)
	}
	return nil
}
