// Package lease holds what the engines whose locks are leases (sqlite,
// redis, postgres) share: how often a held lease is renewed, and the
// loop that renews it.
package lease

import (
	"context"
	"time"
)

// Period is how often a lease of ttl is renewed: every third of it (at
// least every millisecond), so that two renewals in a row may fail before
// the lease runs out.
func Period(ttl time.Duration) time.Duration { return max(ttl/3, time.Millisecond) }

// Keep calls renew every Period(ttl) until ctx ends or renew returns
// false (the lease is gone, or cannot be renewed any more). renew handles
// its own errors: a renewal that failed but may succeed at the next tick
// returns true.
func Keep(ctx context.Context, ttl time.Duration, renew func() bool) {
	t := time.NewTicker(Period(ttl))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !renew() {
			return
		}
	}
}
