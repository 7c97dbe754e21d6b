package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSweepBounded: one sweep deletes at most SweepBatch expired rows per
// table and never a live one.
func TestSweepBounded(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	s := openAt(t, dbPath(t), Options{SweepInterval: -1, SweepBatch: 3, now: clock.Now})
	for i := range 5 {
		mustCAS(t, s, backend.Key{ChatID: int64(i)}, 0, backend.Record{}, time.Minute)
		mustMark(t, s, fmt.Sprint("m", i), time.Minute, true)
	}
	mustCAS(t, s, backend.Key{ChatID: 100}, 0, backend.Record{}, 0)         // never expires
	mustCAS(t, s, backend.Key{ChatID: 101}, 0, backend.Record{}, time.Hour) // expires later
	mustMark(t, s, "forever", 0, true)
	clock.Advance(time.Minute)

	if n, err := s.Sweep(ctx); err != nil || n != 6 {
		t.Fatalf("first Sweep = %d, %v; want 3+3", n, err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 4 {
		t.Fatalf("second Sweep = %d, %v; want 2+2", n, err)
	}
	if n, err := s.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("third Sweep = %d, %v; want 0", n, err)
	}
	if r, m := countRows(t, s, "fsm_records"), countRows(t, s, "marks"); r != 2 || m != 1 {
		t.Fatalf("left %d records, %d marks; want 2, 1", r, m)
	}
}

// TestSweeperRuns: the background sweeper deletes expired rows, drains a
// backlog larger than one batch, and stops with Close.
func TestSweeperRuns(t *testing.T) {
	s := openAt(t, dbPath(t), Options{SweepInterval: 20 * time.Millisecond, SweepBatch: 2})
	for i := range 7 {
		mustCAS(t, s, backend.Key{ChatID: int64(i)}, 0, backend.Record{}, time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for countRows(t, s, "fsm_records") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("expired rows not swept")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
