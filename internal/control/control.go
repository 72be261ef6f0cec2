// Package control is the daemon's root-only Unix control socket: the same
// JSON API as the portal, for the command-line client (status, scan,
// connect, forget, ap start|stop).
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// DefaultPath is where the daemon listens.
const DefaultPath = "/run/pi-netconfig/control.sock"

// Listen creates the socket at path: its directory 0700, the socket 0600,
// so only root can talk to the daemon. A stale socket left by a crash is
// replaced; a live one (another daemon) is an error.
func Listen(path string) (net.Listener, error) {
	// A directory made here is 0700; an existing one (systemd's
	// RuntimeDirectory, or /tmp for the demo) is left as it is: the
	// socket's own mode is what keeps others out.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another pi-netconfig daemon is running", path)
	}
	os.Remove(path)
	// Created 0600 from the start: no window in which others could connect.
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	return l, nil
}

// Serve answers h on l until ctx ends.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("control socket: %w", err)
	}
	return nil
}

// ErrNoDaemon means nothing answers on the socket.
var ErrNoDaemon = errors.New("control: the pi-netconfig daemon is not running")

// Client talks to the daemon over its socket.
type Client struct {
	Path string
	hc   *http.Client
}

// NewClient returns a client for the socket at path.
func NewClient(path string) *Client {
	return &Client{Path: path, hc: &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}},
	}}
}

// APIError is an error answer from the daemon; Message is its sentence.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return e.Message }

// Do sends a request (body marshalled as JSON when not nil) and decodes the
// answer into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://pi-netconfig"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) || errors.Is(err, os.ErrNotExist) {
			if os.Geteuid() != 0 && errors.Is(err, os.ErrPermission) {
				return fmt.Errorf("cannot reach the daemon at %s: permission denied (run as root, e.g. with sudo)", c.Path)
			}
			return fmt.Errorf("%w (no answer on %s; is the service started? try: systemctl status pi-netconfig)", ErrNoDaemon, c.Path)
		}
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return &APIError{Code: resp.StatusCode, Message: e.Error}
		}
		return &APIError{Code: resp.StatusCode, Message: fmt.Sprintf("the daemon answered %s", resp.Status)}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: bad answer: %w", method, path, err)
		}
	}
	return nil
}
