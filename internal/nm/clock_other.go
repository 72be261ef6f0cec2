//go:build !linux

package nm

// bootMillis is unknown off Linux; every scan is then requested.
func bootMillis() (int64, bool) { return 0, false }
