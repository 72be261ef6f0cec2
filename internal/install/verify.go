package install

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
)

// ControlSocket is where the daemon's control server listens.
const ControlSocket = "/run/pi-netconfig/control.sock"

// StatusOverSocket asks the daemon listening on the Unix socket at path for
// GET /api/status and returns the state it reports.
func StatusOverSocket(ctx context.Context, path string) (state string, err error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://pi-netconfig/api/status", nil)
	if err != nil {
		return "", fmt.Errorf("status over %s: %w", path, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("status over %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("status over %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status over %s: HTTP %s", path, resp.Status)
	}
	var st struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal(body, &st); err != nil || st.State == "" {
		return "", fmt.Errorf("status over %s: not a status answer: %.80q", path, body)
	}
	return st.State, nil
}
