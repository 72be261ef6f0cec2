package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
)

// captive reports whether the probes should claim a captive portal: yes,
// unless the device is online as a client or the person's last attempt
// succeeded in the current state (a success from before the hotspot came
// back again does not count, or the phone would never pop the page up).
func captive(st netstate.Status) bool {
	if st.State == netstate.Client {
		return false
	}
	a := st.Attempt
	if a != nil && a.Success && !a.Running && !a.Finished.Before(st.Since) {
		return false
	}
	return true
}

// probe is an operating system's connectivity check: while captive it is
// redirected to the portal, which makes the phone pop the page up; after a
// successful attempt it gets the answer the OS expects from the internet,
// so the phone lets go.
type probe struct {
	os          string
	status      int
	contentType string
	body        string
}

// Success pages, byte for byte what each OS compares against.
const (
	appleSuccess   = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
	firefoxCanon   = `<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>`
	windowsConnect = "Microsoft Connect Test"
	windowsNCSI    = "Microsoft NCSI"
)

// probes maps each known probe path to its success answer.
var probes = map[string]probe{
	"/generate_204":              {"android", http.StatusNoContent, "", ""},
	"/gen_204":                   {"android", http.StatusNoContent, "", ""},
	"/hotspot-detect.html":       {"apple", http.StatusOK, "text/html", appleSuccess},
	"/library/test/success.html": {"apple", http.StatusOK, "text/html", appleSuccess},
	"/connecttest.txt":           {"windows", http.StatusOK, "text/plain", windowsConnect},
	"/ncsi.txt":                  {"windows", http.StatusOK, "text/plain", windowsNCSI},
	"/redirect":                  {"windows", http.StatusNoContent, "", ""},
	"/canonical.html":            {"firefox", http.StatusOK, "text/html", firefoxCanon},
	"/success.txt":               {"firefox", http.StatusOK, "text/plain", "success\n"},
}

// serveProbe answers a probe path on any host.
func (s *server) serveProbe(w http.ResponseWriter, r *http.Request, p probe) {
	w.Header().Set("Cache-Control", "no-store")
	if captive(s.d.Status()) {
		s.redirect(w, r)
		return
	}
	if p.contentType != "" {
		w.Header().Set("Content-Type", p.contentType)
	}
	w.WriteHeader(p.status)
	if p.body != "" {
		fmt.Fprint(w, p.body)
	}
}

// captiveJSON is the RFC 8908 captive-portal API answer.
type captiveJSON struct {
	Captive       bool   `json:"captive"`
	UserPortalURL string `json:"user-portal-url"`
}

func (s *server) captiveAPI(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	b, _ := json.Marshal(captiveJSON{Captive: captive(s.d.Status()), UserPortalURL: s.url})
	w.Header().Set("Content-Type", "application/captive+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}

// DnsmasqDropIn is the content of
// /etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf: NetworkManager's
// shared-mode dnsmasq answers every DNS name with the hotspot address, so
// every URL a phone opens lands on the portal, and DHCP option 114
// (RFC 8910, "captive-portal") tells the phone where the portal is. The
// portal also answers that URL with the RFC 8908 JSON when asked for
// application/captive+json.
func DnsmasqDropIn(addr netip.Addr) []byte {
	if !addr.IsValid() {
		addr = DefaultAddr
	}
	return fmt.Appendf(nil, `# Written by pi-netconfig for its setup hotspot; removed by "pi-netconfig uninstall".
# Every DNS name resolves to the hotspot, so phones find the captive portal.
address=/#/%[1]s
# DHCP option 114 (RFC 8910): the captive portal's URL.
dhcp-option=114,"http://%[1]s/"
`, addr)
}
