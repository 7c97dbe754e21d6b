package source

import (
	"testing"
	"time"
)

func TestBackoffGrowsAndCaps(t *testing.T) {
	b := newBackoff(time.Second, 30*time.Second)
	top := func(n int64) int64 { return n - 1 } // the largest jitter draw
	b.rand = top
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i, w := range want {
		if got := b.next(); got != w*time.Second {
			t.Fatalf("wait %d = %v, want %v", i, got, w*time.Second)
		}
	}
	b.reset()
	if got := b.next(); got != time.Second {
		t.Fatalf("after reset = %v, want 1s", got)
	}
}

func TestBackoffJitterRange(t *testing.T) {
	b := newBackoff(time.Second, 30*time.Second)
	b.rand = func(int64) int64 { return 0 } // the smallest draw
	if got := b.next(); got != 500*time.Millisecond {
		t.Fatalf("smallest first wait = %v, want 500ms", got)
	}
	b = newBackoff(time.Second, 30*time.Second) // real randomness
	for i := range 50 {
		base := b.base(b.n)
		got := b.next()
		if got < base/2 || got > base {
			t.Fatalf("wait %d = %v, outside [%v, %v]", i, got, base/2, base)
		}
	}
}
