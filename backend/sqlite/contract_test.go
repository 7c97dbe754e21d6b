package sqlite

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
)

// stopRenewal stops the renewal of a held lock and leaves its lease to run
// out, as a killed holder's would.
func stopRenewal(t *testing.T, lk backend.Lock) {
	l := lk.(*Lock)
	l.stopRenewal()
}

// expireLock ends the lease of a held lock now, as if its holder had
// crashed: the renewal stops and the lease is marked expired.
func expireLock(t *testing.T, lk backend.Lock) {
	l := lk.(*Lock)
	l.stopRenewal()
	if _, err := l.s.w.Exec(`UPDATE locks SET expires_at = 0 WHERE name = ?1 AND token = ?2`, l.name, l.token); err != nil {
		t.Fatal(err)
	}
}

// reopen opens a second Store on b's file, as another process would.
func reopen(t *testing.T, b backend.Backend) backend.Backend {
	s := b.(*Store)
	return openAt(t, s.Path(), s.opts)
}

// limitPair returns the LimitStores of one new bot in two Stores that share
// a file, as two processes would have.
func limitPair(t *testing.T, opts Options) (backend.LimitStore, backend.LimitStore) {
	path := dbPath(t)
	bot := rand.Int64N(1<<40) + 1
	return openAt(t, path, opts).Limits(bot), openAt(t, path, opts).Limits(bot)
}

// TestContract runs the contract suites on one Store per subtest. The
// State, Claims and Locker tests run in synctest bubbles, so that TTLs
// and leases take no real time. The LimitStore suite gets two
// LimitStores of one bot from one Store.
func TestContract(t *testing.T) {
	bubble := backendtest.Options{Synctest: true, ExpireLock: expireLock, StopRenewal: stopRenewal}
	t.Run("State", func(t *testing.T) {
		t.Parallel()
		backendtest.TestState(t, func(t *testing.T) backend.State { return newStore(t).State() }, bubble)
	})
	t.Run("Claims", func(t *testing.T) {
		t.Parallel()
		backendtest.TestClaims(t, func(t *testing.T) backend.Claims { return newStore(t).Claims() }, bubble)
	})
	t.Run("Locker", func(t *testing.T) {
		t.Parallel()
		backendtest.TestLocker(t, func(t *testing.T) backend.Locker { return newStore(t).Locker() }, bubble)
	})
	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		backendtest.TestLimitStore(t, func(t *testing.T) (backend.LimitStore, backend.LimitStore) {
			s, bot := newStore(t), rand.Int64N(1<<40)+1
			return s.Limits(bot), s.Limits(bot)
		})
	})
	t.Run("Broadcasts", func(t *testing.T) {
		t.Parallel()
		backendtest.TestBroadcastStore(t, func(t *testing.T) backend.BroadcastStore { return newStore(t).Broadcasts() })
	})
}

// TestContractRealTime runs the whole suite through backendtest.Run on
// the real clock, with the background sweeper on, as a bot opens the file;
// the LimitStore suite's second handle is a second Store on the file
// (Options.Reopen).
func TestContractRealTime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real TTLs; skipped with -short")
	}
	t.Parallel()
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return openAt(t, dbPath(t), Options{SweepInterval: 50 * time.Millisecond})
	}, backendtest.Options{ExpireLock: expireLock, StopRenewal: stopRenewal, Reopen: reopen})
}

// twoProcesses spreads calls round robin over two Stores on one file, as
// two bot processes sharing it would.
type twoProcesses struct {
	s [2]*Store
	n atomic.Uint32
}

func newTwoProcesses(t *testing.T, opts Options) *twoProcesses {
	path := dbPath(t)
	return &twoProcesses{s: [2]*Store{openAt(t, path, opts), openAt(t, path, opts)}}
}

func (p *twoProcesses) next() *Store { return p.s[p.n.Add(1)%2] }

func (p *twoProcesses) Get(ctx context.Context, k backend.Key) (backend.Record, error) {
	return p.next().Get(ctx, k)
}

func (p *twoProcesses) CompareAndSet(ctx context.Context, k backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	return p.next().CompareAndSet(ctx, k, expect, rec, ttl)
}

func (p *twoProcesses) Delete(ctx context.Context, k backend.Key) error {
	return p.next().Delete(ctx, k)
}

func (p *twoProcesses) Lock(ctx context.Context, name string, ttl time.Duration) (backend.Lock, error) {
	return p.next().Lock(ctx, name, ttl)
}

func (p *twoProcesses) Claim(ctx context.Context, name, owner string, lease time.Duration) (backend.ClaimStatus, error) {
	return p.next().Claim(ctx, name, owner, lease)
}

func (p *twoProcesses) Extend(ctx context.Context, name, owner string, lease time.Duration) error {
	return p.next().Extend(ctx, name, owner, lease)
}

func (p *twoProcesses) Finish(ctx context.Context, name, owner string, ttl time.Duration) error {
	return p.next().Finish(ctx, name, owner, ttl)
}

func (p *twoProcesses) Release(ctx context.Context, name, owner string) error {
	return p.next().Release(ctx, name, owner)
}

// TestContractTwoProcesses runs the contract suites with every call going
// to one of two Stores that share a file: what one writes, the other
// sees; locks and claims exclude across them, and the limiter's buckets
// and pauses are shared. The process tests (process_test.go) do the same
// with separate OS processes.
func TestContractTwoProcesses(t *testing.T) {
	bubble := backendtest.Options{Synctest: true, ExpireLock: expireLock, StopRenewal: stopRenewal}
	t.Run("State", func(t *testing.T) {
		t.Parallel()
		backendtest.TestState(t, func(t *testing.T) backend.State {
			return newTwoProcesses(t, Options{SweepInterval: -1})
		}, bubble)
	})
	t.Run("Claims", func(t *testing.T) {
		t.Parallel()
		backendtest.TestClaims(t, func(t *testing.T) backend.Claims {
			return newTwoProcesses(t, Options{SweepInterval: -1})
		}, bubble)
	})
	t.Run("Locker", func(t *testing.T) {
		t.Parallel()
		backendtest.TestLocker(t, func(t *testing.T) backend.Locker {
			return newTwoProcesses(t, Options{SweepInterval: -1})
		}, bubble)
	})
	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		backendtest.TestLimitStore(t, func(t *testing.T) (backend.LimitStore, backend.LimitStore) {
			return limitPair(t, Options{SweepInterval: -1})
		})
	})
}
