package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// vocabulary is every fixed text an error may contain; a password that
// happens to be a piece of it is not a leak.
var vocabulary = strings.Join([]string{
	errDecode, "invalid", "field", "has the wrong type", "security", "is not one the device can join (Open, WPA, WPA2, WPA3, WPA2/WPA3)",
	"the network name is empty", "the network name is", "bytes long; WiFi allows at most 32", "the network name is not valid UTF-8 text",
	"the password may contain only printable ASCII characters (letters, digits, spaces and symbols)",
	"the password must be 8 to 63 characters long (or 64 hex digits); it is",
}, "\n")

func leaks(msg, password string) bool {
	return len(password) >= 4 && strings.Contains(msg, password) && !strings.Contains(vocabulary, password)
}

// FuzzDecodeConfigure: any body either decodes into valid credentials or
// fails with wifi.ErrInvalid, never panics, and never puts the password in
// the error.
func FuzzDecodeConfigure(f *testing.F) {
	for _, s := range []string{
		`{"ssid":"HomeNet","password":"correct horse"}`,
		`{"ssid":"Attic","password":"hidden-pass","hidden":true}`,
		`{"ssid":"Café","password":""}`,
		`{"ssid":"x","password":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}`,
		`{"ssid":"x","password":"short"}`,
		`{"ssid":5}`,
		`{"ssid":"a","password":"12345678","security":"WPA3"}`,
		`{"ssid":"a","password":"12345678"} trailing`,
		`[]`, `null`, ``, `{"password":"\u0000\u0001secret!!"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeConfigure(body)
		var raw struct {
			Password any `json:"password"`
		}
		json.Unmarshal(body, &raw)
		pw, _ := raw.Password.(string)
		if err != nil {
			if !errors.Is(err, wifi.ErrInvalid) {
				t.Fatalf("error %v does not wrap wifi.ErrInvalid", err)
			}
			if leaks(err.Error(), pw) {
				t.Fatalf("error %q contains the password", err)
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("decoded credentials %v are invalid: %v", c, verr)
		}
		if strings.Contains(c.String(), c.Password) && c.Password != "" && !strings.Contains("{ssid= hidden=true false security= password=(set)(none)}", c.Password) && !strings.Contains(c.SSID, c.Password) && !strings.Contains(string(c.Security), c.Password) {
			t.Fatalf("Credentials.String shows the password: %s", c)
		}
	})
}

// FuzzValidate checks wifi validation against the SPEC's rules, written
// out independently: SSID 1–32 bytes of UTF-8; password empty, 8–63
// printable ASCII, or 64 hex digits.
func FuzzValidate(f *testing.F) {
	f.Add("HomeNet", "correct horse")
	f.Add("", "")
	f.Add(strings.Repeat("é", 16), strings.Repeat("A", 64))
	f.Add(strings.Repeat("x", 33), strings.Repeat("g", 64))
	f.Add("\xff", "pass\x7fword")
	f.Add("a;b\"c", `\;,:"'$(rm -rf /)`)
	f.Fuzz(func(t *testing.T, ssid, password string) {
		wantSSID := len(ssid) >= 1 && len(ssid) <= 32 && utf8.ValidString(ssid)
		wantPW := password == "" || isHex64(password) || (len(password) >= 8 && len(password) <= 63 && printable(password))
		err := wifi.Credentials{SSID: ssid, Password: password}.Validate()
		if got := err == nil; got != (wantSSID && wantPW) {
			t.Fatalf("Validate(%q, len %d) = %v, want ok=%t", ssid, len(password), err, wantSSID && wantPW)
		}
		if err != nil && !errors.Is(err, wifi.ErrInvalid) {
			t.Fatalf("error %v does not wrap wifi.ErrInvalid", err)
		}
		if err != nil && leaks(err.Error(), password) {
			t.Fatalf("error %q contains the password", err)
		}
	})
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// FuzzConfigureHandler drives the whole portal handler: any body and
// content type gets one of the documented statuses, a JSON answer, and
// never the password back.
func FuzzConfigureHandler(f *testing.F) {
	f.Add("application/json", `{"ssid":"HomeNet","password":"correct horse"}`)
	f.Add("application/json; charset=utf-8", `{"ssid":"","password":"x"}`)
	f.Add("text/plain", `{"ssid":"HomeNet","password":"correct horse"}`)
	f.Add("application/json", strings.Repeat("[", 5000))
	f.Add("multipart/form-data; boundary=x", "--x--")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		fd := newFake()
		h := Handler(fd, hotspotOpts)
		res := do(t, h, req{method: http.MethodPost, target: "/api/configure", ctype: ctype, body: body})
		switch res.StatusCode {
		case 200, 400, 413, 415, 429:
		default:
			t.Fatalf("status %d", res.StatusCode)
		}
		raw := readAll(res)
		var ans configureJSON
		if err := json.Unmarshal([]byte(raw), &ans); err != nil {
			t.Fatalf("answer is not JSON: %q", raw)
		}
		if ans.Success != (res.StatusCode == 200) || (res.StatusCode != 200 && ans.Error == "") {
			t.Fatalf("status %d with answer %+v", res.StatusCode, ans)
		}
		var in struct {
			Password any `json:"password"`
		}
		json.Unmarshal([]byte(body), &in)
		if pw, _ := in.Password.(string); leaks(ans.Error, pw) || leaks(ans.Message, pw) {
			t.Fatalf("answer %q shows the password", raw)
		}
		if res.StatusCode == 200 && len(fd.configured) != 1 {
			t.Fatalf("200 but %d attempts", len(fd.configured))
		}
		if res.StatusCode != 200 && len(fd.configured) != 0 {
			t.Fatalf("%d but an attempt was started", res.StatusCode)
		}
	})
}

// FuzzHost: any Host header is either one of the portal's own or
// redirected; nothing else is served.
func FuzzHost(f *testing.F) {
	for _, h := range []string{"192.168.50.1", "192.168.50.1:8080", "192.168.50.1:80", "evil.com", "192.168.50.1.evil.com", "192.168.50.1:8080@evil", "[::1]:80", ""} {
		f.Add(h)
	}
	own := hotspotOpts.hosts()
	f.Fuzz(func(t *testing.T, host string) {
		if strings.ContainsAny(host, "\r\n") {
			return
		}
		res := do(t, Handler(newFake(), hotspotOpts), req{target: "/api/status", host: host})
		served := res.StatusCode == 200
		if host == "" {
			return // httptest fills in example.com
		}
		if served != own[strings.ToLower(host)] {
			t.Fatalf("Host %q: status %d", host, res.StatusCode)
		}
		if !served && res.Header.Get("Location") != "http://192.168.50.1/" {
			t.Fatalf("Host %q: status %d Location %q", host, res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func readAll(res *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
