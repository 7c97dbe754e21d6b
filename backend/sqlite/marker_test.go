package sqlite

import (
	"context"
	"testing"
	"time"
)

func mustMark(t *testing.T, s *Store, name string, ttl time.Duration, want bool) {
	t.Helper()
	got, err := s.Mark(context.Background(), name, ttl)
	if err != nil {
		t.Fatalf("Mark(%q): %v", name, err)
	}
	if got != want {
		t.Fatalf("Mark(%q) = %v, want %v", name, got, want)
	}
}

func TestMark(t *testing.T) {
	s, clock := newClockStore(t)
	mustMark(t, s, "update:1", time.Hour, true)
	mustMark(t, s, "update:1", time.Hour, false)
	mustMark(t, s, "update:2", time.Hour, true)

	clock.Advance(time.Hour - time.Nanosecond)
	mustMark(t, s, "update:1", time.Hour, false) // still marked; no renewal
	clock.Advance(time.Nanosecond)
	mustMark(t, s, "update:1", time.Hour, true) // expired: marked anew
	mustMark(t, s, "update:1", time.Hour, false)

	if err := s.Unmark(context.Background(), "update:1"); err != nil {
		t.Fatal(err)
	}
	mustMark(t, s, "update:1", 0, true)
	clock.Advance(10000 * time.Hour)
	mustMark(t, s, "update:1", 0, false) // ttl 0: forever
	if err := s.Unmark(context.Background(), "never-marked"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mark(context.Background(), "x", -time.Second); err == nil {
		t.Fatal("negative ttl accepted")
	}
}
