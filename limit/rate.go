package limit

import (
	"strconv"
	"time"
)

// Rate is a limit of Count messages per Per, with bursts of up to Burst
// messages at once (Burst ≤ 0 means 1: evenly spaced). It is enforced as a
// GCRA: one message every Per/Count, and up to Burst of them may be sent
// back to back when the bucket has been idle.
//
// In Config, the zero Rate stands for the default of that limit and a
// Rate with a negative Count (see Unlimited) turns the limit off.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// Unlimited turns a limit off when used in Config.
var Unlimited = Rate{Count: -1}

// IsZero reports whether r is the zero Rate.
func (r Rate) IsZero() bool { return r == Rate{} }

// Off reports whether r imposes no limit.
func (r Rate) Off() bool { return r.Count <= 0 || r.Per <= 0 }

// Interval is the time between two messages at the sustained rate:
// Per/Count, rounded up to the nanosecond so that Count messages never
// fit in less than Per; zero when r is off.
func (r Rate) Interval() time.Duration {
	if r.Off() {
		return 0
	}
	n := time.Duration(r.Count)
	return (r.Per + n - 1) / n
}

// Windowed returns the GCRA that keeps r as a window limit: no window of
// length Per holds more than Count messages, and up to Burst of them (at
// most Count) may go back to back. A plain GCRA of Count/Per with bursts
// of B lets Count+B-1 into one window (a burst, then the sustained rate);
// the windowed one spaces the rest by Per/(Count-B+1) instead, which gives
// up sustained speed for the burst. A Rate with Burst ≤ 1, or off, is
// returned as it is. Config applies it to Global, Group and Paid.
func (r Rate) Windowed() Rate {
	if r.Off() || r.Burst <= 1 {
		return r
	}
	b := min(r.Burst, r.Count)
	return Rate{Count: r.Count - b + 1, Per: r.Per, Burst: b}
}

// BurstSize is the number of messages that may be sent at once, at least 1.
func (r Rate) BurstSize() int { return max(r.Burst, 1) }

// String formats r as "30/1s", "1/1s:3" or "off".
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	s := strconv.Itoa(r.Count) + "/" + r.Per.String()
	if r.Burst > 1 {
		s += ":" + strconv.Itoa(r.Burst)
	}
	return s
}

// gcra is the state of one bucket: its theoretical arrival time, the
// moment the bucket is empty again. The zero value is an idle bucket.
type gcra struct{ tat time.Time }

// wait returns how long n more messages must wait to fit r at now, or 0.
// A cost above the burst is admitted when the bucket is idle, so that an
// album larger than the burst can still be sent; it then holds the bucket
// for its whole cost.
func (g *gcra) wait(r Rate, now time.Time, n int) time.Duration {
	tat := g.tat
	if tat.Before(now) {
		tat = now
	}
	need := min(n, r.BurstSize())
	allowAt := tat.Add(r.Interval() * time.Duration(need-r.BurstSize()))
	if allowAt.After(now) {
		return allowAt.Sub(now)
	}
	return 0
}

// take records n messages at now. Call it only after wait returned 0.
func (g *gcra) take(r Rate, now time.Time, n int) {
	if g.tat.Before(now) {
		g.tat = now
	}
	g.tat = g.tat.Add(r.Interval() * time.Duration(n))
}

// idle reports whether the bucket holds nothing at now and can be
// forgotten.
func (g *gcra) idle(now time.Time) bool { return !g.tat.After(now) }
