package redis

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/backendtest"
	"github.com/heraldbot/herald/internal/testkit"
)

// The contract suites of package backend, against a real Redis: each
// subtest gets a Store for a fresh random bot on a client of its own, and
// Reopen a second Store for that bot on another client, as a second
// process would have.
func TestContract(t *testing.T) {
	testkit.NeedRedis(t)
	backendtest.Run(t, func(t *testing.T) backend.Backend { return openTest(t, newStore(t)) }, backendtest.Options{
		ExpireLock:  expireLock,
		StopRenewal: stopRenewal,
		Reopen: func(t *testing.T, b backend.Backend) backend.Backend {
			s := b.(*testBackend).Store
			return openTest(t, New(newClient(t), s.bot, s.opts))
		},
	})
}

// testBackend is a Store whose test leaves nothing behind: the records it
// writes, whatever bot their keys name, and the limiter keys of the bots
// it is asked for are deleted when the test ends.
type testBackend struct {
	*Store
	t     *testing.T
	state *tracker
}

func openTest(t *testing.T, s *Store) *testBackend {
	return &testBackend{Store: s, t: t, state: trackKeys(t, s)}
}

func (b *testBackend) State() backend.State { return b.state }

func (b *testBackend) Limits(botID int64) backend.LimitStore {
	cleanupBot(b.t, b.client, b.opts.Prefix, botID)
	return b.Store.Limits(botID)
}

// stopRenewal stops a held lock's renewal and leaves its lease to run out,
// as a killed holder's would.
func stopRenewal(t *testing.T, l backend.Lock) {
	lk := l.(*lock)
	lk.cancel()
	<-lk.done
}

// expireLock ends a held lock's lease as a crashed holder's would end: the
// renewal stops and the lease key goes (only if it is still this holder's).
func expireLock(t *testing.T, l backend.Lock) {
	lk := l.(*lock)
	lk.cancel()
	<-lk.done
	if err := releaseScript.Run(t.Context(), lk.s.client, []string{lk.key}, lk.owner).Err(); err != nil {
		t.Fatal(err)
	}
}

// trackKeys wraps s so that the records the test writes, whatever bot
// their keys name, are deleted when it ends.
func trackKeys(t *testing.T, s *Store) *tracker {
	tr := &tracker{Store: s}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tr.keys.Range(func(k, _ any) bool {
			s.Delete(ctx, k.(backend.Key))
			return true
		})
	})
	return tr
}

type tracker struct {
	*Store
	keys sync.Map // backend.Key → struct{}
}

func (tr *tracker) CompareAndSet(ctx context.Context, key backend.Key, expect int64, rec backend.Record, ttl time.Duration) (int64, error) {
	tr.keys.Store(key, struct{}{})
	return tr.Store.CompareAndSet(ctx, key, expect, rec, ttl)
}
