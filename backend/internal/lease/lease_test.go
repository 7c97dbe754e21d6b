package lease

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestPeriod(t *testing.T) {
	if got := Period(3 * time.Second); got != time.Second {
		t.Errorf("Period(3s) = %v", got)
	}
	if got := Period(time.Microsecond); got != time.Millisecond {
		t.Errorf("Period(1µs) = %v, want the 1 ms floor", got)
	}
}

// Keep renews every third of the ttl until renew says stop or ctx ends.
func TestKeep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var at []time.Duration
		Keep(t.Context(), 3*time.Second, func() bool {
			at = append(at, time.Since(start))
			return len(at) < 3
		})
		if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; len(at) != 3 || at[0] != want[0] || at[1] != want[1] || at[2] != want[2] {
			t.Fatalf("renewals at %v, want %v", at, want)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
		defer cancel()
		n := 0
		Keep(ctx, 3*time.Second, func() bool { n++; return true })
		if n != 2 || time.Since(start) != 5500*time.Millisecond {
			t.Fatalf("%d renewals, returned at %v; want 2, at 5.5 s", n, time.Since(start))
		}
	})
}
