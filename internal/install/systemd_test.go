package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeSystemctl writes a systemctl stand-in that logs its arguments and
// answers is-active/is-enabled from files.
func fakeSystemctl(t *testing.T) (Systemctl, string) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := `#!/bin/sh
echo "$*" >> ` + log + `
case "$1" in
is-active) [ -e ` + dir + `/active ] ;;
is-enabled) [ -e ` + dir + `/enabled ] ;;
start) [ ! -e ` + dir + `/broken ] || { echo "Job for pi-netconfig.service failed." >&2; exit 1; } ;;
esac
`
	path := filepath.Join(dir, "systemctl")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return Systemctl{Path: path}, dir
}

func TestSystemctl(t *testing.T) {
	sc, dir := fakeSystemctl(t)
	ctx := t.Context()
	if err := sc.DaemonReload(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sc.Enable(ctx, ServiceName); err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(ctx, ServiceName); err != nil {
		t.Fatal(err)
	}
	active, err := sc.IsActive(ctx, ServiceName)
	if err != nil || active {
		t.Errorf("IsActive = %t, %v; want false, nil", active, err)
	}
	os.WriteFile(filepath.Join(dir, "active"), nil, 0o644)
	if active, err := sc.IsActive(ctx, ServiceName); err != nil || !active {
		t.Errorf("IsActive = %t, %v; want true, nil", active, err)
	}
	if enabled, err := sc.IsEnabled(ctx, ServiceName); err != nil || enabled {
		t.Errorf("IsEnabled = %t, %v; want false, nil", enabled, err)
	}
	os.WriteFile(filepath.Join(dir, "broken"), nil, 0o644)
	err = sc.Start(ctx, ServiceName)
	if err == nil || !strings.Contains(err.Error(), "Job for pi-netconfig.service failed.") {
		t.Errorf("Start of a broken unit = %v, want systemctl's message", err)
	}
	for _, f := range []func() error{
		func() error { return sc.Stop(ctx, ServiceName) },
		func() error { return sc.Restart(ctx, ServiceName) },
		func() error { return sc.Disable(ctx, ServiceName) },
	} {
		if err := f(); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "log"))
	want := []string{
		"daemon-reload",
		"enable --quiet pi-netconfig.service",
		"start pi-netconfig.service",
		"is-active --quiet pi-netconfig.service",
		"is-active --quiet pi-netconfig.service",
		"is-enabled --quiet pi-netconfig.service",
		"start pi-netconfig.service",
		"stop pi-netconfig.service",
		"restart pi-netconfig.service",
		"disable --quiet pi-netconfig.service",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(string(b)), "\n")); diff != "" {
		t.Errorf("systemctl calls (-want +got):\n%s", diff)
	}

	missing := Systemctl{Path: filepath.Join(dir, "nope")}
	if _, err := missing.IsActive(ctx, ServiceName); err == nil {
		t.Errorf("IsActive without systemctl succeeded")
	}
}
