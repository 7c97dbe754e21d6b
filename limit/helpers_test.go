package limit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// Tests of timing run in a testing/synctest bubble: the limiter reads the
// wall clock, which in the bubble is a fake one that moves only when
// every goroutine of the bubble is durably blocked, to the next timer.
// Time is exact, and a test waits for no real time; synctest.Wait stands
// for "every caller now waits in the limiter". The tests of the limiter
// against the emulator over HTTP are in package limit_test (limiter_test.go),
// which may import emutest.

const testToken = "4242:limit-test-secret"

type labelKey struct{}

// withLabel marks the calls made with ctx, for labelled.
func withLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, labelKey{}, label)
}

// labelled keeps the recorded calls made with withLabel(…, label).
func labelled(label string) func(testkit.Call) bool {
	return func(c testkit.Call) bool {
		l, _ := c.Ctx.Value(labelKey{}).(string)
		return l == label
	}
}

// method keeps the recorded calls of method m.
func method(m string) func(testkit.Call) bool {
	return func(c testkit.Call) bool { return c.Method == m }
}

// checkTimes compares sorted times, relative to start, with want.
func checkTimes(t *testing.T, what string, times []time.Time, start time.Time, want []time.Duration) {
	t.Helper()
	if len(times) != len(want) {
		t.Fatalf("%s: %d calls, want %d", what, len(times), len(want))
	}
	for i, at := range times {
		if got := at.Sub(start); got != want[i] {
			t.Fatalf("%s: call %d at +%v, want +%v (all: %v)", what, i, got, want[i], rel(times, start))
		}
	}
}

func rel(times []time.Time, start time.Time) []time.Duration {
	out := make([]time.Duration, len(times))
	for i, at := range times {
		out[i] = at.Sub(start)
	}
	return out
}

// interval of a rate, as the limiter computes it.
func ivl(r Rate) time.Duration { return r.Interval() }

// unit is a limiter whose chain ends in a function instead of HTTP; rec,
// inside the limiter, records when each call was let through (the wall
// clock: a synctest bubble's, in tests of timing).
type unit struct {
	lim  *Limiter
	rec  *testkit.Caller
	call tg.Caller
}

func newUnit(cfg Config, end func(method string) error) *unit {
	u := &unit{lim: New(cfg), rec: &testkit.Caller{}}
	inner := tg.CallerFunc(func(_ context.Context, method string, _, _ any) error { return end(method) })
	u.call = u.lim.Middleware()(u.rec.Middleware(inner))
	return u
}

func (u *unit) goCall(t *testing.T, g *sync.WaitGroup, ctx context.Context, method string, params any) {
	g.Go(func() {
		if err := u.call.Call(ctx, method, params, nil); err != nil {
			t.Errorf("%s: %v", method, err)
		}
	})
}

func ok(string) error { return nil }
