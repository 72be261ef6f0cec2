package portal

import (
	"sync"
	"time"
)

// bucket is a token bucket: burst tokens, one more every per. The portal
// has one for connection attempts and forced rescans: the radio is a
// single shared resource, so the limit is global, not per client.
type bucket struct {
	burst float64
	per   time.Duration

	mu     sync.Mutex // guards tokens and last
	tokens float64
	last   time.Time
}

func newBucket(burst int, per time.Duration) *bucket {
	return &bucket{burst: float64(burst), per: per, tokens: float64(burst)}
}

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens += float64(now.Sub(b.last)) / float64(b.per)
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
}

// take spends a token if there is one.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// retryAfter is how many whole seconds until a token is available (≥ 1).
func (b *bucket) retryAfter(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	missing := 1 - b.tokens
	if missing <= 0 {
		return 1
	}
	s := int((time.Duration(missing*float64(b.per)) + time.Second - 1) / time.Second)
	return max(s, 1)
}
