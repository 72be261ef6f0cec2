package main

import (
	"context"
	"log/slog"

	"github.com/pi-netconfig/pi-netconfig/internal/radiocheck"
	"github.com/pi-netconfig/pi-netconfig/internal/wifi"
)

// radioChecks finds what stops the radio that NetworkManager does not
// report (regulatory country, rfkill details) and sets the country.
type radioChecks interface {
	Problems(ctx context.Context, country string) []wifi.Problem
	ApplyCountry(ctx context.Context, alpha2 string) error
	// Unblock lifts a soft rfkill block (a hard one is a switch or firmware).
	Unblock() error
}

func newRadioChecks(log *slog.Logger) radioChecks {
	return &radiocheck.Checker{SysFS: "/sys", Log: log}
}
