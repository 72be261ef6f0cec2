package install

import (
	_ "embed"
	"strings"
)

//go:embed pi-netconfig.service
var unitTemplate string

// BinaryPlaceholder stands for the binary's path in the embedded unit; the
// Makefile substitutes /usr/bin/pi-netconfig for the .deb the same way.
const BinaryPlaceholder = "@BINARY@"

// Unit returns the systemd unit that runs binary (an absolute path).
func Unit(binary string) []byte {
	return []byte(strings.ReplaceAll(unitTemplate, BinaryPlaceholder, binary))
}
