package portal

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// pageSizeLimit keeps the page small enough for a slow phone on a Pi Zero.
const pageSizeLimit = 30 << 10

func TestPage(t *testing.T) {
	wrong := func(st *netstate.Status) {
		st.Attempt = &netstate.Attempt{SSID: "HomeNet", Started: st.Since, Finished: st.Since.Add(8 * time.Second),
			Reason: wifi.ReasonWrongPassword, Message: wifi.ReasonWrongPassword.Message(), Hint: wifi.ReasonWrongPassword.Hint()}
	}
	running := func(st *netstate.Status) {
		st.Attempt = &netstate.Attempt{SSID: "HomeNet", Running: true, Started: st.Since}
	}
	tests := []struct {
		name      string
		change    func(*netstate.Status)
		scanErr   error
		want      []string // substrings, in this order
		forbidden []string
	}{
		{
			name: "list",
			want: []string{
				"Connect raspberrypi to WiFi",
				"setup hotspot PiConfig-AB12 is on",
				`name="token"`,
				"This list is from 10 minutes ago, from before the hotspot started",
				`value="HomeNet"`, "signal excellent (82%)", `class="lock"`, "WPA2", "2.4 GHz", `class="saved"`,
				`value="Café &lt;Free&gt;"`, "Café &lt;Free&gt;", "Open", "5 GHz",
				`value="Neighbour"`, "signal weak (12%)", "WPA3", "6 GHz",
				`value="Corp" data-sec="Enterprise" disabled`, "Enterprise", "not supported",
				`id="other"`, `id="hidden_ssid"`,
				`type="password"`, `id="show"`, "hidden",
				"Scanning takes the hotspot PiConfig-AB12 down for a few seconds",
			},
			forbidden: []string{"Café <Free>", "piconfig123", `role="alert"`},
		},
		{
			name:   "reason first after a failed attempt",
			change: wrong,
			want:   []string{`role="alert"`, "Could not connect to “HomeNet”", "Wrong password", "case-sensitive", "1. Choose your network"},
		},
		{
			name:   "attempt running",
			change: running,
			want:   []string{"Connecting to “HomeNet”…", "drop off the hotspot", `data-running="true"`},
		},
		{
			name:    "scan failed",
			scanErr: wifi.ErrScanUnavailable,
			want:    []string{"cannot scan while the hotspot is up", "No networks in the list", "Other network"},
		},
		{
			name:   "client",
			change: func(st *netstate.Status) { st.State, st.SSID, st.APActive = netstate.Client, "HomeNet", false },
			want:   []string{"Connected to HomeNet."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.change != nil {
				f.set(tt.change)
			}
			if tt.scanErr != nil {
				f.scanErr, f.scan = tt.scanErr, netstate.ScanResult{}
			}
			res := do(t, Handler(f, hotspotOpts), req{target: "/"})
			page := body(t, res)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("status %d type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			if len(page) > pageSizeLimit {
				t.Errorf("page is %d bytes, want at most %d", len(page), pageSizeLimit)
			}
			rest := page
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("page lacks %q (in order) after:\n%.300s", w, rest)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tt.forbidden {
				if strings.Contains(page, w) {
					t.Errorf("page contains %q", w)
				}
			}
		})
	}
}

// TestPageSelfContained: no external resource of any kind.
func TestPageSelfContained(t *testing.T) {
	page := body(t, do(t, Handler(newFake(), hotspotOpts), req{target: "/"}))
	for _, m := range regexp.MustCompile(`(?:src|href|action)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		u := html.UnescapeString(m[1])
		if u != "http://192.168.50.1/" && (!strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//")) {
			t.Errorf("page refers to %q outside itself", u)
		}
	}
	for _, bad := range []string{"http://", "https://"} {
		if n := strings.Count(page, bad); bad == "http://" && n != 2 || bad == "https://" && n != 0 {
			t.Errorf("%d occurrences of %q", n, bad)
		}
	}
}

// TestPageAccessible checks the page's structure for screen readers: every
// input has a label, one h1, language set.
func TestPageAccessible(t *testing.T) {
	page := body(t, do(t, Handler(newFake(), hotspotOpts), req{target: "/"}))
	if !strings.Contains(page, `<html lang="en">`) || strings.Count(page, "<h1>") != 1 {
		t.Error("page lacks lang or has not exactly one h1")
	}
	for _, m := range regexp.MustCompile(`<input ([^>]*)>`).FindAllStringSubmatch(page, -1) {
		attrs := m[1]
		if strings.Contains(attrs, `type="hidden"`) {
			continue
		}
		id := regexp.MustCompile(`id="([^"]+)"`).FindStringSubmatch(attrs)
		if id == nil || !strings.Contains(page, `<label for="`+id[1]+`"`) {
			t.Errorf("input without a label: %s", attrs)
		}
	}
}

func formBody(v url.Values) string { return v.Encode() }

func TestForm(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		badToken  bool
		configErr error
		want      int
		wantCreds []wifi.Credentials
		wantText  string
	}{
		{"listed network", url.Values{"ssid": {"HomeNet"}, "password": {secret}}, false, nil, http.StatusSeeOther, []wifi.Credentials{{SSID: "HomeNet", Password: secret}}, ""},
		{"hidden network", url.Values{"ssid": {""}, "hidden_ssid": {"Attic"}, "password": {secret}}, false, nil, http.StatusSeeOther, []wifi.Credentials{{SSID: "Attic", Password: secret, Hidden: true}}, ""},
		{"nothing chosen", url.Values{"password": {secret}}, false, nil, 400, nil, "Choose a network"},
		{"short password keeps choice", url.Values{"ssid": {"HomeNet"}, "password": {"short"}}, false, nil, 400, nil, "The password must be 8 to 63"},
		{"bad token", url.Values{"ssid": {"HomeNet"}, "password": {secret}}, true, nil, 403, nil, "form expired"},
		{"busy", url.Values{"ssid": {"HomeNet"}, "password": {secret}}, false, netstate.ErrBusy, 409, nil, "A connection attempt is already running"},
		{"too big", url.Values{"ssid": {"HomeNet"}, "password": {strings.Repeat("x", 5000)}}, false, nil, 413, nil, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.configErr = tt.configErr
			s := newServer(f, hotspotOpts)
			tt.form.Set("token", s.token())
			if tt.badToken {
				tt.form.Set("token", "1234.abcd")
			}
			res := do(t, s, req{method: "POST", target: "/connect", ctype: "application/x-www-form-urlencoded", body: formBody(tt.form)})
			page := body(t, res)
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %.400s", res.StatusCode, tt.want, page)
			}
			if tt.want == http.StatusSeeOther && res.Header.Get("Location") != "/result" {
				t.Errorf("Location %q, want /result", res.Header.Get("Location"))
			}
			if diff := cmp.Diff(tt.wantCreds, f.configured); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
			if !strings.Contains(page, tt.wantText) {
				t.Errorf("page lacks %q", tt.wantText)
			}
			if strings.Contains(page, secret) || strings.Contains(page, "short") && tt.name == "short password keeps choice" {
				t.Error("the page echoes the password")
			}
			if tt.name == "short password keeps choice" && !strings.Contains(page, `value="HomeNet" data-sec="WPA2" checked`) {
				t.Error("the chosen network is not kept")
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	s := newServer(newFake(), hotspotOpts)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	tok := s.token()
	tests := []struct {
		after time.Duration
		want  bool
	}{{0, true}, {time.Hour, true}, {tokenLife + time.Second, false}, {-2 * time.Minute, false}}
	for _, tt := range tests {
		s.now = func() time.Time { return now.Add(tt.after) }
		if got := s.validToken(tok); got != tt.want {
			t.Errorf("after %v: valid = %t, want %t", tt.after, got, tt.want)
		}
	}
	other := newServer(newFake(), hotspotOpts)
	if other.validToken(tok) {
		t.Error("a token from another key is valid")
	}
}

func TestResultPage(t *testing.T) {
	tests := []struct {
		name    string
		attempt *netstate.Attempt
		want    []string
		refresh bool
	}{
		{"starting", nil, []string{"Starting the connection"}, true},
		{"running", &netstate.Attempt{SSID: "HomeNet", Running: true}, []string{"Connecting to “HomeNet”", "drop off the hotspot"}, true},
		{"failed", &netstate.Attempt{SSID: "HomeNet", Reason: wifi.ReasonNotFound}, []string{"Could not connect", "Network not found", "move the device closer"}, false},
		{"succeeded", &netstate.Attempt{SSID: "HomeNet", Success: true}, []string{"Connected to “HomeNet”", "reconnect your phone"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.set(func(st *netstate.Status) { st.Attempt = tt.attempt })
			page := body(t, do(t, Handler(f, hotspotOpts), req{target: "/result"}))
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("result page lacks %q", w)
				}
			}
			if got := strings.Contains(page, `http-equiv="refresh"`); got != tt.refresh {
				t.Errorf("refresh = %t, want %t", got, tt.refresh)
			}
			if strings.Contains(page, "<script") {
				t.Error("the no-JavaScript result page has a script")
			}
		})
	}
}

func TestFormRescan(t *testing.T) {
	f := newFake()
	s := newServer(f, hotspotOpts)
	var queued []func()
	s.api.bg = func(fn func()) { queued = append(queued, fn) }
	v := url.Values{"token": {s.token()}}
	res := do(t, s, req{method: "POST", target: "/rescan", ctype: "application/x-www-form-urlencoded", body: v.Encode()})
	page := body(t, res)
	if res.StatusCode != http.StatusAccepted || !strings.Contains(page, "goes down for a few seconds") || len(queued) != 1 {
		t.Errorf("status %d, queued %d: %.300s", res.StatusCode, len(queued), page)
	}
	res = do(t, s, req{method: "POST", target: "/rescan", ctype: "application/x-www-form-urlencoded", body: "token=bad"})
	if res.StatusCode != http.StatusForbidden || len(queued) != 1 {
		t.Errorf("bad token: status %d, queued %d", res.StatusCode, len(queued))
	}
}

// TestRateLimit: a burst of attempts passes, the next gets 429 with
// Retry-After, and a token comes back with time.
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		h := Handler(f, hotspotOpts)
		post := func() *http.Response {
			return do(t, h, req{method: "POST", target: "/api/configure", ctype: "application/json", body: `{"ssid":"HomeNet","password":"` + secret + `"}`})
		}
		for i := range limitBurst {
			if res := post(); res.StatusCode != 200 {
				t.Fatalf("attempt %d: status %d", i, res.StatusCode)
			}
		}
		res := post()
		e := decode[configureJSON](t, res)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != fmt.Sprint(int(limitEvery/time.Second)) || !strings.Contains(e.Error, "wait") {
			t.Errorf("over the limit: %d Retry-After %q %q", res.StatusCode, res.Header.Get("Retry-After"), e.Error)
		}
		time.Sleep(limitEvery)
		if res := post(); res.StatusCode != 200 {
			t.Errorf("after %v: status %d, want 200", limitEvery, res.StatusCode)
		}
		if len(f.configured) != limitBurst+1 {
			t.Errorf("%d attempts reached the daemon, want %d", len(f.configured), limitBurst+1)
		}
		// Invalid requests do not spend tokens.
		for range 20 {
			do(t, h, req{method: "POST", target: "/api/configure", ctype: "application/json", body: `{"ssid":""}`})
		}
		time.Sleep(limitEvery)
		if res := post(); res.StatusCode != 200 {
			t.Errorf("invalid requests spent tokens: status %d", res.StatusCode)
		}
	})
}

func TestBucket(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucket(2, 10*time.Second)
	got := []bool{b.take(t0), b.take(t0), b.take(t0), b.take(t0.Add(5 * time.Second)), b.take(t0.Add(10 * time.Second)), b.take(t0.Add(10 * time.Second))}
	if diff := cmp.Diff([]bool{true, true, false, false, true, false}, got); diff != "" {
		t.Errorf("take (-want +got):\n%s", diff)
	}
	if s := b.retryAfter(t0.Add(12 * time.Second)); s != 8 {
		t.Errorf("retryAfter = %d, want 8", s)
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "just now"}, {time.Second, "1 second"}, {45 * time.Second, "45 seconds"},
		{2 * time.Minute, "2 minutes"}, {61 * time.Minute, "61 minutes"}, {3 * time.Hour, "3 hours"}, {72 * time.Hour, "3 days"},
	}
	for _, tt := range tests {
		if got := age(tt.d); got != tt.want {
			t.Errorf("age(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestScanNote(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	tests := []struct {
		name string
		res  netstate.ScanResult
		want string
	}{
		{"fresh", netstate.ScanResult{ScannedAt: now.Add(-5 * time.Second)}, "Networks found 5 seconds ago."},
		{"cached", netstate.ScanResult{ScannedAt: now.Add(-10 * time.Minute), Cached: true}, "This list is from 10 minutes ago, from before the hotspot started: the device cannot look for networks while its hotspot is on."},
		{"cached, no time, note", netstate.ScanResult{Cached: true, Note: "Use Scan again."}, "This list is from before the hotspot started: the device cannot look for networks while its hotspot is on. Use Scan again."},
		{"nothing", netstate.ScanResult{}, ""},
	}
	for _, tt := range tests {
		if got := scanNote(tt.res, now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPersonError(t *testing.T) {
	err := fmt.Errorf("configure: %w", fmt.Errorf("%w: the network name is empty", wifi.ErrInvalid))
	if got := personError(errors.Unwrap(err)); got != "the network name is empty" {
		t.Errorf("personError = %q", got)
	}
}
