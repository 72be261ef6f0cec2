package radiocheck

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLiveCountry asks this machine's kernel. Without a WiFi driver there is
// no nl80211 family, which must come back as ErrNoNL80211; with one, the
// answer is a two-character country ("00" for world).
func TestLiveCountry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := nl80211{}.Country(ctx)
	switch {
	case errors.Is(err, ErrNoNL80211):
		t.Logf("no nl80211 here: %v", err)
	case err != nil:
		t.Fatalf("Country: %v", err)
	case len(got) != 2:
		t.Fatalf("Country = %q, want two characters", got)
	default:
		t.Logf("regulatory domain: %s", got)
	}
}
