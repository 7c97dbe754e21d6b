package backendtest

import (
	"math/rand/v2"
	"testing"

	"github.com/heraldbot/herald/backend"
)

// Run runs every contract suite against the engine that open returns:
// State, Locker, Claims, LimitStore and BroadcastStore, each subtest on a
// backend of its own (open may hand out fresh ones or handles on one
// shared server: the suites use names and keys of their own). open should
// register the backend's Close with t.Cleanup.
//
// The LimitStore suite needs two handles on one bot's buckets, as two
// processes would have: o.Reopen gives the second one; without it both
// handles are the same backend.
func Run(t *testing.T, open func(t *testing.T) backend.Backend, o Options) {
	t.Run("State", func(t *testing.T) {
		TestState(t, func(t *testing.T) backend.State { return open(t).State() }, o)
	})
	t.Run("Locker", func(t *testing.T) {
		TestLocker(t, func(t *testing.T) backend.Locker { return open(t).Locker() }, o)
	})
	t.Run("Claims", func(t *testing.T) {
		TestClaims(t, func(t *testing.T) backend.Claims { return open(t).Claims() }, o)
	})
	t.Run("Limits", func(t *testing.T) {
		TestLimitStore(t, func(t *testing.T) (backend.LimitStore, backend.LimitStore) {
			b := open(t)
			second := b
			if o.Reopen != nil {
				second = o.Reopen(t, b)
			}
			bot := rand.Int64N(1<<40) + 1
			return b.Limits(bot), second.Limits(bot)
		})
	})
	t.Run("Broadcasts", func(t *testing.T) {
		TestBroadcastStore(t, func(t *testing.T) backend.BroadcastStore { return open(t).Broadcasts() })
	})
	t.Run("Journal", func(t *testing.T) {
		if open(t).Journal() == nil {
			t.Skip("the engine has no journal (Backend.Journal returns nil)")
		}
		TestJournal(t, func(t *testing.T) backend.Journal { return open(t).Journal() })
	})
}
