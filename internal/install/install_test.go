package install

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestMain(m *testing.M) {
	syscall.Umask(0o022) // the modes in the golden trees assume it
	os.Exit(m.Run())
}

// fakeSystemd records the calls and keeps a unit's enabled/active state.
type fakeSystemd struct {
	calls   []string
	enabled bool
	active  bool
	fail    map[string]error // verb → error
}

func (f *fakeSystemd) call(verb string) error {
	f.calls = append(f.calls, verb)
	return f.fail[verb]
}

func (f *fakeSystemd) DaemonReload(context.Context) error { return f.call("daemon-reload") }
func (f *fakeSystemd) Enable(context.Context, string) error {
	err := f.call("enable")
	if err == nil {
		f.enabled = true
	}
	return err
}
func (f *fakeSystemd) Disable(context.Context, string) error {
	err := f.call("disable")
	if err == nil {
		f.enabled = false
	}
	return err
}
func (f *fakeSystemd) Start(context.Context, string) error {
	err := f.call("start")
	if err == nil {
		f.active = true
	}
	return err
}
func (f *fakeSystemd) Stop(context.Context, string) error {
	err := f.call("stop")
	if err == nil {
		f.active = false
	}
	return err
}
func (f *fakeSystemd) Restart(context.Context, string) error { return f.call("restart") }
func (f *fakeSystemd) IsActive(context.Context, string) (bool, error) {
	return f.active, f.call("is-active")
}
func (f *fakeSystemd) IsEnabled(context.Context, string) (bool, error) {
	return f.enabled, f.call("is-enabled")
}

// tree lists every entry under root with its mode, and the files' contents
// in short.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p == root || strings.HasPrefix(p, filepath.Join(root, "src")) {
			return nil
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(root, p)
		line := fmt.Sprintf("%v /%s", fi.Mode(), rel)
		if fi.Mode()&fs.ModeSymlink != 0 {
			dst, _ := os.Readlink(p)
			line += " -> " + dst
		}
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			if len(b) > 24 {
				line += " (long)"
			} else {
				line += fmt.Sprintf(" %q", b)
			}
		}
		out = append(out, line)
		return nil
	})
	return out
}

const dropIn = "address=/#/192.168.50.1\n"

// env is one test's root, binary and fake systemd.
type env struct {
	root string
	sd   *fakeSystemd
	// down makes the fake daemon not answer on its control socket.
	down bool
}

func newEnv(t *testing.T) *env {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &env{root: root, sd: &fakeSystemd{}}
}

func (e *env) opts(t *testing.T, binary string, out *bytes.Buffer) Options {
	src := filepath.Join(e.root, "src", "pi-netconfig")
	if err := os.WriteFile(src, []byte(binary), 0o755); err != nil {
		t.Fatal(err)
	}
	return Options{
		Root: e.root, Binary: src, DropIn: []byte(dropIn), Systemd: e.sd, Out: out,
		VerifyTimeout: 5 * time.Second,
		Status: func(_ context.Context, socket string) (string, error) {
			if socket != filepath.Join(e.root, ControlSocket) {
				return "", fmt.Errorf("asked %s", socket)
			}
			if e.down {
				return "", errors.New("connection refused")
			}
			return "AP_MODE", nil
		},
	}
}

// step is one command in a scenario.
type step struct {
	name      string
	uninstall bool
	binary    string // content of the binary being installed
	prepare   func(t *testing.T, e *env, o *Options)
	wantCalls []string
	wantErr   error
	wantTree  []string
}

var installedV1 = []string{
	"drwxr-xr-x /etc",
	"drwxr-xr-x /etc/NetworkManager",
	"drwxr-xr-x /etc/NetworkManager/dnsmasq-shared.d",
	`-rw-r--r-- /etc/NetworkManager/dnsmasq-shared.d/pi-netconfig.conf "address=/#/192.168.50.1\n"`,
	"drwx------ /etc/pi-netconfig",
	"drwxr-xr-x /etc/systemd",
	"drwxr-xr-x /etc/systemd/system",
	"-rw-r--r-- /etc/systemd/system/pi-netconfig.service (long)",
	"drwxr-xr-x /usr",
	"drwxr-xr-x /usr/local",
	"drwxr-xr-x /usr/local/bin",
	`-rwxr-xr-x /usr/local/bin/pi-netconfig "binary v1"`,
}

func replace(lines []string, old, new string) []string {
	out := append([]string(nil), lines...)
	for i, l := range out {
		if l == old {
			out[i] = new
		}
	}
	return out
}

var installedV2 = replace(installedV1, `-rwxr-xr-x /usr/local/bin/pi-netconfig "binary v1"`, `-rwxr-xr-x /usr/local/bin/pi-netconfig "binary v2"`)

// imageInstalled is installedV1 plus the link that enables the unit
// without a running systemd.
var imageInstalled = append(append(installedV1[:7:7],
	"drwxr-xr-x /etc/systemd/system/multi-user.target.wants",
	"Lrwxrwxrwx /etc/systemd/system/multi-user.target.wants/pi-netconfig.service -> /etc/systemd/system/pi-netconfig.service"),
	installedV1[7:]...)

// emptyDirs is what uninstall leaves: the directories install made for
// files, which may hold other people's files on a real system.
var emptyDirs = []string{
	"drwxr-xr-x /etc",
	"drwxr-xr-x /etc/NetworkManager",
	"drwxr-xr-x /etc/NetworkManager/dnsmasq-shared.d",
	"drwxr-xr-x /etc/systemd",
	"drwxr-xr-x /etc/systemd/system",
	"drwxr-xr-x /usr",
	"drwxr-xr-x /usr/local",
	"drwxr-xr-x /usr/local/bin",
}

var keptConfig = append(append([]string(nil), emptyDirs[:3]...), append([]string{
	"drwx------ /etc/pi-netconfig",
	`-rw------- /etc/pi-netconfig/config.json "{}\n"`,
}, emptyDirs[3:]...)...)

func writeConfig(t *testing.T, e *env, _ *Options) {
	if err := os.WriteFile(filepath.Join(e.root, ConfigDir, "config.json"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestScenarios(t *testing.T) {
	fresh := []string{"daemon-reload", "is-enabled", "enable", "is-active", "start", "is-active"}
	tests := []struct {
		name  string
		steps []step
	}{
		{"lifecycle", []step{
			{name: "install", binary: "binary v1", wantCalls: fresh, wantTree: installedV1},
			{name: "again", binary: "binary v1", wantCalls: []string{"is-enabled", "is-active", "is-active"}, wantTree: installedV1},
			{name: "upgrade", binary: "binary v2", wantCalls: []string{"is-enabled", "is-active", "restart", "is-active"}, wantTree: installedV2},
			{name: "uninstall", uninstall: true, prepare: writeConfig,
				wantCalls: []string{"is-active", "stop", "is-enabled", "disable", "daemon-reload"}, wantTree: keptConfig},
			{name: "uninstall again", uninstall: true, wantCalls: []string{"is-active", "is-enabled"}, wantTree: keptConfig},
			{name: "reinstall keeps config", binary: "binary v1", wantCalls: fresh,
				wantTree: append(installedV1[:5:5], append([]string{`-rw------- /etc/pi-netconfig/config.json "{}\n"`}, installedV1[5:]...)...)},
		}},
		{"repairs a stopped service and a changed unit", []step{
			{name: "install", binary: "binary v1", wantCalls: fresh, wantTree: installedV1},
			{name: "repair", binary: "binary v1", prepare: func(t *testing.T, e *env, _ *Options) {
				e.sd.active = false
				os.WriteFile(filepath.Join(e.root, UnitPath), []byte("edited"), 0o644)
				os.Chmod(filepath.Join(e.root, ConfigDir), 0o755)
			}, wantCalls: []string{"daemon-reload", "is-enabled", "is-active", "start", "is-active"}, wantTree: installedV1},
		}},
		{"purge", []step{
			{name: "install", binary: "binary v1", wantCalls: fresh, wantTree: installedV1},
			{name: "purge", uninstall: true, prepare: func(t *testing.T, e *env, o *Options) {
				writeConfig(t, e, o)
				o.Purge = true
				o.PurgeProfiles = func(context.Context) ([]string, error) {
					e.sd.calls = append(e.sd.calls, "purge-profiles")
					return []string{"pi-netconfig-Home", "pi-netconfig-ap"}, nil
				}
			}, wantCalls: []string{"is-active", "stop", "is-enabled", "disable", "daemon-reload", "purge-profiles"}, wantTree: emptyDirs},
		}},
		{"purge without the NetworkManager hook", []step{
			{name: "install", binary: "binary v1", wantCalls: fresh, wantTree: installedV1},
			{name: "purge", uninstall: true, prepare: func(t *testing.T, e *env, o *Options) { o.Purge = true },
				wantCalls: []string{"is-active", "stop", "is-enabled", "disable", "daemon-reload"}, wantTree: emptyDirs},
		}},
		{"failed start rolls back", []step{
			{name: "install", binary: "binary v1", prepare: func(t *testing.T, e *env, _ *Options) {
				e.sd.fail = map[string]error{"start": errors.New("exit status 1")}
			}, wantCalls: []string{"daemon-reload", "is-enabled", "enable", "is-active", "start", "stop", "disable", "daemon-reload"}, wantErr: errAny},
		}},
		{"failed verification rolls back", []step{
			{name: "install", binary: "binary v1", prepare: func(t *testing.T, e *env, _ *Options) { e.down = true },
				wantCalls: append(append([]string(nil), fresh...), append(repeat("is-active", 20), "stop", "disable", "daemon-reload")...),
				wantErr:   ErrVerify},
		}},
		{"failed upgrade restores the old version", []step{
			{name: "install", binary: "binary v1", wantCalls: fresh, wantTree: installedV1},
			{name: "upgrade", binary: "binary v2", prepare: func(t *testing.T, e *env, _ *Options) {
				e.sd.fail = map[string]error{"restart": errors.New("exit status 1")}
			}, wantCalls: []string{"is-enabled", "is-active", "restart", "restart"}, wantErr: errAny, wantTree: installedV1},
		}},
		{"packaged install is left to apt", []step{
			{name: "install", binary: "binary v1", prepare: func(t *testing.T, e *env, _ *Options) {
				p := filepath.Join(e.root, PackageUnitPaths[0])
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte("[Unit]\n"), 0o644)
			}, wantErr: ErrPackaged, wantTree: []string{"drwxr-xr-x /lib", "drwxr-xr-x /lib/systemd", "drwxr-xr-x /lib/systemd/system",
				`-rw-r--r-- /lib/systemd/system/pi-netconfig.service "[Unit]\n"`}},
			{name: "uninstall", uninstall: true, wantErr: ErrPackaged, wantTree: []string{"drwxr-xr-x /lib", "drwxr-xr-x /lib/systemd", "drwxr-xr-x /lib/systemd/system",
				`-rw-r--r-- /lib/systemd/system/pi-netconfig.service "[Unit]\n"`}},
		}},
		{"image without systemd", []step{
			{name: "install", binary: "binary v1", prepare: func(t *testing.T, e *env, o *Options) { o.Systemd = nil }, wantTree: imageInstalled},
			{name: "again", binary: "binary v1", prepare: func(t *testing.T, e *env, o *Options) { o.Systemd = nil }, wantTree: imageInstalled},
			{name: "uninstall", uninstall: true, prepare: func(t *testing.T, e *env, o *Options) { o.Systemd = nil },
				wantTree: append(append(emptyDirs[:3:3], "drwx------ /etc/pi-netconfig"), append(emptyDirs[3:5:5],
					append([]string{"drwxr-xr-x /etc/systemd/system/multi-user.target.wants"}, emptyDirs[5:]...)...)...)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				var transcript bytes.Buffer
				for _, s := range tt.steps {
					e.sd.calls, e.sd.fail = nil, nil
					var out bytes.Buffer
					o := e.opts(t, s.binary, &out)
					if s.prepare != nil {
						s.prepare(t, e, &o)
					}
					var err error
					if s.uninstall {
						err = Uninstall(t.Context(), o)
					} else {
						err = Install(t.Context(), o)
					}
					switch {
					case s.wantErr == nil && err != nil:
						t.Fatalf("%s: %v", s.name, err)
					case s.wantErr == errAny && err == nil, s.wantErr != nil && s.wantErr != errAny && !errors.Is(err, s.wantErr):
						t.Fatalf("%s: error %v, want %v", s.name, err, s.wantErr)
					}
					if diff := cmp.Diff(s.wantCalls, e.sd.calls); diff != "" {
						t.Errorf("%s: systemd calls (-want +got):\n%s", s.name, diff)
					}
					if diff := cmp.Diff(s.wantTree, tree(t, e.root)); diff != "" {
						t.Errorf("%s: files (-want +got):\n%s", s.name, diff)
					}
					fmt.Fprintf(&transcript, "$ pi-netconfig %s  # %s\n%s", map[bool]string{false: "install", true: "uninstall"}[s.uninstall], s.name, out.String())
					if err != nil {
						fmt.Fprintf(&transcript, "error: %v\n", strings.ReplaceAll(err.Error(), e.root, "$ROOT"))
					}
					transcript.WriteString("\n")
				}
				golden(t, filepath.Join("testdata", "transcripts", strings.ReplaceAll(tt.name, " ", "-")+".txt"),
					bytes.ReplaceAll(transcript.Bytes(), []byte(e.root), []byte("$ROOT")))
			})
		})
	}
}

// errAny stands for "some error" in a step.
var errAny = errors.New("any error")

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestUnitGolden(t *testing.T) {
	for _, bin := range []string{"/usr/local/bin/pi-netconfig", "/usr/bin/pi-netconfig"} {
		u := Unit(bin)
		if bytes.Contains(u, []byte(BinaryPlaceholder)) {
			t.Errorf("Unit(%q) still holds the placeholder", bin)
		}
		if !bytes.Contains(u, []byte("\nExecStart="+bin+" run\n")) {
			t.Errorf("Unit(%q) has no ExecStart for it", bin)
		}
	}
	golden(t, filepath.Join("testdata", "pi-netconfig.service"), Unit(BinPath))
}

func TestCheckRoot(t *testing.T) {
	if err := CheckRoot(0, "install"); err != nil {
		t.Errorf("CheckRoot(0) = %v", err)
	}
	err := CheckRoot(1000, "install")
	if !errors.Is(err, ErrNotRoot) || !strings.Contains(err.Error(), "sudo pi-netconfig install") {
		t.Errorf("CheckRoot(1000) = %v, want ErrNotRoot with the sudo command", err)
	}
}

func TestInstalled(t *testing.T) {
	for _, p := range append([]string{"", UnitPath}, PackageUnitPaths...) {
		root := t.TempDir()
		if p != "" {
			os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
			os.WriteFile(filepath.Join(root, p), nil, 0o644)
		}
		if got := Installed(root); got != (p != "") {
			t.Errorf("Installed with %q = %t", p, got)
		}
	}
}
