package backendtest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
)

// Options adapts the contract tests to a backend. The zero value runs
// everything on real time.
type Options struct {
	// Synctest runs each State, Locker and Claims test in a
	// testing/synctest bubble, where time is fake: the TTL and lease tests
	// then take no real time. The backend is opened inside the bubble (the
	// constructor is called there and its t.Cleanup runs there), so its
	// goroutines belong to the bubble and must have ended when the test
	// does; a backend that talks to a server cannot run in a bubble.
	Synctest bool

	// ExpireLock makes the lease of a held lock run out now, as if its
	// holder had stopped renewing it (a crash or a long pause), so that
	// another caller can take the lock. The stale-holder subtest of
	// TestLocker needs it and is skipped when it is nil. A backend
	// implements it with its internals (stop the renewal and delete or
	// expire the lease).
	ExpireLock func(t *testing.T, l backend.Lock)

	// StopRenewal stops the renewal of a held lock without ending its
	// lease, as if its holder had been killed (SIGKILL): the lease then
	// runs out by itself, at most its ttl later. The dead-holder subtest
	// of TestLocker needs it and is skipped when it is nil (a Locker
	// whose leases never run out, such as an in-process one, leaves it
	// nil).
	StopRenewal func(t *testing.T, l backend.Lock)

	// Reopen returns a second handle on the data of b (a second client of
	// the same server or file, as another process would open), for the
	// suites that check two handles agree (Run's LimitStore suite). Nil
	// means b itself.
	Reopen func(t *testing.T, b backend.Backend) backend.Backend
}

func pick(opts []Options) Options {
	if len(opts) > 1 {
		panic("backendtest: at most one Options")
	}
	var o Options
	if len(opts) == 1 {
		o = opts[0]
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
		t.Run(tc.name, func(t *testing.T) {
			if o.Synctest {
				synctest.Test(t, func(t *testing.T) { tc.f(t, newB(t), o) })
				return
			}
			tc.f(t, newB(t), o)
		})
	}
}

// uniqueKey returns a key no other test run uses: a random bot id (below
// 2^40, like real ones) and a supergroup chat id.
func uniqueKey() fsm.Key {
	return fsm.Key{BotID: rand.Int64N(1<<40) + 1, ChatID: -1001234567890, UserID: 42}
}

// uniqueName returns a lock, mark or claim name no other test run uses.
func uniqueName(what string) string {
	return fmt.Sprintf("backendtest:%s:%x", what, rand.Uint64())
}
