package sqlite

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// dbPath is a fresh database file name in the test's temp dir.
func dbPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "herald.db")
}

// openAt opens path and closes the store when the test ends.
func openAt(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newStore opens a fresh file-backed store with the sweeper off.
func newStore(t testing.TB) *Store {
	return openAt(t, dbPath(t), Options{SweepInterval: -1})
}

// markDone claims name and finishes the claim at once: a done mark kept
// for ttl, what a handled update or an idempotent action leaves behind.
func markDone(t testing.TB, s *Store, name string, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	if st, err := s.Claim(ctx, name, "marker", time.Minute); st != backend.Claimed || err != nil {
		t.Fatalf("Claim(%q) = %v, %v; want claimed", name, st, err)
	}
	if err := s.Finish(ctx, name, "marker", ttl); err != nil {
		t.Fatalf("Finish(%q): %v", name, err)
	}
}

// wantClaim claims name as a new owner and checks the outcome.
func wantClaim(t testing.TB, s *Store, name string, want backend.ClaimStatus) {
	t.Helper()
	st, err := s.Claim(context.Background(), name, "prober", time.Minute)
	if err != nil || st != want {
		t.Fatalf("Claim(%q) = %v, %v; want %v", name, st, err, want)
	}
}

// syncBuffer is a bytes.Buffer for a logger written from goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
