package sqlite

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
)

func mustLock(t *testing.T, s *Store, name string, ttl time.Duration) *Lock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := s.Lock(ctx, name, ttl)
	if err != nil {
		t.Fatalf("Lock(%q): %v", name, err)
	}
	return l.(*Lock)
}

func TestLockWaitHonoursContext(t *testing.T) {
	s := newStore(t)
	l := mustLock(t, s, "chat:1", time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, "chat:1", time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock on a held name: %v, want DeadlineExceeded", err)
	}
	other := mustLock(t, s, "chat:2", time.Second) // other names are free
	if err := other.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(context.Background()); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("second Unlock: %v, want ErrLockLost", err)
	}
	if _, err := s.Lock(context.Background(), "x", 0); err == nil {
		t.Fatal("ttl 0 accepted")
	}
}

// TestLockWakesLocalWaiter: a waiter in the same process gets the lock as
// soon as it is released, not at its next poll (up to lockPoll.Max later).
// Timing-based, so it takes the best of a few rounds.
func TestLockWakesLocalWaiter(t *testing.T) {
	s := newStore(t)
	best := time.Hour
	for range 5 {
		l := mustLock(t, s, "chat:1", time.Second)
		got := make(chan time.Time, 1)
		go func() {
			l2 := mustLock(t, s, "chat:1", time.Second)
			got <- time.Now()
			l2.Unlock(context.Background())
		}()
		time.Sleep(200 * time.Millisecond) // the waiter backs off to lockPoll.Max
		released := time.Now()
		if err := l.Unlock(context.Background()); err != nil {
			t.Fatal(err)
		}
		best = min(best, (<-got).Sub(released))
	}
	if best > lockPoll.Max/4 {
		t.Errorf("the waiter took at best %v after release", best)
	}
}

// TestLockRenewal: a lock held for several ttls stays held.
func TestLockRenewal(t *testing.T) {
	path := dbPath(t)
	a, b := openAt(t, path, Options{SweepInterval: -1}), openAt(t, path, Options{SweepInterval: -1})
	l := mustLock(t, a, "chat:1", 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx, "chat:1", time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while renewed: %v, want DeadlineExceeded", err)
	}
	select {
	case <-l.Lost():
		t.Fatal("lease reported lost")
	default:
	}
	if err := l.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestLockExpiry: a holder that stops renewing (crashed, or paused) loses
// the lock after ttl; the next holder gets a greater token and the old
// holder's Unlock reports ErrLockLost and leaves the new lock alone.
func TestLockExpiry(t *testing.T) {
	path := dbPath(t)
	a, b := openAt(t, path, Options{SweepInterval: -1}), openAt(t, path, Options{SweepInterval: -1})
	old := mustLock(t, a, "chat:1", 100*time.Millisecond)
	old.stopRenewal() // simulate a crash: renewal stops

	start := time.Now()
	l := mustLock(t, b, "chat:1", time.Second)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v to take an expired lock", d)
	}
	if l.Token() <= old.Token() {
		t.Fatalf("token %d after %d", l.Token(), old.Token())
	}
	if err := old.Unlock(context.Background()); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("stale Unlock: %v, want ErrLockLost", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Lock(ctx, "chat:1", time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stale Unlock released the new holder's lock: %v", err)
	}
	if err := l.Unlock(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestLockLost: a renewal that finds the lease taken closes Lost.
func TestLockLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStore(t)
		l := mustLock(t, s, "chat:1", 30*time.Millisecond)
		// The holder stalled past its lease, which ended before the next
		// renewal.
		if _, err := s.w.Exec(`UPDATE locks SET expires_at = 0 WHERE name = ?1`, "chat:1"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-l.Lost():
		case <-time.After(5 * time.Second):
			t.Fatal("Lost not closed")
		}
		l2 := mustLock(t, s, "chat:1", time.Hour)
		if err := l.Unlock(context.Background()); !errors.Is(err, backend.ErrLockLost) {
			t.Fatalf("Unlock of a lost lock: %v", err)
		}
		l2.Unlock(context.Background())
	})
}

// TestLockTokensSurviveSweep: tokens keep increasing after released and
// expired lock rows are swept, and across a restart.
func TestLockTokensSurviveSweep(t *testing.T) {
	path := dbPath(t)
	s, err := Open(context.Background(), path, Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLock(t, s, "chat:1", time.Millisecond*50)
	first := l.Token()
	l.stopRenewal()
	time.Sleep(60 * time.Millisecond)
	if n, err := s.Sweep(context.Background()); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 expired lock", n, err)
	}
	s.Close()
	s = openAt(t, path, Options{SweepInterval: -1})
	l2 := mustLock(t, s, "chat:1", time.Second)
	if l2.Token() <= first {
		t.Fatalf("token %d after %d", l2.Token(), first)
	}
	l2.Unlock(context.Background())
}

func TestLockAfterClose(t *testing.T) {
	s, err := Open(context.Background(), dbPath(t), Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLock(t, s, "chat:1", time.Second)
	if err := s.Close(); err != nil {
		t.Fatal(err) // renewal goroutine stopped
	}
	if _, err := s.Lock(context.Background(), "chat:2", time.Second); err == nil {
		t.Fatal("Lock on a closed store succeeded")
	}
	if err := l.Unlock(context.Background()); err == nil {
		t.Fatal("Unlock on a closed store succeeded")
	}
}
