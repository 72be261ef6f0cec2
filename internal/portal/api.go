package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/netstate"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// maxBody bounds every request body: credentials fit in far less.
const maxBody = 4 << 10

// Time limits for the daemon calls a handler waits for. Scan(false) in AP
// mode answers from the cache at once; these only bound a wedged daemon.
const (
	scanTimeout      = 5 * time.Second
	configureTimeout = 2 * time.Second
	forcedScanLimit  = 60 * time.Second
)

// api serves the JSON routes. The portal and the control socket share it;
// trusted is the control socket (root only).
type api struct {
	d       Daemon
	log     *slog.Logger
	trusted bool
	// limit is the configure rate limit; nil means none (control socket).
	limit *bucket
	// deviceName is added to status answers when set.
	deviceName string
	// bg runs forced scans after the answer was sent; tests replace it.
	bg func(func())

	// status is the encoded status answer (scan_age_seconds is in seconds).
	cache snapCache
}

func (a *api) routes(mux *http.ServeMux) {
	mux.HandleFunc("/api/status", a.status)
	mux.HandleFunc("/api/scan", a.scan)
	mux.HandleFunc("/api/configure", a.configure)
	if a.trusted {
		mux.HandleFunc("/api/forget", a.forget)
		mux.HandleFunc("/api/hotspot", a.hotspot)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API route: "+r.URL.Path)
	})
}

// statusJSON is the status answer: the daemon's snapshot (state, ssid,
// ap_active and the rest) plus what the page needs.
type statusJSON struct {
	netstate.Status
	DeviceName string `json:"device_name,omitempty"`
	// ScanAgeSeconds is how old the network list is.
	ScanAgeSeconds *int64 `json:"scan_age_seconds,omitempty"`
	// Captive is false once the person's attempt succeeded: the phone may
	// let go of the hotspot.
	Captive bool `json:"captive"`
}

func (a *api) statusOf(st netstate.Status, now time.Time) statusJSON {
	if !a.trusted {
		st.HotspotPassword = ""
	}
	out := statusJSON{Status: st, DeviceName: a.deviceName, Captive: captive(st)}
	if !st.ScannedAt.IsZero() {
		age := int64(now.Sub(st.ScannedAt) / time.Second)
		out.ScanAgeSeconds = &age
	}
	return out
}

func (a *api) status(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	writeRaw(w, http.StatusOK, a.statusBody(time.Now()))
}

// statusBody returns the encoded status, from the cache when the snapshot
// has not changed within this second.
func (a *api) statusBody(now time.Time) []byte {
	sec := now.Unix()
	if b, ok := a.cache.get(sec); ok {
		return b
	}
	st, changed := a.d.Watch()
	b, err := json.Marshal(a.statusOf(st, now))
	if err != nil {
		return []byte(`{"error":"internal error: the status could not be encoded"}` + "\n")
	}
	b = append(b, '\n')
	a.cache.put(changed, sec, b)
	return b
}

// networkJSON is one row of /api/scan: ssid, signal, security, frequency
// (FR-052), band, and whether it is the network saved last.
type networkJSON struct {
	wifi.Network
	Saved bool `json:"saved,omitempty"`
}

type scanJSON struct {
	Networks  []networkJSON `json:"networks"`
	ScannedAt time.Time     `json:"scanned_at,omitzero"`
	Cached    bool          `json:"cached"`
	Note      string        `json:"note,omitempty"`
	// AgeSeconds is how old the list is; absent when unknown.
	AgeSeconds *int64 `json:"age_seconds,omitempty"`
	SavedSSID  string `json:"saved_ssid,omitempty"`
	// Scanning is set on the answer to a forced rescan, which runs after
	// the answer was sent.
	Scanning bool   `json:"scanning,omitempty"`
	Message  string `json:"message,omitempty"`
}

func scanOf(res netstate.ScanResult, saved string, now time.Time) scanJSON {
	out := scanJSON{
		Networks:  make([]networkJSON, 0, len(res.Networks)),
		ScannedAt: res.ScannedAt,
		Cached:    res.Cached,
		Note:      res.Note,
		SavedSSID: saved,
	}
	for _, n := range res.Networks {
		if n.Band == "" {
			n.Band = wifi.BandOf(n.Frequency)
		}
		out.Networks = append(out.Networks, networkJSON{Network: n, Saved: saved != "" && n.SSID == saved})
	}
	if !res.ScannedAt.IsZero() {
		age := int64(now.Sub(res.ScannedAt) / time.Second)
		out.AgeSeconds = &age
	}
	return out
}

// rescanMessage warns that a forced rescan takes the hotspot down.
func rescanMessage(hotspot string) string {
	if hotspot == "" {
		hotspot = "the setup hotspot"
	}
	return fmt.Sprintf("Scanning for networks. The hotspot %s goes down for a few seconds while the device listens; "+
		"if your phone leaves it, join %s again and reload this page.", hotspot, hotspot)
}

// scan answers GET with the current (or cached) list, and POST
// {"force":true} by starting a forced rescan in the background: it takes
// the hotspot down, so the answer must leave before it starts.
func (a *api) scan(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// The control socket may wait for a forced scan (the CLI's scan
		// --rescan); the portal never does, its phone would be gone.
		force := a.trusted && r.URL.Query().Get("force") == "1"
		limit := scanTimeout
		if force {
			limit = forcedScanLimit
		}
		ctx, cancel := context.WithTimeout(r.Context(), limit)
		defer cancel()
		res, err := a.d.Scan(ctx, force)
		if err != nil {
			a.log.Warn("scan failed", "err", err)
			writeError(w, http.StatusServiceUnavailable, scanErrorMessage(err))
			return
		}
		writeJSON(w, http.StatusOK, scanOf(res, a.d.Status().SavedSSID, time.Now()))
	case http.MethodPost:
		var req struct {
			Force bool `json:"force"`
		}
		if status, msg := decodeJSON(w, r, &req); status != 0 {
			writeError(w, status, msg)
			return
		}
		st := a.d.Status()
		if !req.Force {
			a.scanNow(w, r, st)
			return
		}
		if a.limit != nil && !a.limit.take(time.Now()) {
			tooMany(w, a.limit)
			return
		}
		a.startForcedScan()
		writeJSON(w, http.StatusAccepted, scanJSON{
			Networks: []networkJSON{},
			Scanning: true,
			Message:  rescanMessage(st.HotspotSSID),
		})
	default:
		allowMethods(w, r, http.MethodGet, http.MethodHead, http.MethodPost)
	}
}

func (a *api) scanNow(w http.ResponseWriter, r *http.Request, st netstate.Status) {
	ctx, cancel := context.WithTimeout(r.Context(), scanTimeout)
	defer cancel()
	res, err := a.d.Scan(ctx, false)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, scanErrorMessage(err))
		return
	}
	writeJSON(w, http.StatusOK, scanOf(res, st.SavedSSID, time.Now()))
}

// startForcedScan runs Scan(force) detached from the request: the request
// ends (and the phone may drop off the hotspot) long before it does.
func (a *api) startForcedScan() {
	run := func() {
		ctx, cancel := context.WithTimeout(context.Background(), forcedScanLimit)
		defer cancel()
		if _, err := a.d.Scan(ctx, true); err != nil {
			a.log.Warn("forced rescan failed", "err", err)
		}
	}
	if a.bg != nil {
		a.bg(run)
		return
	}
	go run()
}

func scanErrorMessage(err error) string {
	switch {
	case errors.Is(err, wifi.ErrScanUnavailable):
		return "The device cannot scan while the hotspot is up and has no earlier list. Use \"Scan again\", or type the network name by hand."
	case errors.Is(err, netstate.ErrBusy):
		return "The device is busy (a connection attempt is running). Wait for it to finish, then reload."
	case errors.Is(err, context.DeadlineExceeded):
		return "The device did not answer in time. Reload in a few seconds."
	}
	return "The device could not list networks. Reload in a few seconds, or type the network name by hand."
}

// configureRequest is the body of POST /api/configure (FR-053), plus the
// optional hidden flag and security hint.
type configureRequest struct {
	SSID     string        `json:"ssid"`
	Password string        `json:"password"`
	Hidden   bool          `json:"hidden"`
	Security wifi.Security `json:"security"`
}

// configureJSON is the answer to a configure: success means accepted and
// attempting; message says what happens next.
type configureJSON struct {
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
	SSID    string `json:"ssid,omitempty"`
}

// errDecode explains a body that is not the expected JSON object. It never
// carries a piece of the body, which may hold a password.
const errDecode = `the request body is not valid JSON; send {"ssid": "...", "password": "..."}`

// decodeConfigure turns a request body into credentials, or returns an
// error a person can act on. The error never contains the password.
func decodeConfigure(body []byte) (wifi.Credentials, error) {
	var req configureRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return wifi.Credentials{}, fmt.Errorf("%w: field %q has the wrong type", wifi.ErrInvalid, te.Field)
		}
		return wifi.Credentials{}, fmt.Errorf("%w: %s", wifi.ErrInvalid, errDecode)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return wifi.Credentials{}, fmt.Errorf("%w: %s", wifi.ErrInvalid, errDecode)
	}
	c := wifi.Credentials{SSID: req.SSID, Password: req.Password, Hidden: req.Hidden, Security: req.Security}
	switch c.Security {
	case "", wifi.Open, wifi.WPA, wifi.WPA2, wifi.WPA3, wifi.WPA2WPA3:
	default:
		return wifi.Credentials{}, fmt.Errorf("%w: security %q is not one the device can join (Open, WPA, WPA2, WPA3, WPA2/WPA3)", wifi.ErrInvalid, c.Security)
	}
	if err := c.Validate(); err != nil {
		return wifi.Credentials{}, err
	}
	return c, nil
}

// decodeJSON reads a small JSON body into v. It answers 0 when it worked,
// else the status and message to send.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, string) {
	if status, msg := checkJSONType(r); status != 0 {
		return status, msg
	}
	body, status, msg := readBody(w, r)
	if status != 0 {
		return status, msg
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return 0, ""
	}
	if err := json.Unmarshal(body, v); err != nil {
		return http.StatusBadRequest, "the request body is not valid JSON"
	}
	return 0, ""
}

func checkJSONType(r *http.Request) (int, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, "send the request with Content-Type: application/json"
	}
	return 0, ""
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxBody)
		}
		return nil, http.StatusBadRequest, "the request body could not be read"
	}
	return body, 0, ""
}

func (a *api) configure(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	fail := func(status int, msg string) {
		writeJSON(w, status, configureJSON{Success: false, Error: msg})
	}
	if status, msg := checkJSONType(r); status != 0 {
		fail(status, msg)
		return
	}
	body, status, msg := readBody(w, r)
	if status != 0 {
		fail(status, msg)
		return
	}
	c, err := decodeConfigure(body)
	if err != nil {
		fail(http.StatusBadRequest, personError(err))
		return
	}
	status, msg = a.start(r.Context(), c)
	if status != http.StatusOK {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(a.limit.retryAfter(time.Now())))
		}
		fail(status, msg)
		return
	}
	writeJSON(w, http.StatusOK, configureJSON{Success: true, Message: msg, SSID: c.SSID})
}

// start hands valid credentials to the daemon, shared by the JSON API and
// the form. It returns 200 and what happens next, or the status and error.
func (a *api) start(ctx context.Context, c wifi.Credentials) (int, string) {
	if a.limit != nil && !a.limit.take(time.Now()) {
		return http.StatusTooManyRequests, fmt.Sprintf("too many connection attempts; wait %d seconds and try again", a.limit.retryAfter(time.Now()))
	}
	ctx, cancel := context.WithTimeout(ctx, configureTimeout)
	defer cancel()
	st := a.d.Status()
	err := a.d.Configure(ctx, c)
	switch {
	case err == nil:
		a.log.Info("connection attempt accepted", "ssid", c.SSID, "hidden", c.Hidden)
		return http.StatusOK, acceptedMessage(c.SSID, st.HotspotSSID)
	case errors.Is(err, netstate.ErrBusy):
		return http.StatusConflict, "a connection attempt is already running; wait for it to finish"
	case errors.Is(err, wifi.ErrInvalid):
		return http.StatusBadRequest, personError(err)
	case errors.Is(err, netstate.ErrStopped):
		return http.StatusServiceUnavailable, "the device is shutting down; try again when it is back"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the device did not answer in time; try again in a few seconds"
	}
	a.log.Error("configure failed", "ssid", c.SSID, "err", err)
	return http.StatusInternalServerError, "the device could not start the connection attempt; try again in a moment"
}

// acceptedMessage says what happens after Connect, in plain words.
func acceptedMessage(ssid, hotspot string) string {
	if hotspot == "" {
		hotspot = "the setup hotspot"
	}
	return fmt.Sprintf("Connecting to %q. The device now leaves the hotspot %s, so your phone will drop off it: that is expected. "+
		"If the connection works, the device stays on %q and the hotspot does not come back. "+
		"If it fails, the hotspot %s comes back within a minute: join it again and open this page to see why "+
		"(a wrong password, the network not found, or no address from the router).",
		ssid, hotspot, ssid, hotspot)
}

// personError turns a validation error into the sentence for a person,
// without the "invalid: " prefix of the sentinel.
func personError(err error) string {
	msg := err.Error()
	prefix := wifi.ErrInvalid.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		msg = msg[len(prefix):]
	}
	return msg
}

func (a *api) forget(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	if status, msg := decodeJSON(w, r, &struct{}{}); status != 0 {
		writeError(w, status, msg)
		return
	}
	if err := a.d.Forget(r.Context()); err != nil {
		a.commandError(w, "forget", err)
		return
	}
	writeJSON(w, http.StatusOK, configureJSON{Success: true, Message: "the networks pi-netconfig saved were forgotten"})
}

func (a *api) hotspot(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	var req struct {
		On *bool `json:"on"`
	}
	if status, msg := decodeJSON(w, r, &req); status != 0 {
		writeError(w, status, msg)
		return
	}
	if req.On == nil {
		writeError(w, http.StatusBadRequest, `send {"on": true} or {"on": false}`)
		return
	}
	if err := a.d.Hotspot(r.Context(), *req.On); err != nil {
		a.commandError(w, "hotspot", err)
		return
	}
	msg := "the hotspot is stopping"
	if *req.On {
		msg = "the hotspot is starting"
	}
	writeJSON(w, http.StatusOK, configureJSON{Success: true, Message: msg})
}

func (a *api) commandError(w http.ResponseWriter, op string, err error) {
	switch {
	case errors.Is(err, netstate.ErrBusy):
		writeError(w, http.StatusConflict, "the device is busy with another operation; wait for it to finish")
	case errors.Is(err, wifi.ErrInvalid):
		writeError(w, http.StatusBadRequest, personError(err))
	case errors.Is(err, netstate.ErrStopped):
		writeError(w, http.StatusServiceUnavailable, "the daemon is not running")
	default:
		a.log.Error(op+" failed", "err", err)
		writeError(w, http.StatusInternalServerError, op+" failed: "+err.Error())
	}
}

// allowMethods answers 405 with an Allow header unless r's method is one
// of ms.
func allowMethods(w http.ResponseWriter, r *http.Request, ms ...string) bool {
	for _, m := range ms {
		if r.Method == m {
			return true
		}
	}
	allow := ""
	for i, m := range ms {
		if i > 0 {
			allow += ", "
		}
		allow += m
	}
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed here; use %s", r.Method, allow))
	return false
}

type errorJSON struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorJSON{Error: msg})
}

func tooMany(w http.ResponseWriter, b *bucket) {
	s := b.retryAfter(time.Now())
	w.Header().Set("Retry-After", strconv.Itoa(s))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("too many requests; wait %d seconds and try again", s))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error: the answer could not be encoded"}`)
	}
	writeRaw(w, status, append(b, '\n'))
}

// writeRaw sends an encoded JSON answer; b is not modified.
func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Cache-Control"] = noStore
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// Shared header values (never modified).
var (
	jsonType = []string{"application/json"}
	noStore  = []string{"no-store"}
)
