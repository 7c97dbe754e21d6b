package backoff

import (
	"testing"
	"time"
)

func TestCapDoublesUpToMax(t *testing.T) {
	p := Policy{Min: time.Second, Max: 30 * time.Second}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for n, w := range want {
		if got := p.Cap(n); got != w*time.Second {
			t.Fatalf("Cap(%d) = %v, want %v", n, got, w*time.Second)
		}
	}
	if got := (Policy{Min: time.Second, Max: 4 * time.Second}).Cap(1000); got != 4*time.Second {
		t.Fatalf("Cap(1000) = %v", got)
	}
	if got := (Policy{Min: time.Second, Max: time.Millisecond}).Cap(0); got != time.Millisecond {
		t.Fatalf("Max below Min: %v", got)
	}
}

func TestDelayJitterRanges(t *testing.T) {
	for _, tt := range []struct {
		j      Jitter
		lo, hi func(d time.Duration) time.Duration
	}{
		{None, func(d time.Duration) time.Duration { return d }, func(d time.Duration) time.Duration { return d }},
		{Equal, func(d time.Duration) time.Duration { return d / 2 }, func(d time.Duration) time.Duration { return d }},
		{Full, func(time.Duration) time.Duration { return 1 }, func(d time.Duration) time.Duration { return d }},
	} {
		p := Policy{Min: 10 * time.Millisecond, Max: time.Second, Jitter: tt.j}
		var c Counter
		c.Policy = p
		for n := range 200 {
			d := p.Cap(n % 10)
			if n%10 == 0 {
				c.Reset()
			}
			got := c.Next()
			if got < tt.lo(d) || got > tt.hi(d) {
				t.Fatalf("jitter %d: wait after failure %d = %v, outside [%v, %v]", tt.j, n%10, got, tt.lo(d), tt.hi(d))
			}
		}
	}
	if (Policy{}).Delay(3) != 0 {
		t.Fatal("a zero policy waits")
	}
}
