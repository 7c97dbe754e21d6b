package memory

import (
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

func newTestStore(t *testing.T, opts Options) *Store {
	s := New(opts)
	t.Cleanup(func() { s.Close() })
	return s
}

func key(i int) backend.Key { return backend.Key{BotID: 1, ChatID: int64(i), UserID: int64(i)} }

// markDone claims name and finishes the claim at once: a done mark kept
// for ttl, what an idempotent action leaves behind.
func markDone(t *testing.T, s *Store, name string, ttl time.Duration) {
	t.Helper()
	if st, err := s.Claim(t.Context(), name, "marker", time.Minute); st != backend.Claimed || err != nil {
		t.Fatalf("Claim(%q) = %v, %v; want claimed", name, st, err)
	}
	if err := s.Finish(t.Context(), name, "marker", ttl); err != nil {
		t.Fatalf("Finish(%q): %v", name, err)
	}
}

// status reports where name stands by claiming it as a new owner: Done or
// Pending leave it as it is; Claimed means it was free (and is now
// pending for that owner).
func status(t *testing.T, s *Store, name string) backend.ClaimStatus {
	t.Helper()
	st, err := s.Claim(t.Context(), name, "prober", time.Minute)
	if err != nil {
		t.Fatalf("Claim(%q): %v", name, err)
	}
	return st
}
