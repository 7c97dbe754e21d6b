// Package backoff computes the waits between attempts of a failing
// operation: exponential from a minimum, capped at a maximum, with jitter
// so that many callers that failed together do not retry in lock step.
// Every retry loop of the module (polling, outbound retries, FSM
// compare-and-swap, the emulator's webhook retries) draws its waits here.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter says how a wait is drawn below its capped delay d.
type Jitter uint8

const (
	// None waits d itself.
	None Jitter = iota
	// Equal draws uniformly from [d/2, d]: at least half the delay.
	Equal
	// Full draws uniformly from [1ns, d] ("full jitter"): spreads
	// contending writers the most.
	Full
)

// Policy is a back-off schedule. The zero Jitter is None.
type Policy struct {
	// Min is the delay after the first failure; it doubles after each
	// further one.
	Min time.Duration
	// Max caps the delay (a Max below Min caps Min as well).
	Max    time.Duration
	Jitter Jitter
}

// Cap returns the delay after failure n (0 for the first) before jitter:
// Min·2ⁿ, capped at Max.
func (p Policy) Cap(n int) time.Duration {
	d := p.Min
	for range n {
		if d >= p.Max/2 {
			return p.Max
		}
		d *= 2
	}
	return min(d, p.Max)
}

// Delay returns the wait after failure n (0 for the first): Cap(n) with
// the policy's jitter, drawn at random.
func (p Policy) Delay(n int) time.Duration {
	d := p.Cap(n)
	if d <= 0 {
		return 0
	}
	switch p.Jitter {
	case Equal:
		half := d / 2
		return half + rand.N(d-half+1)
	case Full:
		return rand.N(d) + 1
	}
	return d
}

// Counter walks a Policy through consecutive failures: Next returns the
// wait after one more failure, Reset starts again after a success. The
// zero Counter of a Policy is ready to use; it is not safe for concurrent
// use.
type Counter struct {
	Policy
	n int // failures since the last Reset
}

// Next returns the wait after one more failure.
func (c *Counter) Next() time.Duration {
	d := c.Delay(c.n)
	c.n++
	return d
}

// Reset starts the schedule again from Min.
func (c *Counter) Reset() { c.n = 0 }

// Sleep waits d, or returns ctx's error as soon as ctx ends. A d of zero
// or less returns ctx's error at once.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
