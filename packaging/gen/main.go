// Command gen writes the files the Debian package ships beside the binary,
// from the same code the binary's own installer uses: the systemd unit (with
// ExecStart=/usr/bin/pi-netconfig) and NetworkManager's dnsmasq drop-in.
//
//	go run ./packaging/gen -out dist/pkg
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/pi-netconfig/pi-netconfig/internal/install"
	"github.com/pi-netconfig/pi-netconfig/internal/portal"
)

func main() {
	out := flag.String("out", "dist/pkg", "directory to write pi-netconfig.service and pi-netconfig.conf to")
	bin := flag.String("binary", "/usr/bin/pi-netconfig", "the binary's path in the package")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	files := map[string][]byte{
		"pi-netconfig.service": install.Unit(*bin),
		"pi-netconfig.conf":    portal.DnsmasqDropIn(netip.MustParseAddr("192.168.50.1")),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
