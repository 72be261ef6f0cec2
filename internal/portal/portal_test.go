package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

const secret = "correct horse battery"

var hotspotOpts = Options{Addr: netip.MustParseAddr("192.168.50.1"), Ports: []int{8080, 80}, DeviceName: "raspberrypi"}

type req struct {
	method, target, host, ctype, body, origin, accept string
}

func do(t *testing.T, h http.Handler, r req) *http.Response {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
	hr.Host = r.host
	if r.host == "" {
		hr.Host = "192.168.50.1"
	}
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	if r.accept != "" {
		hr.Header.Set("Accept", r.accept)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hr)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode[T any](t *testing.T, res *http.Response) T {
	t.Helper()
	var v T
	b := body(t, res)
	if err := json.Unmarshal([]byte(b), &v); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, b)
	}
	return v
}

func succeeded(st *netstate.Status) {
	st.Attempt = &netstate.Attempt{SSID: "HomeNet", Started: st.Since.Add(time.Second), Finished: st.Since.Add(5 * time.Second), Success: true}
}

func TestProbes(t *testing.T) {
	type answer struct {
		Status   int
		Location string
		Type     string
		Body     string
	}
	redirect := answer{Status: http.StatusFound, Location: "http://192.168.50.1/", Type: "text/html; charset=utf-8"}
	tests := []struct {
		path, host string
		success    answer
	}{
		{"/generate_204", "connectivitycheck.gstatic.com", answer{Status: 204}},
		{"/gen_204", "clients3.google.com", answer{Status: 204}},
		{"/hotspot-detect.html", "captive.apple.com", answer{Status: 200, Type: "text/html", Body: appleSuccess}},
		{"/library/test/success.html", "www.apple.com", answer{Status: 200, Type: "text/html", Body: "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"}},
		{"/connecttest.txt", "www.msftconnecttest.com", answer{Status: 200, Type: "text/plain", Body: "Microsoft Connect Test"}},
		{"/ncsi.txt", "www.msftncsi.com", answer{Status: 200, Type: "text/plain", Body: "Microsoft NCSI"}},
		{"/redirect", "www.msftconnecttest.com", answer{Status: 204}},
		{"/canonical.html", "detectportal.firefox.com", answer{Status: 200, Type: "text/html", Body: firefoxCanon}},
		{"/success.txt", "detectportal.firefox.com", answer{Status: 200, Type: "text/plain", Body: "success\n"}},
		// The portal's own host answers probes the same way.
		{"/generate_204", "192.168.50.1", answer{Status: 204}},
	}
	for _, tt := range tests {
		for _, phase := range []string{"captive", "after success"} {
			t.Run(tt.host+tt.path+"/"+phase, func(t *testing.T) {
				f := newFake()
				want := redirect
				if phase == "after success" {
					f.set(succeeded)
					want = tt.success
				}
				res := do(t, Handler(f, hotspotOpts), req{target: tt.path, host: tt.host})
				got := answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Type: res.Header.Get("Content-Type"), Body: body(t, res)}
				if phase == "captive" {
					got.Body = ""
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("probe (-want +got):\n%s", diff)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", cc)
				}
			})
		}
	}
}

func TestCaptive(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   netstate.Status
		want bool
	}{
		{"ap mode, no attempt", netstate.Status{State: netstate.APMode, Since: t0}, true},
		{"attempt running", netstate.Status{State: netstate.APMode, Since: t0, Attempt: &netstate.Attempt{Running: true, Started: t0.Add(time.Second)}}, true},
		{"attempt failed", netstate.Status{State: netstate.APMode, Since: t0, Attempt: &netstate.Attempt{Finished: t0.Add(time.Second), Reason: wifi.ReasonWrongPassword}}, true},
		{"attempt succeeded", netstate.Status{State: netstate.APMode, Since: t0, Attempt: &netstate.Attempt{Finished: t0.Add(time.Second), Success: true}}, false},
		{"checking after success", netstate.Status{State: netstate.Checking, Since: t0, Attempt: &netstate.Attempt{Finished: t0, Success: true}}, false},
		{"client", netstate.Status{State: netstate.Client, Since: t0}, false},
		{"hotspot back after an old success", netstate.Status{State: netstate.APMode, Since: t0.Add(time.Hour), Attempt: &netstate.Attempt{Finished: t0, Success: true}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := captive(tt.st); got != tt.want {
				t.Errorf("captive = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestForeignHostRedirected(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		req  req
		want string // Location; "" means served
	}{
		{"canonical host", hotspotOpts, req{target: "/", host: "192.168.50.1"}, ""},
		{"canonical host port 8080", hotspotOpts, req{target: "/", host: "192.168.50.1:8080"}, ""},
		{"canonical host port 80", hotspotOpts, req{target: "/api/status", host: "192.168.50.1:80"}, ""},
		{"other port", hotspotOpts, req{target: "/", host: "192.168.50.1:9999"}, "http://192.168.50.1/"},
		{"dns name", hotspotOpts, req{target: "/", host: "example.com"}, "http://192.168.50.1/"},
		{"rebinding to the api", hotspotOpts, req{target: "/api/status", host: "evil.example"}, "http://192.168.50.1/"},
		{"rebinding configure", hotspotOpts, req{method: "POST", target: "/api/configure", host: "evil.example", ctype: "application/json", body: `{"ssid":"x","password":"12345678"}`}, "http://192.168.50.1/"},
		{"empty host", hotspotOpts, req{target: "/", host: " "}, "http://192.168.50.1/"},
		{"8080 only", Options{Addr: netip.MustParseAddr("192.168.50.1"), Ports: []int{8080, 0}}, req{target: "/x", host: "a.b"}, "http://192.168.50.1:8080/"},
		{"demo listen", Options{Listen: []string{"127.0.0.1:8099"}}, req{target: "/", host: "127.0.0.1:8099"}, ""},
		{"demo other host", Options{Listen: []string{"127.0.0.1:8099"}}, req{target: "/", host: "localhost:8099"}, "http://127.0.0.1:8099/"},
		{"demo listen ipv6", Options{Listen: []string{"[::1]:8099"}}, req{target: "/", host: "[::1]:8099"}, ""},
		{"demo listen port 80 without port", Options{Listen: []string{"[::1]:80"}}, req{target: "/", host: "[::1]"}, ""},
		{"unknown path on portal host", hotspotOpts, req{target: "/wp-admin"}, "http://192.168.50.1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			res := do(t, Handler(f, tt.opts), tt.req)
			if tt.want == "" {
				if res.StatusCode != http.StatusOK {
					t.Errorf("status = %d, want 200 (served)", res.StatusCode)
				}
				return
			}
			if res.StatusCode != http.StatusFound || res.Header.Get("Location") != tt.want {
				t.Errorf("got %d Location %q, want 302 to %q", res.StatusCode, res.Header.Get("Location"), tt.want)
			}
			if len(f.configured) != 0 {
				t.Errorf("configure applied from a foreign host: %v", f.configured)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, target := range []string{"/", "/api/status", "/api/scan", "/result", "/generate_204", "/api/captive", "/nowhere"} {
		t.Run(target, func(t *testing.T) {
			res := do(t, Handler(newFake(), hotspotOpts), req{target: target})
			for k, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"X-Frame-Options":        "DENY",
				"Cache-Control":          "no-store",
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			c := res.Header.Get("Content-Security-Policy")
			if !strings.HasPrefix(c, "default-src 'self';") || strings.Contains(c, "unsafe") {
				t.Errorf("Content-Security-Policy = %q", c)
			}
		})
	}
}

// TestCSPHashesMatchPage proves the inline style and script are exactly
// what the policy's hashes allow.
func TestCSPHashesMatchPage(t *testing.T) {
	res := do(t, Handler(newFake(), hotspotOpts), req{target: "/"})
	page := body(t, res)
	policy := res.Header.Get("Content-Security-Policy")
	for _, tag := range []string{"style", "script"} {
		m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllStringSubmatch(page, -1)
		if len(m) != 1 {
			t.Fatalf("%d <%s> elements, want 1", len(m), tag)
		}
		if h := hashSource(m[0][1]); !strings.Contains(policy, tag+"-src "+h) {
			t.Errorf("inline %s hash %s not in policy %q", tag, h, policy)
		}
	}
	if strings.Contains(page, " style=") || strings.Contains(page, " onclick=") {
		t.Error("page has inline style or event attributes, which the policy blocks")
	}
}

func TestEveryRequestTouches(t *testing.T) {
	f := newFake()
	h := Handler(f, hotspotOpts)
	for _, r := range []req{{target: "/"}, {target: "/api/status"}, {target: "/generate_204", host: "x.y"}, {target: "/", host: "evil"}} {
		do(t, h, r)
	}
	if f.touches != 4 {
		t.Errorf("Touch called %d times, want 4", f.touches)
	}
}

// TestStatusShape checks the original's fields one by one (FR-054) and what
// the page needs, and that the portal never shows the hotspot password.
func TestStatusShape(t *testing.T) {
	f := newFake()
	f.set(func(st *netstate.Status) {
		st.Attempt = &netstate.Attempt{SSID: "HomeNet", Started: st.Since, Finished: st.Since.Add(9 * time.Second), Reason: wifi.ReasonWrongPassword, Message: wifi.ReasonWrongPassword.Message(), Hint: wifi.ReasonWrongPassword.Hint()}
	})
	res := do(t, Handler(f, hotspotOpts), req{target: "/api/status"})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	raw := body(t, res)
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"state":        "AP_MODE",
		"ssid":         "",
		"ap_active":    true,
		"hotspot_ssid": "PiConfig-AB12",
		"device_name":  "raspberrypi",
		"captive":      true,
		"saved_ssid":   "HomeNet",
	}
	got := map[string]any{}
	for k := range want {
		got[k] = m[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status fields (-want +got):\n%s", diff)
	}
	if _, ok := m["scan_age_seconds"]; !ok {
		t.Error("no scan_age_seconds")
	}
	la, _ := m["last_attempt"].(map[string]any)
	if la["reason"] != "wrong_password" || la["message"] == "" || la["hint"] == "" {
		t.Errorf("last_attempt = %v", la)
	}
	if strings.Contains(raw, "piconfig123") || strings.Contains(raw, "hotspot_password") {
		t.Errorf("portal status shows the hotspot password: %s", raw)
	}
}

func TestAPIHandlerShowsHotspotPassword(t *testing.T) {
	h := APIHandler(newFake(), nil)
	st := decode[map[string]any](t, do(t, h, req{target: "/api/status", host: "anything"}))
	if st["hotspot_password"] != "piconfig123" {
		t.Errorf("control socket status hotspot_password = %v, want piconfig123", st["hotspot_password"])
	}
}

// TestScanShape checks FR-052 field by field.
func TestScanShape(t *testing.T) {
	f := newFake()
	res := do(t, Handler(f, hotspotOpts), req{target: "/api/scan"})
	type netJSON struct {
		SSID      string `json:"ssid"`
		Signal    int    `json:"signal"`
		Security  string `json:"security"`
		Frequency int    `json:"frequency"`
		Band      string `json:"band"`
		Saved     bool   `json:"saved"`
	}
	type scanAnswer struct {
		Networks   []netJSON `json:"networks"`
		Cached     bool      `json:"cached"`
		AgeSeconds *int64    `json:"age_seconds"`
		SavedSSID  string    `json:"saved_ssid"`
	}
	got := decode[scanAnswer](t, res)
	if got.AgeSeconds == nil {
		t.Error("no age_seconds")
	}
	got.AgeSeconds = nil
	want := scanAnswer{
		Networks: []netJSON{
			{SSID: "HomeNet", Signal: 82, Security: "WPA2", Frequency: 2437, Band: "2.4 GHz", Saved: true},
			{SSID: "Café <Free>", Signal: 40, Security: "Open", Frequency: 5180, Band: "5 GHz"},
			{SSID: "Neighbour", Signal: 12, Security: "WPA3", Frequency: 5955, Band: "6 GHz"},
			{SSID: "Corp", Signal: 10, Security: "Enterprise", Frequency: 5200, Band: "5 GHz"},
		},
		Cached:    true,
		SavedSSID: "HomeNet",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false}, f.scans); diff != "" {
		t.Errorf("Scan force flags (-want +got):\n%s", diff)
	}
}

func TestScanEmptyIsArray(t *testing.T) {
	f := newFake()
	f.scan = netstate.ScanResult{}
	if b := body(t, do(t, Handler(f, hotspotOpts), req{target: "/api/scan"})); !strings.Contains(b, `"networks":[]`) {
		t.Errorf("empty scan = %s, want networks: []", b)
	}
}

func TestScanErrors(t *testing.T) {
	for _, err := range []error{wifi.ErrScanUnavailable, netstate.ErrBusy, errors.New("dbus: gone")} {
		t.Run(err.Error(), func(t *testing.T) {
			f := newFake()
			f.scanErr = fmt.Errorf("scan: %w", err)
			res := do(t, Handler(f, hotspotOpts), req{target: "/api/scan"})
			e := decode[errorJSON](t, res)
			if res.StatusCode != http.StatusServiceUnavailable || e.Error == "" || strings.Contains(e.Error, "dbus") {
				t.Errorf("got %d %q", res.StatusCode, e.Error)
			}
		})
	}
}

func TestForcedRescan(t *testing.T) {
	f := newFake()
	h := newServer(f, hotspotOpts)
	var queued []func()
	h.api.bg = func(fn func()) { queued = append(queued, fn) }
	res := do(t, h, req{method: "POST", target: "/api/scan", ctype: "application/json", body: `{"force":true}`})
	got := decode[scanJSON](t, res)
	if res.StatusCode != http.StatusAccepted || !got.Scanning || !strings.Contains(got.Message, "PiConfig-AB12") || !strings.Contains(got.Message, "goes down") {
		t.Errorf("got %d %+v", res.StatusCode, got)
	}
	if len(f.scans) != 0 || len(queued) != 1 {
		t.Fatalf("forced scan ran in the handler (scans %v) or was not queued (%d)", f.scans, len(queued))
	}
	queued[0]()
	if diff := cmp.Diff([]bool{true}, f.scans); diff != "" {
		t.Errorf("Scan force flags (-want +got):\n%s", diff)
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name       string
		req        req
		configErr  error
		wantStatus int
		wantCreds  []wifi.Credentials
		wantErr    string // substring of "error"
	}{
		{
			name:       "accepted",
			req:        req{body: `{"ssid":"HomeNet","password":"` + secret + `"}`},
			wantStatus: 200,
			wantCreds:  []wifi.Credentials{{SSID: "HomeNet", Password: secret}},
		},
		{
			name:       "hidden, charset in type",
			req:        req{ctype: "application/json; charset=utf-8", body: `{"ssid":"Attic","password":"` + secret + `","hidden":true}`},
			wantStatus: 200,
			wantCreds:  []wifi.Credentials{{SSID: "Attic", Password: secret, Hidden: true}},
		},
		{
			name:       "open network",
			req:        req{body: `{"ssid":"Café <Free>","password":""}`},
			wantStatus: 200,
			wantCreds:  []wifi.Credentials{{SSID: "Café <Free>"}},
		},
		{"bad json", req{body: `{"ssid":"HomeNet","password":"` + secret}, nil, 400, nil, "not valid JSON"},
		{"trailing data", req{body: `{"ssid":"a","password":"` + secret + `"} {}`}, nil, 400, nil, "not valid JSON"},
		{"wrong type", req{body: `{"ssid":5,"password":"` + secret + `"}`}, nil, 400, nil, `"ssid" has the wrong type`},
		{"empty ssid", req{body: `{"ssid":"","password":"` + secret + `"}`}, nil, 400, nil, "network name is empty"},
		{"long ssid", req{body: `{"ssid":"` + strings.Repeat("x", 33) + `","password":"` + secret + `"}`}, nil, 400, nil, "at most 32"},
		{"short password", req{body: `{"ssid":"HomeNet","password":"short"}`}, nil, 400, nil, "8 to 63"},
		{"control char", req{body: `{"ssid":"HomeNet","password":"abc\u0001defgh"}`}, nil, 400, nil, "printable ASCII"},
		{"enterprise", req{body: `{"ssid":"Corp","password":"` + secret + `","security":"Enterprise"}`}, nil, 400, nil, "not one the device can join"},
		{"form type", req{ctype: "application/x-www-form-urlencoded", body: "ssid=a&password=" + url.QueryEscape(secret)}, nil, 415, nil, "Content-Type: application/json"},
		{"text type", req{ctype: "text/plain", body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, nil, 415, nil, "application/json"},
		{"too big", req{body: `{"ssid":"HomeNet","password":"` + strings.Repeat("a", 5000) + `"}`}, nil, 413, nil, "larger than 4096"},
		{"busy", req{body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, fmt.Errorf("configure: %w", netstate.ErrBusy), 409, nil, "already running; wait for it to finish"},
		{"stopped", req{body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, netstate.ErrStopped, 503, nil, "shutting down"},
		{"daemon invalid", req{body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, fmt.Errorf("%w: no such thing", wifi.ErrInvalid), 400, nil, "no such thing"},
		{"daemon failure", req{body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, errors.New("dbus: exploded"), 500, nil, "could not start"},
		{"foreign origin", req{origin: "http://evil.example", body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, nil, 403, nil, "another site"},
		{"null origin (no-referrer form)", req{origin: "null", body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, nil, 200, []wifi.Credentials{{SSID: "HomeNet", Password: secret}}, ""},
		{"own origin", req{origin: "http://192.168.50.1", body: `{"ssid":"HomeNet","password":"` + secret + `"}`}, nil, 200, []wifi.Credentials{{SSID: "HomeNet", Password: secret}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.configErr = tt.configErr
			r := tt.req
			r.method, r.target = http.MethodPost, "/api/configure"
			if r.ctype == "" {
				r.ctype = "application/json"
			}
			res := do(t, Handler(f, hotspotOpts), r)
			raw := body(t, res)
			var got configureJSON
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatalf("not JSON: %q", raw)
			}
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", res.StatusCode, tt.wantStatus, raw)
			}
			if diff := cmp.Diff(tt.wantCreds, f.configured); diff != "" {
				t.Errorf("credentials handed to the daemon (-want +got):\n%s", diff)
			}
			if tt.wantStatus == 200 {
				if !got.Success || !strings.Contains(got.Message, "drop off") || !strings.Contains(got.Message, "comes back") {
					t.Errorf("answer = %+v, want success and what happens next", got)
				}
			} else if got.Success || !strings.Contains(got.Error, tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", got.Error, tt.wantErr)
			}
			if strings.Contains(raw, secret) || strings.Contains(raw, "short\"") {
				t.Errorf("answer echoes the password: %s", raw)
			}
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Error("no Cache-Control: no-store")
			}
		})
	}
}

// TestOriginalClient replays the original tool's API usage: the three
// routes and their field names.
func TestOriginalClient(t *testing.T) {
	f := newFake()
	h := Handler(f, hotspotOpts)
	st := decode[struct {
		State    *string `json:"state"`
		SSID     *string `json:"ssid"`
		APActive *bool   `json:"ap_active"`
	}](t, do(t, h, req{target: "/api/status", host: "192.168.50.1:8080"}))
	if st.State == nil || *st.State != "AP_MODE" || st.SSID == nil || st.APActive == nil || !*st.APActive {
		t.Errorf("status fields missing or wrong: %+v", st)
	}
	sc := decode[struct {
		Networks []map[string]any `json:"networks"`
	}](t, do(t, h, req{target: "/api/scan", host: "192.168.50.1:8080"}))
	for _, n := range sc.Networks {
		for _, k := range []string{"ssid", "signal", "security", "frequency"} {
			if _, ok := n[k]; !ok {
				t.Errorf("network %v has no %q", n, k)
			}
		}
	}
	cf := decode[map[string]any](t, do(t, h, req{method: "POST", target: "/api/configure", host: "192.168.50.1:8080", ctype: "application/json", body: `{"ssid":"HomeNet","password":"` + secret + `"}`}))
	if cf["success"] != true {
		t.Errorf("configure success = %v", cf["success"])
	}
	if m, _ := cf["message"].(string); m == "" {
		t.Errorf("configure message = %v", cf["message"])
	}
}

func TestMethodNotAllowed(t *testing.T) {
	tests := []struct {
		method, target, allow string
	}{
		{"POST", "/api/status", "GET, HEAD"},
		{"DELETE", "/api/scan", "GET, HEAD, POST"},
		{"GET", "/api/configure", "POST"},
		{"PUT", "/api/configure", "POST"},
		{"POST", "/api/captive", "GET, HEAD"},
		{"GET", "/connect", "POST"},
		{"GET", "/rescan", "POST"},
		{"DELETE", "/", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.target, func(t *testing.T) {
			res := do(t, Handler(newFake(), hotspotOpts), req{method: tt.method, target: tt.target, ctype: "application/json"})
			e := decode[errorJSON](t, res)
			if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != tt.allow || e.Error == "" {
				t.Errorf("got %d Allow %q error %q, want 405 Allow %q", res.StatusCode, res.Header.Get("Allow"), e.Error, tt.allow)
			}
		})
	}
}

func TestUnknownAPIRoute(t *testing.T) {
	res := do(t, Handler(newFake(), hotspotOpts), req{target: "/api/nothing"})
	if e := decode[errorJSON](t, res); res.StatusCode != 404 || e.Error == "" {
		t.Errorf("got %d %q", res.StatusCode, e.Error)
	}
}

func TestPortalHasNoControlRoutes(t *testing.T) {
	f := newFake()
	for _, p := range []string{"/api/forget", "/api/hotspot"} {
		res := do(t, Handler(f, hotspotOpts), req{method: "POST", target: p, ctype: "application/json", body: `{"on":false}`})
		if res.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", p, res.StatusCode)
		}
	}
	if f.forgets != 0 || len(f.hotspots) != 0 {
		t.Error("the portal changed saved networks or the hotspot")
	}
}

func TestForceScanOnlyOnControlSocket(t *testing.T) {
	f := newFake()
	do(t, Handler(f, hotspotOpts), req{target: "/api/scan?force=1"})
	do(t, APIHandler(f, nil), req{target: "/api/scan?force=1"})
	if diff := cmp.Diff([]bool{false, true}, f.scans); diff != "" {
		t.Errorf("Scan force flags, portal then control socket (-want +got):\n%s", diff)
	}
}

func TestControlRoutes(t *testing.T) {
	f := newFake()
	h := APIHandler(f, nil)
	tests := []struct {
		target, body string
		want         int
	}{
		{"/api/forget", ``, 200},
		{"/api/hotspot", `{"on":true}`, 200},
		{"/api/hotspot", `{"on":false}`, 200},
		{"/api/hotspot", `{}`, 400},
		{"/api/hotspot", `{"on":`, 400},
	}
	for _, tt := range tests {
		res := do(t, h, req{method: "POST", target: tt.target, ctype: "application/json", body: tt.body})
		if res.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.target, tt.body, res.StatusCode, tt.want)
		}
	}
	if f.forgets != 1 || !cmp.Equal([]bool{true, false}, f.hotspots) {
		t.Errorf("forgets %d hotspots %v", f.forgets, f.hotspots)
	}
}

func TestCaptiveAPI(t *testing.T) {
	f := newFake()
	h := Handler(f, hotspotOpts)
	for _, r := range []req{{target: "/api/captive"}, {target: "/", accept: "application/captive+json"}} {
		res := do(t, h, r)
		if ct := res.Header.Get("Content-Type"); ct != "application/captive+json" {
			t.Errorf("%s: Content-Type %q", r.target, ct)
		}
		got := decode[map[string]any](t, res)
		if diff := cmp.Diff(map[string]any{"captive": true, "user-portal-url": "http://192.168.50.1/"}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", r.target, diff)
		}
	}
	f.set(succeeded)
	if got := decode[captiveJSON](t, do(t, h, req{target: "/api/captive"})); got.Captive {
		t.Error("captive after a successful attempt")
	}
}

func TestDnsmasqDropIn(t *testing.T) {
	got := string(DnsmasqDropIn(netip.MustParseAddr("192.168.50.1")))
	for _, line := range []string{"address=/#/192.168.50.1\n", `dhcp-option=114,"http://192.168.50.1/"` + "\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("drop-in lacks %q:\n%s", line, got)
		}
	}
}

// TestCacheFollowsSnapshot: the cached status and page are rebuilt as soon
// as the daemon has a newer snapshot.
func TestCacheFollowsSnapshot(t *testing.T) {
	f := newFake()
	h := Handler(f, hotspotOpts)
	for round, state := range []netstate.State{netstate.APMode, netstate.Checking, netstate.Client} {
		f.set(func(st *netstate.Status) { st.State = state })
		for range 2 { // the second answer comes from the cache
			st := decode[map[string]any](t, do(t, h, req{target: "/api/status"}))
			if st["state"] != state.String() {
				t.Errorf("round %d: state %v, want %s", round, st["state"], state)
			}
			page := body(t, do(t, h, req{target: "/"}))
			if want := stateText(f.Status()); !strings.Contains(page, want) {
				t.Errorf("round %d: page lacks %q", round, want)
			}
		}
	}
}

func TestSnapCache(t *testing.T) {
	var c snapCache
	if _, ok := c.get(1); ok {
		t.Fatal("empty cache hit")
	}
	ch := make(chan struct{})
	c.put(ch, 1, []byte("a"))
	c.put(nil, 1, []byte("b")) // not cacheable: ignored
	if b, ok := c.get(1); !ok || string(b) != "a" {
		t.Errorf("get(1) = %q %t", b, ok)
	}
	if _, ok := c.get(2); ok {
		t.Error("hit in another second")
	}
	close(ch)
	if _, ok := c.get(1); ok {
		t.Error("hit after the snapshot changed")
	}
}

// TestRoutes is the route table: method, path, type → status and type.
func TestRoutes(t *testing.T) {
	tests := []struct {
		req      req
		want     int
		wantType string
	}{
		{req{target: "/"}, 200, "text/html; charset=utf-8"},
		{req{method: "HEAD", target: "/"}, 200, "text/html; charset=utf-8"},
		{req{target: "/result"}, 200, "text/html; charset=utf-8"},
		{req{target: "/favicon.ico"}, 204, ""},
		{req{target: "/api/status"}, 200, "application/json"},
		{req{method: "HEAD", target: "/api/status"}, 200, "application/json"},
		{req{target: "/api/scan"}, 200, "application/json"},
		{req{method: "POST", target: "/api/scan", ctype: "application/json"}, 200, "application/json"},
		{req{method: "POST", target: "/api/scan", ctype: "application/json", body: `{"force":false}`}, 200, "application/json"},
		{req{method: "POST", target: "/api/scan", ctype: "text/plain", body: `{"force":true}`}, 415, "application/json"},
		{req{method: "POST", target: "/api/scan", ctype: "application/json", body: `{"force":`}, 400, "application/json"},
		{req{method: "POST", target: "/api/scan", ctype: "application/json", body: `{"force":true}`, origin: "http://evil.example"}, 403, "application/json"},
		{req{target: "/api/captive"}, 200, "application/captive+json"},
		{req{target: "/api/nothing"}, 404, "application/json"},
		{req{target: "/anything"}, 302, "text/html; charset=utf-8"},
		{req{method: "POST", target: "/connect", ctype: "application/x-www-form-urlencoded", body: "ssid=HomeNet"}, 403, "text/html; charset=utf-8"},
		{req{method: "POST", target: "/rescan", ctype: "application/x-www-form-urlencoded"}, 403, "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		name := tt.req.method + " " + tt.req.target + " " + tt.req.ctype
		t.Run(name, func(t *testing.T) {
			res := do(t, Handler(newFake(), hotspotOpts), tt.req)
			if res.StatusCode != tt.want || res.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, res.Header.Get("Content-Type"), tt.want, tt.wantType)
			}
		})
	}
}

func TestForcedRescanRateLimited(t *testing.T) {
	f := newFake()
	s := newServer(f, hotspotOpts)
	s.api.bg = func(func()) {}
	codes := []int{}
	for range limitBurst + 1 {
		res := do(t, s, req{method: "POST", target: "/api/scan", ctype: "application/json", body: `{"force":true}`})
		codes = append(codes, res.StatusCode)
	}
	want := []int{202, 202, 202, 202, 202, 429}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}
