package main

import (
	"testing"
	"time"
)

func TestTrackerCounts(t *testing.T) {
	tr := newTracker(2, 3) // users 0 and 1, messages 0..2
	tr.beginLoad()
	for u := range 2 {
		for i := range 3 {
			if got, want := tr.text(u, i), "bench "+string(rune('0'+i)); got != want {
				t.Fatalf("text(%d, %d) = %q, want %q", u, i, got, want)
			}
		}
	}
	chat0, chat1 := int64(firstUser), int64(firstUser+1)
	tr.reply(chat0, "bench 0")
	tr.reply(chat0, "bench 2") // overtakes message 1
	tr.reply(chat0, "bench 1") // out of order
	tr.reply(chat0, "bench 1") // duplicate
	tr.reply(chat1, "bench 0")
	tr.reply(chat1, "bench 1")
	tr.reply(chat1, "hello")         // stray: not the load's text
	tr.reply(firstUser+7, "bench 0") // stray: not a user of the load
	tr.reply(chat1, "bench 9")       // stray: no such message

	c := tr.counts()
	want := counts{Answered: 5, Lost: 1, Unordered: 1, Duplicates: 1, Stray: 3}
	if c.Answered != want.Answered || c.Lost != want.Lost || c.Unordered != want.Unordered ||
		c.Duplicates != want.Duplicates || c.Stray != want.Stray {
		t.Fatalf("counts = %+v, want %+v", c, want)
	}
	if c.Elapsed <= 0 || c.P50 <= 0 || c.P99 < c.P50 {
		t.Fatalf("times: elapsed %v, p50 %v, p99 %v", c.Elapsed, c.P50, c.P99)
	}
	if isClosed(tr.done) {
		t.Fatal("done before every message was answered")
	}
	tr.reply(chat1, "bench 2")
	if !isClosed(tr.done) {
		t.Fatal("not done after every message was answered")
	}
	if c := tr.counts(); c.Lost != 0 || c.Answered != 6 {
		t.Fatalf("after the last reply: %+v", c)
	}
}

func TestTrackerWarmUp(t *testing.T) {
	tr := newTracker(1, 1)
	tr.reply(firstUser-1, warmUpText)
	tr.reply(firstUser-1, warmUpText) // a second warm-up reply is harmless
	if !isClosed(tr.warm) {
		t.Fatal("warm-up reply not seen")
	}
	if c := tr.counts(); c.Answered != 0 || c.Stray != 0 {
		t.Fatalf("the warm-up counted in %+v", c)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(ds, c.p); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v", got)
	}
	if got := percentile(ds[:1], 0.99); got != time.Millisecond {
		t.Errorf("percentile of one = %v", got)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
