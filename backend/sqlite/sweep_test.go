package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
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
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := openAt(t, dbPath(t), Options{SweepInterval: -1, SweepBatch: 3})
		for i := range 5 {
			mustCAS(t, s, backend.Key{ChatID: int64(i)}, 0, backend.Record{}, time.Minute)
			markDone(t, s, fmt.Sprint("m", i), time.Minute)
		}
		mustCAS(t, s, backend.Key{ChatID: 100}, 0, backend.Record{}, 0)         // never expires
		mustCAS(t, s, backend.Key{ChatID: 101}, 0, backend.Record{}, time.Hour) // expires later
		markDone(t, s, "later", time.Hour)                                      // expires later
		time.Sleep(time.Minute)

		if n, err := s.Sweep(ctx); err != nil || n != 6 {
			t.Fatalf("first Sweep = %d, %v; want 3+3", n, err)
		}
		if n, err := s.Sweep(ctx); err != nil || n != 4 {
			t.Fatalf("second Sweep = %d, %v; want 2+2", n, err)
		}
		if n, err := s.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("third Sweep = %d, %v; want 0", n, err)
		}
		if r, c := countRows(t, s, "fsm_records"), countRows(t, s, "claims"); r != 2 || c != 1 {
			t.Fatalf("left %d records, %d claims; want 2, 1", r, c)
		}
	})
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

// TestSweeperLogsFailure: a sweep that fails is logged, and the sweeper
// keeps running.
func TestSweeperLogsFailure(t *testing.T) {
	var buf syncBuffer
	s := openAt(t, dbPath(t), Options{SweepInterval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if _, err := s.w.Exec("DROP TABLE limit_buckets"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "sweep failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep failure logged; log: %q", buf.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSweepClaims: Sweep deletes claims whose lease or done mark ran out
// and keeps live ones.
func TestSweepClaims(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := newStore(t)
		for i := range 10 {
			name := fmt.Sprint(i)
			if st, err := s.Claim(ctx, name, "o", time.Minute); st != backend.Claimed || err != nil {
				t.Fatalf("Claim = %v, %v", st, err)
			}
			if i%2 == 0 {
				if err := s.Finish(ctx, name, "o", time.Minute); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.Claim(ctx, "live", "o", time.Hour); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		var before int
		if err := s.r.QueryRow(`SELECT count(*) FROM claims`).Scan(&before); err != nil || before != 11 {
			t.Fatalf("claims rows before the sweep: %d, %v; want 11 (expired rows stay until swept)", before, err)
		}
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := s.r.QueryRow(`SELECT count(*) FROM claims`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("claims rows after the sweep: %d, %v; want 1", left, err)
		}
		if err := s.Extend(ctx, "live", "o", time.Hour); err != nil {
			t.Fatalf("the live claim was swept: %v", err)
		}
	})
}
