package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Rate limit for connection attempts and forced rescans: a person retyping
// a password never meets it; a script hammering the radio does.
const (
	limitBurst = 5
	limitEvery = 12 * time.Second
)

// Security header values, shared by every answer (never modified).
var (
	hdrNosniff    = []string{"nosniff"}
	hdrNoReferrer = []string{"no-referrer"}
	hdrDeny       = []string{"DENY"}
	hdrCSP        = []string{csp}
)

// tokenLife is how long a form token (no-JavaScript form) stays valid.
const tokenLife = 2 * time.Hour

// server is the portal handler: host check, security headers, activity,
// then the routes.
type server struct {
	d     Daemon
	log   *slog.Logger
	name  string
	url   string          // the portal's own URL, where redirects go
	hosts map[string]bool // Host values served
	api   *api
	mux   *http.ServeMux
	key   []byte // signs form tokens; new on every start
	now   func() time.Time
	// pageCache is the plain page for the current snapshot and second.
	pageCache snapCache
}

func newServer(d Daemon, opts Options) *server {
	log := opts.logger().With("component", "portal")
	key := make([]byte, 32)
	rand.Read(key)
	s := &server{
		d:     d,
		log:   log,
		name:  opts.DeviceName,
		url:   opts.portalURL(),
		hosts: opts.hosts(),
		key:   key,
		now:   time.Now,
	}
	if s.name == "" {
		s.name = "this device"
	}
	s.api = &api{d: d, log: log, limit: newBucket(limitBurst, limitEvery), deviceName: opts.DeviceName}
	mux := http.NewServeMux()
	s.api.routes(mux)
	mux.HandleFunc("/api/captive", s.captiveAPI)
	mux.HandleFunc("/{$}", s.page)
	mux.HandleFunc("/connect", s.connect)
	mux.HandleFunc("/rescan", s.rescan)
	mux.HandleFunc("/result", s.result)
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", s.redirect)
	s.mux = mux
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.d.Touch()
	h := w.Header()
	h["X-Content-Type-Options"] = hdrNosniff
	h["Referrer-Policy"] = hdrNoReferrer
	h["X-Frame-Options"] = hdrDeny
	h["Content-Security-Policy"] = hdrCSP
	// Probes come with the OS vendor's host name (every name resolves to
	// the hotspot), so they are answered before the host check.
	if p, ok := probes[r.URL.Path]; ok {
		s.serveProbe(w, r, p)
		return
	}
	if !s.hosts[strings.ToLower(r.Host)] {
		s.redirect(w, r)
		return
	}
	if r.Method == http.MethodPost && !s.sameOrigin(r) {
		writeError(w, http.StatusForbidden, "this request came from another site; open "+s.url+" and use the form there")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// sameOrigin rejects a POST whose Origin (sent by browsers) is another
// site. Requests without Origin (curl, old clients) pass, and so does
// "null", which browsers send for the page's own form because of
// Referrer-Policy: no-referrer; the form token and the JSON content type
// (which needs a CORS preflight the portal never grants) still guard them.
func (s *server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Scheme != "http" {
		return false
	}
	return s.hosts[strings.ToLower(u.Host)]
}

// redirect sends anything that is not the portal's to the portal's page.
func (s *server) redirect(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Location", s.url)
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusFound)
	if r.Method != http.MethodHead {
		// A link for clients that do not follow redirects.
		w.Write([]byte(`<!doctype html><title>WiFi setup</title><a href="` + s.url + `">Open the WiFi setup page</a>` + "\n"))
	}
}

// token returns a form token for the no-JavaScript form: the time it was
// made and an HMAC of it, so no state is kept per page.
func (s *server) token() string {
	ts := strconv.FormatInt(s.now().Unix(), 16)
	return ts + "." + s.sign(ts)
}

func (s *server) sign(ts string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// validToken checks a form token's signature and age.
func (s *server) validToken(tok string) bool {
	ts, sig, ok := strings.Cut(tok, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(ts))) {
		return false
	}
	sec, err := strconv.ParseInt(ts, 16, 64)
	if err != nil {
		return false
	}
	age := s.now().Sub(time.Unix(sec, 0))
	return age >= -time.Minute && age <= tokenLife
}
