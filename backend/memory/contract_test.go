package memory

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/fsmtest"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestStore(t *testing.T, opts Options) *Store {
	s := New(opts)
	t.Cleanup(func() { s.Close() })
	return s
}

// expireLockHook ends a memory lock's lease for fsmtest's stale-holder test.
func expireLockHook(t *testing.T, l backend.Lock) {
	ml, ok := l.(*lock)
	if !ok {
		t.Fatalf("%T is not a memory lock", l)
	}
	ml.release()
}

// TestContract runs the contract suite on a fake clock, so it does not
// wait for TTLs.
func TestContract(t *testing.T) {
	clock := newFakeClock()
	opts := fsmtest.Options{Sleep: clock.Advance, ExpireLock: expireLockHook}
	newStore := func(t *testing.T) *Store { return newTestStore(t, Options{Now: clock.Now}) }
	t.Run("Storage", func(t *testing.T) {
		fsmtest.TestStorage(t, func(t *testing.T) backend.State { return newStore(t) }, opts)
	})
	t.Run("Locker", func(t *testing.T) {
		fsmtest.TestLocker(t, func(t *testing.T) backend.Locker { return newStore(t) }, opts)
	})
	t.Run("Marker", func(t *testing.T) {
		fsmtest.TestMarker(t, func(t *testing.T) fsm.Marker { return newStore(t) }, opts)
	})
	t.Run("Claims", func(t *testing.T) {
		fsmtest.TestClaims(t, func(t *testing.T) backend.Claims { return newStore(t) }, opts)
	})
}

// TestContractRealTime runs the TTL-dependent parts again on the real
// clock, with a fast background sweep, to check the default wiring. One
// shared store serves all subtests, as a server would.
func TestContractRealTime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real TTLs; skipped with -short")
	}
	t.Parallel()
	s := newTestStore(t, Options{SweepInterval: 100 * time.Millisecond})
	opts := fsmtest.Options{ExpireLock: expireLockHook}
	// The suites wait in parallel to keep the package fast.
	t.Run("Storage", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestStorage(t, func(*testing.T) backend.State { return s }, opts)
	})
	t.Run("Locker", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestLocker(t, func(*testing.T) backend.Locker { return s }, opts)
	})
	t.Run("Marker", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestMarker(t, func(*testing.T) fsm.Marker { return s }, opts)
	})
	t.Run("Claims", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestClaims(t, func(*testing.T) backend.Claims { return s }, opts)
	})
}
