package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

func TestLockArguments(t *testing.T) {
	s := newTestStore(t, Options{})
	if _, err := s.Lock(t.Context(), "x", 0); err == nil {
		t.Fatal("Lock with ttl 0 succeeded")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Lock(ctx, "x", time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context: %v", err)
	}
	lk, err := s.Lock(t.Context(), "x", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().Locks; got != 1 {
		t.Fatalf("Stats().Locks = %d, want 1", got)
	}
	if err := lk.Unlock(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().Locks; got != 0 {
		t.Fatalf("Stats().Locks = %d after Unlock", got)
	}
}

// Lock tokens grow across names, and a lock released by its holder cannot
// be released again by a stale copy.
func TestLockTokensAndDoubleUnlock(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{SweepInterval: -1})
	var last int64
	for _, name := range []string{"a", "b", "a", "c", "a"} {
		l, err := s.Lock(ctx, name, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if l.Token() <= last {
			t.Fatalf("token %d after %d", l.Token(), last)
		}
		last = l.Token()
		if err := l.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if err := l.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
			t.Fatalf("second Unlock = %v, want ErrLockLost", err)
		}
	}
	if st := s.Stats(); st.Locks != 0 {
		t.Errorf("Stats = %+v", st)
	}
}
