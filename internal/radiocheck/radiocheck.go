// Package radiocheck finds what stops the WiFi radio that NetworkManager
// does not explain: an rfkill block (soft: switched off by software, which
// pi-netconfig can undo; hard: a switch or the firmware, which a person must
// fix) and a missing WiFi country (the kernel's "00" world regulatory
// domain, which on some Raspberry Pi models keeps the radio silent). It sets
// the configured country through nl80211, without iw and without a shell.
package radiocheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// Problem codes (wifi.Problem.Code).
const (
	CodeRfkillHard = "rfkill_hard"
	CodeRfkillSoft = "rfkill_soft"
	CodeNoCountry  = "no_country"
)

// World is the regulatory domain the kernel uses when no country is set.
const World = "00"

// Sentinel errors.
var (
	// ErrNoNL80211 means the kernel has no nl80211 (no WiFi driver loaded,
	// or not Linux), so the country can be neither read nor set.
	ErrNoNL80211 = errors.New("radiocheck: nl80211 is not available")
	// ErrCountry means a country code is not two upper-case letters.
	ErrCountry = errors.New("radiocheck: invalid country code")
)

// Regulatory reads and sets the kernel's regulatory domain. The default is
// nl80211 over generic netlink; tests use a fake.
type Regulatory interface {
	// Country returns the current global regulatory domain's alpha2 ("00"
	// for world, i.e. unset).
	Country(ctx context.Context) (string, error)
	// RequestCountry asks the kernel to use alpha2. The kernel applies it
	// asynchronously; Country may report the old value for a moment.
	RequestCountry(ctx context.Context, alpha2 string) error
}

// Checker checks one machine's radios.
type Checker struct {
	// SysFS is where sysfs is mounted, "/sys"; tests point it at a fake tree.
	SysFS string
	// Log receives what the checker did; nil discards it.
	Log *slog.Logger
	// Reg reads and sets the regulatory domain; nil means nl80211.
	Reg Regulatory
}

func (c *Checker) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log.With("component", "radiocheck")
}

func (c *Checker) reg() Regulatory {
	if c.Reg == nil {
		return nl80211{}
	}
	return c.Reg
}

// Radio is one rfkill switch of type wlan.
type Radio struct {
	ID   string // "rfkill0"
	Name string // "phy0"
	Soft bool   // blocked by software
	Hard bool   // blocked by a switch or the firmware
}

// Radios lists the WiFi rfkill switches, ordered by id.
func (c *Checker) Radios() ([]Radio, error) {
	dir := filepath.Join(c.SysFS, "class", "rfkill")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no rfkill support: nothing can be blocked
	}
	if err != nil {
		return nil, fmt.Errorf("list rfkill switches: %w", err)
	}
	var out []Radio
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "rfkill") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if read(p, "type") != "wlan" {
			continue
		}
		out = append(out, Radio{
			ID:   e.Name(),
			Name: read(p, "name"),
			Soft: read(p, "soft") == "1",
			Hard: read(p, "hard") == "1",
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Problems reports rfkill blocks and a missing country, plainly and with
// the fix. country is the configured country ("" when none). Checks that
// cannot run (no rfkill, no nl80211) report nothing: NetworkManager reports
// a missing device itself.
func (c *Checker) Problems(ctx context.Context, country string) []wifi.Problem {
	var out []wifi.Problem
	radios, err := c.Radios()
	if err != nil {
		c.log().Warn("cannot read rfkill state", "err", err)
	}
	for _, r := range radios {
		switch {
		case r.Hard:
			out = append(out, wifi.Problem{
				Code:    CodeRfkillHard,
				Message: fmt.Sprintf("The WiFi radio (%s) is switched off by a hardware switch or the firmware (rfkill hard block), so it cannot join a network or raise the setup hotspot.", r.Name),
				Fix:     "Turn the WiFi switch on if the device has one; on a Raspberry Pi, remove any dtoverlay=disable-wifi line from config.txt on the boot partition and reboot.",
			})
		case r.Soft:
			out = append(out, wifi.Problem{
				Code:    CodeRfkillSoft,
				Message: fmt.Sprintf("The WiFi radio (%s) is switched off in software (rfkill soft block).", r.Name),
				Fix:     "pi-netconfig unblocks it when it starts; if it stays blocked, run: sudo rfkill unblock wifi",
			})
		}
	}
	cur, err := c.reg().Country(ctx)
	switch {
	case errors.Is(err, ErrNoNL80211):
		c.log().Debug("regulatory domain not checked", "err", err)
	case err != nil:
		c.log().Warn("cannot read the WiFi country", "err", err)
	case cur == World && country == "":
		out = append(out, wifi.Problem{
			Code:    CodeNoCountry,
			Message: "No WiFi country is set, so the radio may not transmit on all channels (or at all on some Pi models).",
			Fix:     `Set "country" in /etc/pi-netconfig/config.json to your two-letter country code, e.g. "GB".`,
		})
	case cur == World:
		out = append(out, wifi.Problem{
			Code:    CodeNoCountry,
			Message: fmt.Sprintf("The WiFi country %q from the config is not in effect: the radio still uses the world regulatory domain.", country),
			Fix:     `Check that "country" in /etc/pi-netconfig/config.json is your two-letter country code; the log says why setting it failed.`,
		})
	}
	return out
}

// Unblock lifts soft rfkill blocks on the WiFi radios by writing 0 to
// /sys/class/rfkill/rfkillN/soft (the kernel requires CAP_NET_ADMIN). A
// hard block cannot be lifted by software and is left to Problems.
func (c *Checker) Unblock() error {
	radios, err := c.Radios()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range radios {
		if !r.Soft {
			continue
		}
		p := filepath.Join(c.SysFS, "class", "rfkill", r.ID, "soft")
		if err := os.WriteFile(p, []byte("0\n"), 0); err != nil {
			errs = append(errs, fmt.Errorf("unblock WiFi radio %s: %w", r.Name, err))
			continue
		}
		c.log().Info("unblocked the WiFi radio (rfkill soft block)", "radio", r.Name)
	}
	return errors.Join(errs...)
}

// ApplyCountry sets the WiFi country to alpha2 (ISO 3166, upper case)
// unless it is in effect already. It needs CAP_NET_ADMIN.
func (c *Checker) ApplyCountry(ctx context.Context, alpha2 string) error {
	if !validAlpha2(alpha2) {
		return fmt.Errorf("%w: %q; use a two-letter upper-case code like \"GB\"", ErrCountry, alpha2)
	}
	reg := c.reg()
	cur, err := reg.Country(ctx)
	if err != nil {
		return fmt.Errorf("read the WiFi country: %w", err)
	}
	if cur == alpha2 {
		c.log().Debug("WiFi country already set", "country", alpha2)
		return nil
	}
	if err := reg.RequestCountry(ctx, alpha2); err != nil {
		return fmt.Errorf("set the WiFi country to %s: %w", alpha2, err)
	}
	c.log().Info("set the WiFi country", "country", alpha2, "was", cur)
	return nil
}

func validAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
