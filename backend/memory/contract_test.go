package memory_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/backend/memory"
)

// expireLock ends a memory lock's lease for backendtest's stale-holder
// test.
func expireLock(t *testing.T, l backend.Lock) {
	if !memory.ExpireLock(l) {
		t.Fatalf("%T is not a held memory lock", l)
	}
}

func open(t *testing.T, opts memory.Options) *memory.Store {
	s := memory.New(opts)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestContract runs every contract suite, the TTL and lease tests in
// synctest bubbles (with the background sweep on), so that they do not
// wait for TTLs. A memory Store is one process's: there is no second
// handle on its data, so the LimitStore suite gets the same store twice.
func TestContract(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return open(t, memory.Options{SweepInterval: 100 * time.Millisecond})
	}, backendtest.Options{Synctest: true, ExpireLock: expireLock})
}

// TestContractRealTime runs the TTL-dependent suites again on the real
// clock, with a fast background sweep, to check the default wiring. One
// shared store serves all subtests, as a server would; the suites wait in
// parallel to keep the package fast.
func TestContractRealTime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real TTLs; skipped with -short")
	}
	t.Parallel()
	s := open(t, memory.Options{SweepInterval: 100 * time.Millisecond})
	opts := backendtest.Options{ExpireLock: expireLock}
	t.Run("State", func(t *testing.T) {
		t.Parallel()
		backendtest.TestState(t, func(*testing.T) backend.State { return s.State() }, opts)
	})
	t.Run("Locker", func(t *testing.T) {
		t.Parallel()
		backendtest.TestLocker(t, func(*testing.T) backend.Locker { return s.Locker() }, opts)
	})
	t.Run("Claims", func(t *testing.T) {
		t.Parallel()
		backendtest.TestClaims(t, func(*testing.T) backend.Claims { return s.Claims() }, opts)
	})
}

// TestLimitStoreContract runs the LimitStore suite on a LimitStore made on
// its own, as package limit makes its default one.
func TestLimitStoreContract(t *testing.T) {
	backendtest.TestLimitStore(t, func(*testing.T) (backend.LimitStore, backend.LimitStore) {
		s := memory.NewLimitStore()
		return s, s
	})
}

// TestBroadcastsContract runs the BroadcastStore suite on a broadcast store
// made on its own, as tests and examples of package broadcast make theirs.
func TestBroadcastsContract(t *testing.T) {
	backendtest.TestBroadcastStore(t, func(*testing.T) backend.BroadcastStore { return memory.NewBroadcasts() })
}

// TestJournalContract runs the Journal suite on memory journals, in
// synctest bubbles (the lease and wait tests then take no real time).
func TestJournalContract(t *testing.T) {
	backendtest.TestJournal(t, func(*testing.T) backend.Journal { return memory.NewJournal(4) },
		backendtest.Options{Synctest: true})
}
