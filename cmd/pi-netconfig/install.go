package main

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/pi-netconfig/pi-netconfig/internal/config"
	"github.com/pi-netconfig/pi-netconfig/internal/install"
	"github.com/pi-netconfig/pi-netconfig/internal/nm"
	"github.com/pi-netconfig/pi-netconfig/internal/portal"
)

// cmdInstall is `pi-netconfig install [--root DIR] [--timeout D]`.
func cmdInstall(ctx context.Context, args []string) error {
	fs := newFlags("install")
	root := fs.String("root", "/", "install into this directory (an image) instead of this system; systemd steps are skipped")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for the service to answer")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireRoot("install"); err != nil {
		return err
	}
	o, err := installOptions(*root, os.Stdout)
	if err != nil {
		return err
	}
	o.VerifyTimeout = *timeout
	return install.Install(ctx, o)
}

// cmdUninstall is `pi-netconfig uninstall [--purge] [--root DIR]`.
func cmdUninstall(ctx context.Context, args []string) error {
	fs := newFlags("uninstall")
	root := fs.String("root", "/", "uninstall from this directory (an image) instead of this system")
	purge := fs.Bool("purge", false, "also remove /etc/pi-netconfig and the WiFi networks pi-netconfig saved")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := requireRoot("uninstall"); err != nil {
		return err
	}
	o, err := installOptions(*root, os.Stdout)
	if err != nil {
		return err
	}
	o.Purge = *purge
	if o.Systemd != nil {
		// Only on the running system: under --root, this machine's
		// NetworkManager is not the image's.
		o.PurgeProfiles = purgeProfiles
	}
	return install.Uninstall(ctx, o)
}

// purgeProfiles deletes the NetworkManager profiles pi-netconfig created.
func purgeProfiles(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return nm.Purge(ctx, nm.Options{})
}

// installOptions gathers what install and uninstall need for root.
func installOptions(root string, out io.Writer) (install.Options, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return install.Options{}, fmt.Errorf("--root: %w", err)
	}
	bin, err := os.Executable()
	if err != nil {
		return install.Options{}, fmt.Errorf("find this program's binary: %w", err)
	}
	o := install.Options{Root: root, Binary: bin, Out: out, DropIn: portal.DnsmasqDropIn(hotspotAddr(root))}
	if root == "/" {
		if !install.SystemdRunning() {
			return o, fmt.Errorf("%w on this machine, and pi-netconfig runs as a systemd service; to prepare an image instead, use --root DIR", install.ErrNoSystemd)
		}
		o.Systemd = install.Systemctl{}
	}
	return o, nil
}

// hotspotAddr is the hotspot address the dnsmasq drop-in points every name
// at: the config's ap_address when the config says so, else the default.
func hotspotAddr(root string) netip.Addr {
	cfg, err := config.Load(filepath.Join(root, config.DefaultPath))
	if err != nil {
		cfg = config.Default()
	}
	return cfg.APPrefix().Addr()
}

// MaybeSelfInstall is the original tool's behaviour for the bare binary: run
// as root with no arguments on a machine where the service is absent, it
// says what it is about to do and installs itself. It reports whether it
// handled the invocation; when it did not (not root, started by systemd,
// already installed, no systemd), the caller goes on as usual.
func MaybeSelfInstall(ctx context.Context, out io.Writer) (handled bool, err error) {
	if os.Geteuid() != 0 || os.Getenv("INVOCATION_ID") != "" || install.Installed("/") || !install.SystemdRunning() {
		return false, nil
	}
	fmt.Fprintf(out, `pi-netconfig is not installed as a service here, so it installs itself now:
  copy this binary to %s, create %s,
  write %s and %s,
  enable and start %s, and check that it answers.
(Undo it with: sudo pi-netconfig uninstall. Other commands: pi-netconfig help)

`, install.BinPath, install.ConfigDir, install.UnitPath, install.DropInPath, install.ServiceName)
	o, err := installOptions("/", out)
	if err != nil {
		return true, err
	}
	return true, install.Install(ctx, o)
}
