package redis

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/fsm/fsmtest"
)

// The shared contract tests of fsm, against a real Redis. The suites
// mostly wait for TTLs, so they run in parallel.
func TestContract(t *testing.T) {
	opts := fsmtest.Options{ExpireLock: expireLock, StopRenewal: stopRenewal}
	t.Run("Storage", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestStorage(t, func(t *testing.T) backend.State { return trackKeys(t, newStore(t)) }, opts)
	})
	t.Run("Locker", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestLocker(t, func(t *testing.T) backend.Locker { return newStore(t) }, opts)
	})
	t.Run("Marker", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestMarker(t, func(t *testing.T) fsm.Marker { return newStore(t) }, opts)
	})
	t.Run("Claims", func(t *testing.T) {
		t.Parallel()
		fsmtest.TestClaims(t, func(t *testing.T) backend.Claims { return newStore(t) }, opts)
	})
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
func trackKeys(t *testing.T, s *Store) backend.State {
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
