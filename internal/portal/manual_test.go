package portal

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestManualServe(t *testing.T) {
	addr := os.Getenv("PORTAL_MANUAL")
	if addr == "" {
		t.Skip()
	}
	f := newFake()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	Serve(ctx, f, Options{Listen: []string{addr}, DeviceName: "raspberrypi"})
}
