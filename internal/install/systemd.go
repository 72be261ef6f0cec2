package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Systemd is what install needs from the service manager. Every method
// must return by the context's deadline.
type Systemd interface {
	// DaemonReload makes systemd read changed unit files.
	DaemonReload(ctx context.Context) error
	// Enable makes the unit start at boot; Disable undoes it.
	Enable(ctx context.Context, unit string) error
	Disable(ctx context.Context, unit string) error
	// Start, Stop and Restart wait until the job is done (for Type=notify:
	// until READY=1, or failure).
	Start(ctx context.Context, unit string) error
	Stop(ctx context.Context, unit string) error
	Restart(ctx context.Context, unit string) error
	// IsActive reports whether the unit is active (running).
	IsActive(ctx context.Context, unit string) (bool, error)
	// IsEnabled reports whether the unit starts at boot.
	IsEnabled(ctx context.Context, unit string) (bool, error)
}

// Systemctl implements Systemd by running systemctl directly (no shell).
type Systemctl struct {
	// Path is the systemctl binary; "" means "systemctl" from PATH.
	Path string
}

var _ Systemd = Systemctl{}

// callTimeout bounds one systemctl call whose context has no deadline: a
// start waits for READY=1, which the unit allows 120 s (TimeoutStartSec).
const callTimeout = 150 * time.Second

func (s Systemctl) run(ctx context.Context, args ...string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	path := s.Path
	if path == "" {
		path = "systemctl"
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			return fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
		}
		return fmt.Errorf("systemctl %s: %w: %s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// query runs a systemctl verb whose exit status is the answer: 0 yes, any
// other status no. Failing to run systemctl at all is an error.
func (s Systemctl) query(ctx context.Context, args ...string) (bool, error) {
	err := s.run(ctx, args...)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return false, nil
	}
	return err == nil, err
}

func (s Systemctl) DaemonReload(ctx context.Context) error { return s.run(ctx, "daemon-reload") }
func (s Systemctl) Enable(ctx context.Context, unit string) error {
	return s.run(ctx, "enable", "--quiet", unit)
}
func (s Systemctl) Disable(ctx context.Context, unit string) error {
	return s.run(ctx, "disable", "--quiet", unit)
}
func (s Systemctl) Start(ctx context.Context, unit string) error { return s.run(ctx, "start", unit) }
func (s Systemctl) Stop(ctx context.Context, unit string) error  { return s.run(ctx, "stop", unit) }
func (s Systemctl) Restart(ctx context.Context, unit string) error {
	return s.run(ctx, "restart", unit)
}
func (s Systemctl) IsActive(ctx context.Context, unit string) (bool, error) {
	return s.query(ctx, "is-active", "--quiet", unit)
}
func (s Systemctl) IsEnabled(ctx context.Context, unit string) (bool, error) {
	return s.query(ctx, "is-enabled", "--quiet", unit)
}
