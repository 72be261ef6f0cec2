package install

import (
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func serveUnix(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "control.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return path
}

func TestStatusOverSocket(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		want      string
		wantInErr string
	}{
		{"answers", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/status" || r.Method != http.MethodGet {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte(`{"state":"AP_MODE","ssid":"","ap_active":true}`))
		}, "AP_MODE", ""},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", http.StatusInternalServerError)
		}, "", "500"},
		{"not a status", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html>`))
		}, "", "not a status answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sock := serveUnix(t, tt.handler)
			got, err := StatusOverSocket(t.Context(), sock)
			if got != tt.want || (tt.wantInErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantInErr)) {
				t.Errorf("StatusOverSocket = %q, %v; want %q, error containing %q", got, err, tt.want, tt.wantInErr)
			}
		})
	}
	if _, err := StatusOverSocket(t.Context(), filepath.Join(t.TempDir(), "none.sock")); err == nil {
		t.Errorf("StatusOverSocket without a socket succeeded")
	}
}
