package sqlite

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/fsmtest"
)

// stopRenewal stops the renewal of a held lock and leaves its lease to run
// out, as a killed holder's would.
func stopRenewal(t *testing.T, lk backend.Lock) {
	l := lk.(*Lock)
	l.once.Do(func() { close(l.stop) })
	<-l.done
}

// expireLock ends the lease of a held lock now, as if its holder had
// crashed: the renewal stops and the lease is marked expired.
func expireLock(t *testing.T, lk backend.Lock) {
	l := lk.(*Lock)
	l.once.Do(func() { close(l.stop) })
	<-l.done
	if _, err := l.s.w.Exec(`UPDATE locks SET expires_at = 0 WHERE name = ?1 AND token = ?2`, l.name, l.token); err != nil {
		t.Fatal(err)
	}
}

// TestContract runs the fsm contract tests on one Store per subtest. TTLs
// of records, marks and claims run on a fake clock (no waiting); lock
// leases run on real time, since renewal is driven by a real ticker.
func TestContract(t *testing.T) {
	t.Run("Storage", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestStorage(t, func(t *testing.T) backend.State {
			return openAt(t, dbPath(t), Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Marker", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestMarker(t, func(t *testing.T) fsm.Marker {
			return openAt(t, dbPath(t), Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Claims", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestClaims(t, func(t *testing.T) backend.Claims {
			return openAt(t, dbPath(t), Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Locker", func(t *testing.T) {
		fsmtest.TestLocker(t, func(t *testing.T) backend.Locker { return newStore(t) },
			fsmtest.Options{ExpireLock: expireLock, StopRenewal: stopRenewal})
	})
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

func (p *twoProcesses) Mark(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	return p.next().Mark(ctx, name, ttl)
}

func (p *twoProcesses) Marked(ctx context.Context, name string) (bool, error) {
	return p.next().Marked(ctx, name)
}

func (p *twoProcesses) Unmark(ctx context.Context, name string) error {
	return p.next().Unmark(ctx, name)
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

// TestContractTwoProcesses runs the contract tests with every call going
// to one of two Stores that share a file: what one writes, the other
// sees; locks, marks and claims exclude across them. TestClaimsTwoProcesses
// and TestLockDeadProcess do the same with separate OS processes.
func TestContractTwoProcesses(t *testing.T) {
	t.Run("Storage", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestStorage(t, func(t *testing.T) backend.State {
			return newTwoProcesses(t, Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Marker", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestMarker(t, func(t *testing.T) fsm.Marker {
			return newTwoProcesses(t, Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Claims", func(t *testing.T) {
		clock := newFakeClock()
		fsmtest.TestClaims(t, func(t *testing.T) backend.Claims {
			return newTwoProcesses(t, Options{SweepInterval: -1, now: clock.Now})
		}, fsmtest.Options{Sleep: clock.Advance})
	})
	t.Run("Locker", func(t *testing.T) {
		fsmtest.TestLocker(t, func(t *testing.T) backend.Locker {
			return newTwoProcesses(t, Options{SweepInterval: -1})
		}, fsmtest.Options{ExpireLock: expireLock, StopRenewal: stopRenewal})
	})
}
