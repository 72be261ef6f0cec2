// Package browser tests pi-netconfig's setup page in a real headless
// Chromium, against the real binary in demo mode (the whole daemon on a
// simulated radio world). It is its own module so that chromedp stays out
// of the daemon's dependencies.
//
// Run it with scripts/tier-browser.sh, or here with `go test ./...`;
// `-update` also refreshes docs/screenshots/.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var update = flag.Bool("update", false, "refresh docs/screenshots/ with this run's screenshots")

var (
	root      string // the repository
	binary    string // the pi-netconfig binary under test
	artifacts string // test/artifacts/
	chromium  string
	axeSrc    string // axe-core, the accessibility engine (AXE_JS)
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	wd, _ := os.Getwd()
	root = filepath.Clean(filepath.Join(wd, "..", ".."))
	artifacts = filepath.Join(root, "test", "artifacts", "browser")
	os.RemoveAll(artifacts)
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		msg := "browser tests need Chromium (apt install chromium; scripts/tier-browser.sh does it): " + err.Error()
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "FAIL:", msg)
			return 1
		}
		fmt.Fprintln(os.Stderr, "!!! BROWSER TESTS SKIPPED, NOT TESTED:", msg)
		return 0
	}
	if p := os.Getenv("AXE_JS"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "AXE_JS:", err)
			return 1
		}
		axeSrc = string(b)
	}
	binary = os.Getenv("PI_NETCONFIG_BIN")
	if binary == "" {
		dir, err := os.MkdirTemp("", "pi-netconfig-browser-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "pi-netconfig")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/pi-netconfig")
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build pi-netconfig:", err)
			return 1
		}
	}
	return m.Run()
}

// demo starts the binary in demo mode on a free loopback port and returns
// the portal's base URL (with a trailing slash) once /api/status answers
// in AP_MODE.
func demo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sock := filepath.Join(t.TempDir(), "control.sock")
	logf, err := os.Create(filepath.Join(artifacts, strings.ReplaceAll(t.Name(), "/", "_")+".demo.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "demo", "--listen", addr, "--socket", sock)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	})
	base := "http://" + addr + "/"
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "api/status")
		if err == nil {
			var st struct {
				State string `json:"state"`
			}
			json.NewDecoder(res.Body).Decode(&st)
			res.Body.Close()
			if st.State == "AP_MODE" {
				return base
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("demo on %s did not reach AP_MODE in time (log in %s)", addr, artifacts)
	return ""
}

// viewport is a screen to test on.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	phone   = viewport{"phone", 390, 844, true}
	desktop = viewport{"desktop", 1280, 800, false}
)

// tab is a Chromium tab on the portal, recording every request it makes.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	vp   viewport

	mu   sync.Mutex // guards urls
	urls []string
}

// browse opens a fresh Chromium (own profile, no background networking) on
// the portal at base.
func browse(t *testing.T, base string, vp viewport, jsOff bool) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(int(vp.width), int(vp.height)),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { tcancel(); cancel(); acancel() })
	tb := &tab{t: t, ctx: ctx, base: base, vp: vp}

	vopts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.mobile {
		vopts = append(vopts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	tb.do(chromedp.EmulateViewport(vp.width, vp.height, vopts...))
	if jsOff {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.urls = append(tb.urls, ev.Request.URL)
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(tb.checkOrigin)
	tb.do(chromedp.Navigate(base))
	return tb
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.shot("failure")
		tb.t.Fatalf("browser: %v", err)
	}
}

// text waits for sel to be visible and returns its text.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText waits (up to limit) until sel's text contains want and returns
// the text.
func (tb *tab) waitText(sel, want string, limit time.Duration) string {
	tb.t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.AtLeast(0)))
		cancel()
		if err == nil {
			last = s
			if strings.Contains(s, want) {
				return s
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.shot("failure")
	tb.t.Fatalf("%s did not say %q within %v; last: %q", sel, want, limit, last)
	return ""
}

// shot saves a screenshot of the viewport under test/artifacts/, and with
// -update under docs/screenshots/.
func (tb *tab) shot(name string) {
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := tb.vp.name + "-" + name + ".png"
	if name == "failure" {
		file = strings.ReplaceAll(tb.t.Name(), "/", "_") + "-failure.png"
	}
	os.WriteFile(filepath.Join(artifacts, file), buf, 0o644)
	if *update && docShots[file] {
		dir := filepath.Join(root, "docs", "screenshots")
		os.MkdirAll(dir, 0o755)
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			tb.t.Errorf("update screenshot: %v", err)
		}
		// Keep the committed set small: 256 colours are plenty for a form.
		if q, err := exec.LookPath("pngquant"); err == nil {
			exec.Command(q, "--force", "--skip-if-larger", "--strip", "--output", path, path).Run()
		}
	}
}

// docShots are the screenshots committed under docs/screenshots/.
var docShots = map[string]bool{
	"phone-list.png": true, "phone-filled.png": true, "phone-connecting.png": true,
	"phone-wrong-password.png": true, "phone-success.png": true, "phone-hidden-filled.png": true,
	"phone-keyboard-focus.png": true, "phone-nojs-wrong-password.png": true, "phone-rescanned.png": true,
	"desktop-list.png": true,
}

// checkOrigin fails the test if the page asked for anything outside its
// own origin: the phone has no internet on the hotspot.
func (tb *tab) checkOrigin() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.urls) == 0 {
		tb.t.Error("no request was recorded: the network listener does not work")
	}
	for _, u := range tb.urls {
		if !strings.HasPrefix(u, tb.base) {
			tb.t.Errorf("the page requested %q outside its origin %s", u, tb.base)
		}
	}
}

// violation is one axe-core finding.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// audit runs axe-core (WCAG 2 A and AA rules and best practices: labels,
// names, contrast, landmarks, focus) on the page as it is now. Serious and
// critical findings fail the test; the others are logged.
func (tb *tab) audit(state string) {
	tb.t.Helper()
	if axeSrc == "" {
		if os.Getenv("CI") == "true" {
			tb.t.Fatal("AXE_JS is not set: the accessibility audit cannot run (scripts/tier-browser.sh installs axe-core)")
		}
		tb.t.Log("!!! ACCESSIBILITY AUDIT SKIPPED: set AXE_JS to axe.min.js (scripts/tier-browser.sh does)")
		return
	}
	tb.do(chromedp.Evaluate[chromedp.Void](axeSrc))
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]byte](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
		resultTypes: ["violations"],
	}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe on %s: %v", state, err)
	}
	var vs []violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		tb.t.Fatalf("axe result on %s: %v: %s", state, err, raw)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("%s (%s): %s: %s: %s: %v", state, tb.vp.name, v.Impact, v.ID, v.Help, v.Nodes)
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Error("accessibility: " + msg)
		} else {
			tb.t.Log("accessibility (minor): " + msg)
		}
	}
	tb.t.Logf("accessibility audit of %s (%s): %d findings", state, tb.vp.name, len(vs))
}

// radio is the selector of the network's radio button.
func radio(ssid string) string { return fmt.Sprintf(`input[name="ssid"][value=%q]`, ssid) }

func TestListAppears(t *testing.T) {
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			tb := browse(t, demo(t), vp, false)
			tb.do(chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))))
			list := tb.text("#list")
			for _, want := range []string{"HomeNet", "WPA2", "2.4 GHz", "Studio WPA3", "WPA3", "5 GHz", "Café Guest", "Open", "Other network"} {
				if !strings.Contains(list, want) {
					t.Errorf("list lacks %q:\n%s", want, list)
				}
			}
			if note := tb.text("#scan-note"); !strings.Contains(note, "before the hotspot started") {
				t.Errorf("scan note %q does not say the list is from before the hotspot", note)
			}
			if st := tb.text("#state"); !strings.Contains(st, "PiConfig-") {
				t.Errorf("state %q does not name the hotspot", st)
			}
			tb.shot("list")
			tb.audit("list")
		})
	}
}

// connect picks ssid (or types it as hidden), types the password and
// presses Connect.
func (tb *tab) connect(ssid, password string, hidden bool) {
	tb.t.Helper()
	if hidden {
		tb.do(chromedp.Click(chromedp.CSS(`label[for="other"]`)),
			chromedp.WaitVisible(chromedp.ID("hidden_ssid")),
			chromedp.SendKeys(chromedp.ID("hidden_ssid"), ssid))
	} else {
		tb.do(chromedp.WaitVisible(chromedp.CSS(radio(ssid))), chromedp.Click(chromedp.CSS(radio(ssid))))
	}
	tb.do(chromedp.SendKeys(chromedp.ID("password"), password))
	tb.shot(map[bool]string{true: "hidden-filled", false: "filled"}[hidden])
	tb.do(chromedp.Click(chromedp.ID("connect")))
}

func TestWrongPassword(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.connect("HomeNet", "not the password", false)
	got := tb.waitText("#notice", "Connecting to", 5*time.Second)
	if !strings.Contains(got, "drop off") {
		t.Errorf("connecting message does not say what happens next: %q", got)
	}
	tb.shot("connecting")
	got = tb.waitText("#notice", "Could not connect", 60*time.Second)
	for _, want := range []string{"HomeNet", "Wrong password", "case-sensitive"} {
		if !strings.Contains(got, want) {
			t.Errorf("failure message lacks %q: %q", want, got)
		}
	}
	tb.do(chromedp.WaitVisible(chromedp.ID("connect")))
	tb.shot("wrong-password")
	tb.audit("failed attempt")
	// Reopening the page shows the reason first.
	tb.do(chromedp.Navigate(tb.base))
	if got := tb.text("#notice"); !strings.Contains(got, "Wrong password") {
		t.Errorf("reopened page does not show the reason first: %q", got)
	}
}

func TestRightPassword(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.connect("HomeNet", "correct horse", false)
	got := tb.waitText("#notice", "Connected to", 60*time.Second)
	if !strings.Contains(got, "HomeNet") || !strings.Contains(got, "reconnect your phone") {
		t.Errorf("success message: %q", got)
	}
	tb.shot("success")
}

func TestHiddenNetwork(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.do(chromedp.Click(chromedp.CSS(`label[for="other"]`)), chromedp.WaitVisible(chromedp.ID("hidden_ssid")))
	tb.audit("hidden network entry")
	tb.connect("Attic", "hidden-pass", true)
	got := tb.waitText("#notice", "Connected to", 60*time.Second)
	if !strings.Contains(got, "Attic") {
		t.Errorf("success message: %q", got)
	}
	tb.shot("hidden-success")
	tb.audit("success")
}

func TestShowPassword(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.do(chromedp.WaitVisible(chromedp.ID("show")), chromedp.SendKeys(chromedp.ID("password"), "secret99"))
	// typeIs waits until the password field's type is want.
	typeIs := func(want string) bool {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](
			`document.getElementById("password").type === `+strconvQuote(want),
			chromedp.WithPollingTimeout(3*time.Second)))
		return err == nil
	}
	if !typeIs("password") {
		t.Fatal("password shown from the start")
	}
	tb.do(chromedp.Click(chromedp.ID("show")))
	if !typeIs("text") {
		t.Error("Show did not show the password")
	}
	if p, _ := chromedp.Run(tb.ctx, chromedp.AttributeValue(chromedp.ID("show"), "aria-pressed")); p.Value != "true" {
		t.Errorf("aria-pressed = %q after Show", p.Value)
	}
	tb.do(chromedp.Click(chromedp.ID("show")))
	if !typeIs("password") {
		t.Error("Hide did not hide the password")
	}
	tb.shot("password-hidden")
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// enter presses Enter the way a keyboard does: one keyDown carrying the
// text, so that a handler that cancels the keydown also cancels the
// keypress (chromedp's KeyEvent sends a separate char event, which a real
// keyboard never does).
func (tb *tab) enter() {
	tb.t.Helper()
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
		WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	for _, p := range []input.DispatchKeyEventParams{down, up} {
		if _, err := chromedp.Call(tb.ctx, input.DispatchKeyEvent, p); err != nil {
			tb.t.Fatalf("press Enter: %v", err)
		}
	}
}

// TestKeyboardOnly: Tab to the list, Enter picks the network and moves to
// the password, typing and Enter submit.
func TestKeyboardOnly(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.do(chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))))
	active := func() string {
		s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.activeElement.id + "|" + (document.activeElement.value || "")`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tb.do(chromedp.KeyEvent(kb.Tab))
	if got := active(); got != "n0|HomeNet" {
		t.Fatalf("after Tab the focus is on %q, want the first network", got)
	}
	tb.shot("keyboard-focus")
	tb.enter()
	if got := active(); got != "password|" {
		t.Fatalf("after Enter the focus is on %q, want the password", got)
	}
	tb.do(chromedp.KeyEvent("correct horse"))
	tb.enter()
	tb.waitText("#notice", "Connected to", 60*time.Second)
	// The result is announced: focus moved to it.
	if got := active(); got != "attempt|" {
		t.Errorf("after the result the focus is on %q, want the result box", got)
	}
}

// TestNoJavaScript: the plain form and the server-rendered result page.
func TestNoJavaScript(t *testing.T) {
	tb := browse(t, demo(t), phone, true)
	tb.do(chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))),
		chromedp.WaitNotVisible(chromedp.ID("show"))) // the toggle needs JavaScript
	tb.shot("nojs-list")
	tb.do(chromedp.Click(chromedp.CSS(radio("HomeNet"))), chromedp.SendKeys(chromedp.ID("password"), "wrong password!"))
	tb.do(chromedp.Click(chromedp.ID("connect")))
	got := tb.waitText("main", "Could not connect", 60*time.Second)
	if !strings.Contains(got, "Wrong password") {
		t.Errorf("result page: %q", got)
	}
	tb.shot("nojs-wrong-password")
	tb.do(chromedp.Click(chromedp.CSS(`a[href="/"]`)), chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))))
	tb.do(chromedp.Click(chromedp.CSS(radio("HomeNet"))), chromedp.SendKeys(chromedp.ID("password"), "correct horse"))
	tb.do(chromedp.Click(chromedp.ID("connect")))
	tb.waitText("main", "Connected to", 60*time.Second)
	tb.shot("nojs-success")
}

// TestRescan: "Scan again" warns that the hotspot goes down and updates
// the list.
func TestRescan(t *testing.T) {
	tb := browse(t, demo(t), phone, false)
	tb.do(chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))), chromedp.Click(chromedp.ID("rescan")))
	got := tb.waitText("#notice", "Scanning", 5*time.Second)
	if !strings.Contains(got, "goes down for a few seconds") {
		t.Errorf("rescan message does not warn about the hotspot: %q", got)
	}
	tb.waitText("#notice", "List updated", 45*time.Second)
	tb.do(chromedp.WaitVisible(chromedp.CSS(radio("HomeNet"))))
	tb.shot("rescanned")
}

// TestPageSize records what the phone downloads.
func TestPageSize(t *testing.T) {
	base := demo(t)
	res, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	if b.Len() > 30<<10 {
		t.Errorf("page is %d bytes, want under 30 KiB", b.Len())
	}
	t.Logf("page: %d bytes", b.Len())
}
