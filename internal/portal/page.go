package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// The page is one self-contained document: the style and script are
// inlined, allowed by their hashes, so the Content-Security-Policy needs
// neither 'unsafe-inline' nor any other origin.
var (
	//go:embed web/page.html.tmpl
	pageSrc string
	//go:embed web/style.css
	styleSrc string
	//go:embed web/app.js
	scriptSrc string

	pageTmpl = template.Must(template.New("page").Parse(pageSrc))
	csp      = "default-src 'self'; script-src " + hashSource(scriptSrc) + "; style-src " + hashSource(styleSrc) +
		"; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pageTimeout bounds the scan the page waits for; in AP mode the list
// comes from the cache at once.
const pageTimeout = 2 * time.Second

// pageData is what the templates show.
type pageData struct {
	CSS        template.CSS
	Script     template.JS
	Name       string
	State      string
	StateText  string
	Hotspot    string
	Attempt    *attemptView
	Error      string
	Networks   []netRow
	ScanNote   string
	ScanError  string
	OtherOpen  bool
	HiddenSSID string
	Token      string
	Refresh    bool
	PortalURL  string
	// Started and Scanned are the JSON forms of the attempt's start and
	// the scan time, so the script can tell a new attempt or scan.
	Started, Scanned string
}

// attemptView is the last attempt as the page tells it: running,
// succeeded, or failed with what happened and what to do.
type attemptView struct {
	SSID, Message, Hint string
	Running, Success    bool
}

// netRow is one network in the list.
type netRow struct {
	ID       string
	SSID     string
	Signal   int
	Bars     int
	Strength string
	Security string
	Secured  bool
	Band     string
	Saved    bool
	Checked  bool
	// Unsupported networks (Enterprise) are shown but cannot be chosen.
	Unsupported bool
}

// bars maps a 0–100 signal to 1–4 bars and a word.
func bars(signal int) (int, string) {
	switch {
	case signal >= 75:
		return 4, "excellent"
	case signal >= 50:
		return 3, "good"
	case signal >= 25:
		return 2, "fair"
	}
	return 1, "weak"
}

// age says a duration the way a person would.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "just now"
	case d < 90*time.Second:
		return plural(int(d/time.Second), "second")
	case d < 90*time.Minute:
		return plural(int((d+30*time.Second)/time.Minute), "minute")
	case d < 36*time.Hour:
		return plural(int((d+30*time.Minute)/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// scanNote tells honestly how fresh the list is.
func scanNote(res netstate.ScanResult, now time.Time) string {
	var b strings.Builder
	switch {
	case res.Cached && !res.ScannedAt.IsZero():
		fmt.Fprintf(&b, "This list is from %s ago, from before the hotspot started: the device cannot look for networks while its hotspot is on.", age(now.Sub(res.ScannedAt)))
	case res.Cached:
		b.WriteString("This list is from before the hotspot started: the device cannot look for networks while its hotspot is on.")
	case !res.ScannedAt.IsZero():
		fmt.Fprintf(&b, "Networks found %s ago.", age(now.Sub(res.ScannedAt)))
	}
	// A cached list's note says what the sentence above says; other notes
	// are added.
	if res.Note != "" && !(res.Cached && !res.ScannedAt.IsZero()) {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(res.Note)
	}
	return b.String()
}

func stateText(st netstate.Status) string {
	switch st.State {
	case netstate.APMode:
		if st.HotspotSSID != "" {
			return "Not connected. The setup hotspot " + st.HotspotSSID + " is on: pick your WiFi below."
		}
		return "Not connected. The setup hotspot is on: pick your WiFi below."
	case netstate.Client:
		if st.SSID != "" {
			return "Connected to " + st.SSID + "."
		}
		return "Connected."
	}
	return "Checking the connection…"
}

func attemptOf(a *netstate.Attempt) *attemptView {
	if a == nil {
		return nil
	}
	v := &attemptView{SSID: a.SSID, Running: a.Running, Success: a.Success && !a.Running, Message: a.Message, Hint: a.Hint}
	if !a.Running && !a.Success {
		if v.Message == "" {
			v.Message = a.Reason.Message()
		}
		if v.Hint == "" {
			v.Hint = a.Reason.Hint()
		}
		v.Message = capitalize(v.Message)
	}
	return v
}

// view builds the page data from the daemon's snapshot and its list.
func (s *server) view(ctx context.Context, st netstate.Status, selected string) pageData {
	now := s.now()
	p := pageData{
		CSS:       template.CSS(styleSrc),
		Script:    template.JS(scriptSrc),
		Name:      s.name,
		State:     st.State.String(),
		StateText: stateText(st),
		Hotspot:   st.HotspotSSID,
		Attempt:   attemptOf(st.Attempt),
		Token:     s.token(),
		PortalURL: s.url,
	}
	if st.Attempt != nil {
		p.Started = jsonTime(st.Attempt.Started)
	}
	p.Scanned = jsonTime(st.ScannedAt)
	ctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	res, err := s.d.Scan(ctx, false)
	if err != nil {
		s.log.Warn("scan for page failed", "err", err)
		p.ScanError = scanErrorMessage(err)
	}
	p.ScanNote = scanNote(res, now)
	for i, n := range res.Networks {
		b, word := bars(n.Signal)
		band := n.Band
		if band == "" {
			band = wifi.BandOf(n.Frequency)
		}
		p.Networks = append(p.Networks, netRow{
			ID:          "n" + strconv.Itoa(i),
			SSID:        n.SSID,
			Signal:      n.Signal,
			Bars:        b,
			Strength:    word,
			Security:    string(n.Security),
			Secured:     n.Security != wifi.Open && n.Security != "",
			Band:        string(band),
			Saved:       st.SavedSSID != "" && n.SSID == st.SavedSSID,
			Checked:     selected != "" && n.SSID == selected,
			Unsupported: n.Security == wifi.Enterprise,
		})
	}
	return p
}

// bufs recycles page buffers: a page is about 18 KB, and growing a fresh
// buffer for each would dominate the portal's garbage.
var bufs = sync.Pool{New: func() any { b := new(bytes.Buffer); b.Grow(32 << 10); return b }}

func (s *server) render(w http.ResponseWriter, status int, name string, p pageData) {
	buf := bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufs.Put(buf)
	if err := pageTmpl.ExecuteTemplate(buf, name, p); err != nil {
		s.log.Error("render page", "err", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = htmlType
	h["Cache-Control"] = noStore
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

var htmlType = []string{"text/html; charset=utf-8"}

// page is GET /: the setup page. A client asking for
// application/captive+json (DHCP option 114 points here) gets the RFC 8908
// answer instead.
func (s *server) page(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/captive+json") {
		s.captiveAPI(w, r)
		return
	}
	// The plain page is the same for every phone within a second (the
	// form token has one-second resolution), so it is built once per
	// snapshot and second.
	sec := s.now().Unix()
	if b, ok := s.pageCache.get(sec); ok {
		writeHTML(w, http.StatusOK, b)
		return
	}
	st, changed := s.d.Watch()
	p := s.view(r.Context(), st, "")
	var buf bytes.Buffer
	buf.Grow(24 << 10)
	if err := pageTmpl.ExecuteTemplate(&buf, "page", p); err != nil {
		s.log.Error("render page", "err", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	if p.ScanError == "" {
		s.pageCache.put(changed, sec, buf.Bytes())
	}
	writeHTML(w, http.StatusOK, buf.Bytes())
}

// connect is the no-JavaScript form: POST /connect with a form token.
// Success goes to the result page (post/redirect/get, so a reload does not
// resend the password); an error re-renders the form with the reason,
// keeping the chosen network but never the password.
func (s *server) connect(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.formError(w, r, http.StatusRequestEntityTooLarge, "The form was too large or could not be read. Try again.", "", "")
		return
	}
	ssid, hidden := r.PostForm.Get("ssid"), false
	typed := r.PostForm.Get("hidden_ssid")
	if ssid == "" && typed != "" {
		ssid, hidden = typed, true
	}
	if !s.validToken(r.PostForm.Get("token")) {
		s.formError(w, r, http.StatusForbidden, "This page was open too long and its form expired. Choose your network and type the password again.", ssid, typed)
		return
	}
	c := wifi.Credentials{SSID: ssid, Password: r.PostForm.Get("password"), Hidden: hidden}
	if ssid == "" {
		s.formError(w, r, http.StatusBadRequest, "Choose a network from the list, or choose \"Other network\" and type its name.", "", "")
		return
	}
	if err := c.Validate(); err != nil {
		s.formError(w, r, http.StatusBadRequest, capitalize(personError(err))+".", ssid, typed)
		return
	}
	status, msg := s.api.start(r.Context(), c)
	if status != http.StatusOK {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(s.api.limit.retryAfter(time.Now())))
		}
		s.formError(w, r, status, capitalize(msg)+".", ssid, typed)
		return
	}
	http.Redirect(w, r, "/result", http.StatusSeeOther)
}

func (s *server) formError(w http.ResponseWriter, r *http.Request, status int, msg, ssid, typed string) {
	p := s.view(r.Context(), s.d.Status(), ssid)
	p.Error = msg
	if typed != "" && ssid == typed {
		p.OtherOpen, p.HiddenSSID = true, typed
	}
	s.render(w, status, "page", p)
}

// rescan is the no-JavaScript "Scan again": it starts a forced scan and
// answers at once with a page that says the hotspot goes down for a moment.
func (s *server) rescan(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || !s.validToken(r.PostForm.Get("token")) {
		s.formError(w, r, http.StatusForbidden, "This page was open too long and its form expired. Try again.", "", "")
		return
	}
	if !s.api.limit.take(s.now()) {
		w.Header().Set("Retry-After", strconv.Itoa(s.api.limit.retryAfter(time.Now())))
		s.formError(w, r, http.StatusTooManyRequests, "Too many requests. Wait a minute and try again.", "", "")
		return
	}
	st := s.d.Status()
	s.api.startForcedScan()
	p := s.view(r.Context(), st, "")
	p.Error = ""
	p.ScanNote = rescanMessage(st.HotspotSSID)
	s.render(w, http.StatusAccepted, "rescan", p)
}

// result is the no-JavaScript result page: it follows the attempt and
// reloads itself while the attempt runs.
func (s *server) result(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	st := s.d.Status()
	p := pageData{
		CSS:       template.CSS(styleSrc),
		Name:      s.name,
		State:     st.State.String(),
		StateText: stateText(st),
		Hotspot:   st.HotspotSSID,
		Attempt:   attemptOf(st.Attempt),
		PortalURL: s.url,
	}
	p.Refresh = p.Attempt == nil || p.Attempt.Running
	s.render(w, http.StatusOK, "result", p)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// jsonTime formats t as encoding/json does, "" for the zero time.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
