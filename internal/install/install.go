// Package install installs pi-netconfig as a systemd service from its own
// binary (`pi-netconfig install`), and removes it again (`uninstall`): the
// binary, /etc/pi-netconfig/, the unit and NetworkManager's dnsmasq drop-in.
//
// Every step prints one line saying what it did. A run changes only what
// differs, so a second run changes nothing and says so, and a new binary is
// an upgrade (replace and restart). When a step fails, what this run changed
// is undone and the error says what to do. All file work is relative to
// Options.Root, so tests (and image builders) never touch the host.
package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/atomicfile"
)

// Where things go, relative to Options.Root.
const (
	ServiceName = "pi-netconfig.service"
	BinPath     = "/usr/local/bin/pi-netconfig"
	ConfigDir   = "/etc/pi-netconfig"
	UnitPath    = "/etc/systemd/system/" + ServiceName
	DropInPath  = "/etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf"
)

// PackageUnitPaths are where the Debian package puts the unit; when one of
// them exists the package manager owns the installation.
var PackageUnitPaths = []string{"/lib/systemd/system/" + ServiceName, "/usr/lib/systemd/system/" + ServiceName}

// Sentinel errors.
var (
	// ErrNotRoot means the command needs root and does not have it.
	ErrNotRoot = errors.New("install: not running as root")
	// ErrPackaged means the Debian package installed pi-netconfig, so apt,
	// not this command, should change it.
	ErrPackaged = errors.New("install: installed by the Debian package")
	// ErrNoSystemd means systemd is not this machine's service manager.
	ErrNoSystemd = errors.New("install: systemd is not running")
	// ErrVerify means the service did not come up and answer in time.
	ErrVerify = errors.New("install: service did not come up")
)

// Options configures Install and Uninstall.
type Options struct {
	// Root is the file system root all paths are relative to; "" means "/".
	Root string
	// Binary is the file to install as BinPath, normally os.Executable().
	Binary string
	// DropIn is the dnsmasq drop-in (portal.DnsmasqDropIn).
	DropIn []byte
	// Systemd runs the service steps. Nil skips them and the verification
	// (installing into an image with --root): the lines say so.
	Systemd Systemd
	// Out receives one line per step; nil discards them.
	Out io.Writer
	// VerifyTimeout bounds the wait for the service to answer; 0 means 30 s.
	VerifyTimeout time.Duration
	// Status asks the daemon on the control socket for its state; nil means
	// StatusOverSocket.
	Status func(ctx context.Context, socket string) (state string, err error)

	// Purge (uninstall only) also removes /etc/pi-netconfig and, through
	// PurgeProfiles, the NetworkManager profiles pi-netconfig created.
	Purge bool
	// PurgeProfiles deletes the NetworkManager profiles pi-netconfig
	// created (nm.Purge) and returns their ids. Nil: not done, and said so.
	PurgeProfiles func(ctx context.Context) (ids []string, err error)
}

func (o *Options) path(p string) string {
	root := o.Root
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, p)
}

func (o *Options) out() io.Writer {
	if o.Out == nil {
		return io.Discard
	}
	return o.Out
}

// Installed reports whether a pi-netconfig unit exists under root, put
// there by `pi-netconfig install` or by the Debian package.
func Installed(root string) bool {
	o := Options{Root: root}
	for _, p := range append([]string{UnitPath}, PackageUnitPaths...) {
		if _, err := os.Stat(o.path(p)); err == nil {
			return true
		}
	}
	return false
}

// packaged reports whether the Debian package owns the installation.
func (o *Options) packaged() bool {
	if _, err := os.Stat(o.path(UnitPath)); err == nil {
		return false
	}
	for _, p := range PackageUnitPaths {
		if _, err := os.Stat(o.path(p)); err == nil {
			return true
		}
	}
	return false
}

// SystemdRunning reports whether systemd is the service manager here (the
// check sd_booted(3) makes).
func SystemdRunning() bool {
	fi, err := os.Lstat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// CheckRoot returns ErrNotRoot, with the command to type, unless euid is 0.
func CheckRoot(euid int, command string) error {
	if euid == 0 {
		return nil
	}
	return fmt.Errorf("%w: pi-netconfig %s must run as root; try: sudo pi-netconfig %s", ErrNotRoot, command, command)
}

// run is one install or uninstall run: its output and its undo log.
type run struct {
	o    *Options
	w    io.Writer
	undo []func() string // each undoes one change and says what it did
	// after runs once the undo steps restored the files: systemd reloads
	// and restarts that must see the old files, not the new ones.
	after   []func() string
	changed bool
}

func (r *run) say(format string, args ...any) { fmt.Fprintf(r.w, format+"\n", args...) }

func (r *run) did(undo func() string) {
	r.changed = true
	if undo != nil {
		r.undo = append(r.undo, undo)
	}
}

func (r *run) rollback() {
	if len(r.undo) == 0 {
		return
	}
	r.say("rolling back what this run changed:")
	for i := len(r.undo) - 1; i >= 0; i-- {
		r.say("  %s", r.undo[i]())
	}
	for _, f := range r.after {
		r.say("  %s", f())
	}
}

// Install installs or upgrades pi-netconfig under o.Root. See the package
// comment for its contract.
func Install(ctx context.Context, o Options) (err error) {
	r := &run{o: &o, w: o.out()}
	if o.packaged() {
		return fmt.Errorf("%w; update it with apt (sudo apt install pi-netconfig), or remove it first (sudo apt remove pi-netconfig) to use pi-netconfig install", ErrPackaged)
	}
	if len(o.DropIn) == 0 {
		return errors.New("install: no dnsmasq drop-in given")
	}
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return fmt.Errorf("read the binary to install: %w", err)
	}
	defer func() {
		if err != nil {
			r.rollback()
			err = fmt.Errorf("install failed: %w\nWhat this run changed was undone (see above); fix the cause and run pi-netconfig install again", err)
		}
	}()

	binChanged, err := r.file(BinPath, "binary", bin, 0o755)
	if err != nil {
		return err
	}
	if err := r.dir(ConfigDir, "config directory", 0o700); err != nil {
		return err
	}
	unitChanged, err := r.file(UnitPath, "systemd unit", Unit(BinPath), 0o644)
	if err != nil {
		return err
	}
	if _, err := r.file(DropInPath, "dnsmasq drop-in", o.DropIn, 0o644); err != nil {
		return err
	}
	if o.Systemd == nil {
		if err := r.enableOffline(); err != nil {
			return err
		}
		return r.done("installed into " + r.o.path("/") + "; it starts when that system boots")
	}
	if err := r.service(ctx, unitChanged, binChanged); err != nil {
		return err
	}
	if err := r.verify(ctx); err != nil {
		return err
	}
	const running = ": it runs now and at every boot; see `pi-netconfig status` and `journalctl -u pi-netconfig`"
	if binChanged && !unitChanged {
		return r.done("upgraded" + running)
	}
	return r.done("installed" + running)
}

func (r *run) done(what string) error {
	if !r.changed {
		r.say("already installed, nothing changed")
		return nil
	}
	r.say("pi-netconfig %s", what)
	return nil
}

// WantsLink is the symlink `systemctl enable` makes for the unit's
// WantedBy=multi-user.target.
const WantsLink = "/etc/systemd/system/multi-user.target.wants/" + ServiceName

// enableOffline enables the unit without a running systemd (an image under
// --root) the way `systemctl enable` does: a symlink in the target's
// .wants directory.
func (r *run) enableOffline() error {
	path := r.o.path(WantsLink)
	if dst, err := os.Readlink(path); err == nil && dst == UnitPath {
		r.say("service %s: enabled already (no systemd running for %s)", ServiceName, r.o.path("/"))
		return nil
	}
	if err := r.mkdirs(filepath.Dir(WantsLink)); err != nil {
		return err
	}
	os.Remove(path) // a stale link
	if err := os.Symlink(UnitPath, path); err != nil {
		return fmt.Errorf("enable %s: %w", ServiceName, err)
	}
	r.say("service %s: enabled (link in multi-user.target.wants; no systemd running for %s, so not started)", ServiceName, r.o.path("/"))
	r.did(func() string {
		os.Remove(path)
		return "removed " + WantsLink
	})
	return nil
}

// file makes rel hold data with mode, reporting whether it changed it.
func (r *run) file(rel, what string, data []byte, mode fs.FileMode) (bool, error) {
	path := r.o.path(rel)
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read %s %s: %w", what, rel, err)
	}
	var oldMode fs.FileMode
	if exists {
		if fi, err := os.Stat(path); err == nil {
			oldMode = fi.Mode().Perm()
		}
		if bytes.Equal(old, data) && oldMode == mode {
			r.say("%s %s: unchanged", what, rel)
			return false, nil
		}
	}
	if err := r.mkdirs(filepath.Dir(rel)); err != nil {
		return false, err
	}
	if err := atomicfile.Write(path, data, mode); err != nil {
		return false, fmt.Errorf("write %s %s: %w", what, rel, err)
	}
	if !exists {
		r.say("%s %s: written", what, rel)
		r.did(func() string {
			os.Remove(path)
			return "removed " + rel
		})
	} else {
		r.say("%s %s: updated", what, rel)
		r.did(func() string {
			if err := atomicfile.Write(path, old, oldMode); err != nil {
				return fmt.Sprintf("could not restore %s: %v", rel, err)
			}
			return "restored the previous " + rel
		})
	}
	return true, nil
}

// mkdirs creates rel and its missing parents (0755); a rollback removes
// them after what was put in them.
func (r *run) mkdirs(rel string) error {
	var missing []string
	for d := rel; d != "/" && d != "."; d = filepath.Dir(d) {
		if _, err := os.Stat(r.o.path(d)); err == nil {
			break
		}
		missing = append([]string{d}, missing...)
	}
	for _, d := range missing {
		if err := os.Mkdir(r.o.path(d), 0o755); err != nil {
			return fmt.Errorf("create directory %s: %w", d, err)
		}
		r.did(func() string {
			os.Remove(r.o.path(d))
			return "removed " + d
		})
	}
	return nil
}

// dir makes rel a directory with mode.
func (r *run) dir(rel, what string, mode fs.FileMode) error {
	path := r.o.path(rel)
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s %s exists but is not a directory; move it away", what, rel)
	case err == nil && fi.Mode().Perm() == mode:
		r.say("%s %s: exists", what, rel)
		return nil
	case err == nil:
		old := fi.Mode().Perm()
		if err := os.Chmod(path, mode); err != nil {
			return fmt.Errorf("set mode of %s %s: %w", what, rel, err)
		}
		r.say("%s %s: mode changed from %#o to %#o", what, rel, old, mode)
		r.did(func() string {
			os.Chmod(path, old)
			return fmt.Sprintf("mode of %s back to %#o", rel, old)
		})
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w", what, rel, err)
	}
	if err := r.mkdirs(filepath.Dir(rel)); err != nil {
		return err
	}
	if err := os.Mkdir(path, mode); err != nil {
		return fmt.Errorf("create %s %s: %w", what, rel, err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		return fmt.Errorf("set mode of %s %s: %w", what, rel, err)
	}
	r.say("%s %s: created (%#o)", what, rel, mode)
	r.did(func() string {
		os.Remove(path)
		return "removed " + rel
	})
	return nil
}

// service reloads systemd if the unit changed, enables the service, and
// starts it, or restarts it when the binary or the unit changed under a
// running service (an upgrade).
func (r *run) service(ctx context.Context, unitChanged, binChanged bool) error {
	sd := r.o.Systemd
	if unitChanged {
		// Registered first: a rollback reloads once the old unit is back.
		r.after = append(r.after, func() string {
			if err := sd.DaemonReload(context.WithoutCancel(ctx)); err != nil {
				return fmt.Sprintf("systemd daemon-reload failed: %v", err)
			}
			return "systemd: reloaded unit files"
		})
		if err := sd.DaemonReload(ctx); err != nil {
			return fmt.Errorf("systemd daemon-reload: %w", err)
		}
		r.say("systemd: reloaded unit files")
	}
	enabled, err := sd.IsEnabled(ctx, ServiceName)
	if err != nil {
		return fmt.Errorf("is %s enabled: %w", ServiceName, err)
	}
	if enabled {
		r.say("service %s: enabled already", ServiceName)
	} else {
		if err := sd.Enable(ctx, ServiceName); err != nil {
			return fmt.Errorf("enable %s: %w", ServiceName, err)
		}
		r.say("service %s: enabled (starts at boot)", ServiceName)
		r.did(func() string {
			if err := sd.Disable(context.WithoutCancel(ctx), ServiceName); err != nil {
				return fmt.Sprintf("disable %s failed: %v", ServiceName, err)
			}
			return "disabled " + ServiceName
		})
	}
	active, err := sd.IsActive(ctx, ServiceName)
	if err != nil {
		return fmt.Errorf("is %s active: %w", ServiceName, err)
	}
	switch {
	case active && (unitChanged || binChanged):
		r.changed = true
		// Whether the restart works or not, a rollback restarts the
		// service once the old files are back, so the old version runs.
		r.after = append(r.after, func() string {
			if err := sd.Restart(context.WithoutCancel(ctx), ServiceName); err != nil {
				return fmt.Sprintf("restart %s failed: %v", ServiceName, err)
			}
			return "restarted " + ServiceName + " with the previous version"
		})
		if err := sd.Restart(ctx, ServiceName); err != nil {
			return fmt.Errorf("restart %s: %w (see: journalctl -u pi-netconfig -n 50)", ServiceName, err)
		}
		r.say("service %s: restarted with the new version", ServiceName)
	case active:
		r.say("service %s: running already", ServiceName)
	default:
		// A failed start may leave the unit activating or failed: stop it
		// on rollback either way.
		r.did(func() string { return stop(ctx, sd) })
		if err := sd.Start(ctx, ServiceName); err != nil {
			return fmt.Errorf("start %s: %w (see: journalctl -u pi-netconfig -n 50)", ServiceName, err)
		}
		r.say("service %s: started", ServiceName)
	}
	return nil
}

func stop(ctx context.Context, sd Systemd) string {
	if err := sd.Stop(context.WithoutCancel(ctx), ServiceName); err != nil {
		return fmt.Sprintf("stop %s failed: %v", ServiceName, err)
	}
	return "stopped " + ServiceName
}

// verify waits until the service is active and its control socket answers.
func (r *run) verify(ctx context.Context) error {
	timeout := r.o.VerifyTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	status := r.o.Status
	if status == nil {
		status = StatusOverSocket
	}
	socket := r.o.path(ControlSocket)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		active, err := r.o.Systemd.IsActive(ctx, ServiceName)
		switch {
		case err != nil:
			last = err
		case !active:
			last = fmt.Errorf("%s is not active", ServiceName)
		default:
			state, err := status(ctx, socket)
			if err == nil {
				r.say("verify: %s is active and answers on %s (state %s)", ServiceName, ControlSocket, state)
				return nil
			}
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w within %s: %v (see why: journalctl -u pi-netconfig -n 50)", ErrVerify, timeout, last)
		case <-tick.C:
		}
	}
}

// Uninstall stops and disables the service and removes the unit, the
// drop-in and the binary. It keeps /etc/pi-netconfig and the saved WiFi
// network unless o.Purge. It goes on past a failed step and reports every
// failure at the end, so that as much as possible is removed.
func Uninstall(ctx context.Context, o Options) error {
	r := &run{o: &o, w: o.out()}
	if o.packaged() {
		return fmt.Errorf("%w; remove it with apt: sudo apt remove pi-netconfig (or sudo apt purge pi-netconfig to remove its settings too)", ErrPackaged)
	}
	var errs []error
	if o.Systemd == nil {
		if _, err := r.remove(WantsLink, "enablement link"); err != nil {
			errs = append(errs, err)
		}
	} else {
		errs = append(errs, r.unservice(ctx))
	}
	unitRemoved, err := r.remove(UnitPath, "systemd unit")
	errs = append(errs, err)
	_, err = r.remove(DropInPath, "dnsmasq drop-in")
	errs = append(errs, err)
	_, err = r.remove(BinPath, "binary")
	errs = append(errs, err)
	if unitRemoved && o.Systemd != nil {
		if err := o.Systemd.DaemonReload(ctx); err != nil {
			errs = append(errs, fmt.Errorf("systemd daemon-reload: %w", err))
		} else {
			r.say("systemd: reloaded unit files")
		}
	}
	if o.Purge {
		errs = append(errs, r.purge(ctx))
	} else if _, err := os.Stat(o.path(ConfigDir)); err == nil {
		r.say("kept %s and the saved WiFi network (pi-netconfig uninstall --purge removes them)", ConfigDir)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("uninstall incomplete: %w\nFix the cause and run pi-netconfig uninstall again; it removes what is left", err)
	}
	if !r.changed {
		r.say("not installed, nothing changed")
		return nil
	}
	r.say("pi-netconfig uninstalled")
	return nil
}

func (r *run) unservice(ctx context.Context) error {
	sd := r.o.Systemd
	var errs []error
	if active, err := sd.IsActive(ctx, ServiceName); err != nil {
		errs = append(errs, fmt.Errorf("is %s active: %w", ServiceName, err))
	} else if active {
		if err := sd.Stop(ctx, ServiceName); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", ServiceName, err))
		} else {
			r.say("service %s: stopped", ServiceName)
			r.did(nil)
		}
	}
	if enabled, err := sd.IsEnabled(ctx, ServiceName); err != nil {
		errs = append(errs, fmt.Errorf("is %s enabled: %w", ServiceName, err))
	} else if enabled {
		if err := sd.Disable(ctx, ServiceName); err != nil {
			errs = append(errs, fmt.Errorf("disable %s: %w", ServiceName, err))
		} else {
			r.say("service %s: disabled", ServiceName)
			r.did(nil)
		}
	}
	return errors.Join(errs...)
}

func (r *run) remove(rel, what string) (bool, error) {
	err := os.Remove(r.o.path(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("remove %s %s: %w", what, rel, err)
	}
	r.say("%s %s: removed", what, rel)
	r.did(nil)
	return true, nil
}

func (r *run) purge(ctx context.Context) error {
	var errs []error
	if r.o.PurgeProfiles == nil {
		r.say("NetworkManager profiles: not removed here; on the target system, delete the connections pi-netconfig made (ids pi-netconfig-*)")
	} else if ids, err := r.o.PurgeProfiles(ctx); err != nil {
		errs = append(errs, fmt.Errorf("remove NetworkManager profiles: %w (is NetworkManager running?)", err))
	} else if len(ids) == 0 {
		r.say("NetworkManager profiles: none made by pi-netconfig")
	} else {
		r.say("NetworkManager profiles: removed %s", strings.Join(ids, ", "))
		r.did(nil)
	}
	path := r.o.path(ConfigDir)
	if _, err := os.Stat(path); err == nil {
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", ConfigDir, err))
		} else {
			r.say("config directory %s: removed", ConfigDir)
			r.did(nil)
		}
	}
	return errors.Join(errs...)
}
