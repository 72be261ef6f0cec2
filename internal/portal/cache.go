package portal

import "sync"

// snapCache keeps one answer built from one daemon snapshot, for at most
// the second it was built in (answers show ages in seconds). A closed
// changed channel (a newer snapshot) invalidates it. Phones poll status
// every second and many may reload the page; the daemon's snapshot changes
// far less often.
type snapCache struct {
	mu      sync.Mutex // guards the fields below
	changed <-chan struct{}
	sec     int64
	body    []byte
}

// get returns the cached answer if it is from second sec and its snapshot
// is still the current one.
func (c *snapCache) get(sec int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil || c.sec != sec {
		return nil, false
	}
	select {
	case <-c.changed:
		return nil, false
	default:
		return c.body, true
	}
}

// put stores an answer built from the snapshot that changed belongs to; a
// nil channel (a daemon that cannot tell) is never cached.
func (c *snapCache) put(changed <-chan struct{}, sec int64, body []byte) {
	if changed == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changed, c.sec, c.body = changed, sec, body
}
