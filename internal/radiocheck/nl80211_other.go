//go:build !linux

package radiocheck

import "context"

// nl80211 exists only on Linux; elsewhere the country checks report nothing.
type nl80211 struct{}

func (nl80211) Country(context.Context) (string, error) { return "", ErrNoNL80211 }

func (nl80211) RequestCountry(context.Context, string) error { return ErrNoNL80211 }
