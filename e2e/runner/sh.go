package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// secrets are the passwords the scenarios type. logf blanks them so that
// the harness's own output can never be the leak it looks for.
var secrets = []string{homePassword, saePassword, hiddenPassword, wrongPassword}

func redact(s string) string {
	for _, p := range secrets {
		s = strings.ReplaceAll(s, p, "***")
	}
	return s
}

var logFile *os.File

// logf prints a progress line on the console (and the journal, through the
// unit's output) and in out/runner.log.
func logf(format string, args ...any) {
	line := redact(fmt.Sprintf("%s %s", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...)))
	fmt.Fprintln(os.Stderr, line)
	if logFile != nil {
		fmt.Fprintln(logFile, line)
	}
}

// run executes a program (never through a shell) with a deadline and
// returns its combined output.
func run(ctx context.Context, timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var b bytes.Buffer
	cmd.Stdout = &b
	cmd.Stderr = &b
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	out := b.String()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(lastLines(out, 5)))
	}
	return out, nil
}

// sh is run with a default deadline of 30 s.
func sh(ctx context.Context, name string, args ...string) (string, error) {
	return run(ctx, 30*time.Second, name, args...)
}

// must is sh that only reports failure.
func must(ctx context.Context, name string, args ...string) error {
	_, err := sh(ctx, name, args...)
	return err
}

// inNS runs a program in a network namespace.
func inNS(ctx context.Context, timeout time.Duration, ns, name string, args ...string) (string, error) {
	return run(ctx, timeout, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

// errTimeout is wrapped by poll when the condition never held.
var errTimeout = errors.New("e2e: timed out")

// poll checks cond every interval until it holds or timeout passes, and
// returns how long it took. The last error of cond is part of the timeout
// error, to say what was still wrong.
func poll(ctx context.Context, timeout, interval time.Duration, what string, cond func(context.Context) (bool, error)) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(timeout)
	var last error
	for {
		ok, err := cond(ctx)
		if ok {
			return time.Since(start), nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return time.Since(start), fmt.Errorf("%w after %s waiting for %s (last: %v)", errTimeout, timeout, what, last)
			}
			return time.Since(start), fmt.Errorf("%w after %s waiting for %s", errTimeout, timeout, what)
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(interval):
		}
	}
}

// monoNow is CLOCK_MONOTONIC, the clock of systemd's *TimestampMonotonic.
func monoNow() time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// unitMono returns a unit's monotonic timestamp property, e.g.
// ExecMainStartTimestampMonotonic.
func unitMono(ctx context.Context, unit, prop string) (time.Duration, error) {
	out, err := sh(ctx, "systemctl", "show", "-p", prop, "--value", unit)
	if err != nil {
		return 0, err
	}
	us, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s of %s: %q: %w", prop, unit, out, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

func unitProp(ctx context.Context, unit, prop string) string {
	out, _ := sh(ctx, "systemctl", "show", "-p", prop, "--value", unit)
	return strings.TrimSpace(out)
}

func writeFile(path, content string, mode os.FileMode) error {
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func secs(d time.Duration) float64 {
	return float64(d.Round(10*time.Millisecond)) / float64(time.Second)
}
