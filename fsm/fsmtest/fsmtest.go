// Package fsmtest holds the contract tests that every fsm.Storage,
// fsm.Locker and fsm.Marker implementation must pass. A backend's test
// calls them with a constructor:
//
//	func TestContract(t *testing.T) {
//		fsmtest.TestStorage(t, func(t *testing.T) fsm.Storage { return newStore(t) })
//		fsmtest.TestLocker(t, func(t *testing.T) fsm.Locker { return newStore(t) })
//		fsmtest.TestMarker(t, func(t *testing.T) fsm.Marker { return newStore(t) })
//	}
//
// Each subtest calls the constructor once, so it may return a fresh
// instance or a shared one: the tests use keys and names of their own
// (a random bot id and name prefix per run), so leftovers of an earlier
// run on a shared server do not matter.
//
// # Time
//
// The TTL and lease tests wait with Options.Sleep, which defaults to
// time.Sleep. On real time they use TTLs of about a second and wait about
// six seconds in all (TestStorage 2 s, TestLocker 2.5 s, TestMarker
// 1.5 s; the three may run in parallel on one backend), so the backend
// must honour TTLs to within a few hundred milliseconds. A backend with an
// injectable clock passes a Sleep that advances it; the tests then wait
// only for the lock tests' short real timeouts (about 1 s).
//
// # What the suites pin down beyond the interface comments
//
//   - Storage: an expired record counts as missing for CompareAndSet (only
//     expect 0 succeeds, and versions start again at 1, as after Delete);
//     every write sets the TTL anew (0 removes it); a record with empty
//     State and nil Data still exists (version 1); Data comes back
//     byte-for-byte (64 KiB included); of 50 concurrent creates exactly
//     one succeeds; 50 concurrent fsm.Update increments, each through its
//     own fsm.Context with default options, end at exactly 50.
//   - Locker: Lock returns an error wrapping the context's error when the
//     context ends while waiting; a released lock wakes a waiter promptly
//     (not at lease expiry); tokens increase per name; a lock is still
//     held after 2.5 times its ttl.
//   - Marker: a Mark that returns false does not extend the existing mark;
//     Unmark of an unknown name returns nil.
package fsmtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/heraldbot/herald/fsm"
)

// Options adapts the contract tests to a backend. The zero value runs
// everything on real time.
type Options struct {
	// Sleep lets d pass on the backend's clock. Nil means time.Sleep.
	Sleep func(d time.Duration)

	// ExpireLock makes the lease of a held lock run out now, as if its
	// holder had stopped renewing it (a crash or a long pause), so that
	// another caller can take the lock. The stale-holder subtest of
	// TestLocker needs it and is skipped when it is nil. A backend
	// implements it with its internals (stop the renewal and delete or
	// expire the lease).
	ExpireLock func(t *testing.T, l fsm.Lock)
}

func pick(opts []Options) Options {
	if len(opts) > 1 {
		panic("fsmtest: at most one Options")
	}
	var o Options
	if len(opts) == 1 {
		o = opts[0]
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	return o
}

// subtest is one contract test of a backend of type B.
type subtest[B any] struct {
	name string
	f    func(t *testing.T, b B, o Options)
}

// runSuite runs tests as subtests, each on a backend made by newB.
func runSuite[B any](t *testing.T, newB func(t *testing.T) B, opts []Options, tests []subtest[B]) {
	o := pick(opts)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newB(t), o) })
	}
}

// timeout bounds every wait of the tests, so that a broken backend fails
// instead of hanging.
const timeout = 10 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// uniqueKey returns a key no other test run uses: a random bot id (below
// 2^40, like real ones) and a supergroup chat id.
func uniqueKey() fsm.Key {
	return fsm.Key{BotID: rand.Int64N(1<<40) + 1, ChatID: -1001234567890, UserID: 42}
}

// uniqueName returns a lock or mark name no other test run uses.
func uniqueName(what string) string {
	return fmt.Sprintf("fsmtest:%s:%x", what, rand.Uint64())
}
