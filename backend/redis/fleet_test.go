package redis

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

// fleet returns n Stores for one bot, each on its own client (its own
// connection pool), like n bot processes sharing one Redis.
func fleet(t *testing.T, n int) []*Store {
	t.Helper()
	bot := randomBot()
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = New(newClient(t), bot, Options{})
	}
	cleanupBot(t, stores[0].client, DefaultPrefix, bot)
	return stores
}

// Three instances get 100 concurrent presses of one "confirm order 42"
// button: exactly one press wins the claim and exactly one wins the
// create-if-absent of the order record; every press gets an answer. Once
// the winner has finished its claim, further presses see it done.
func TestFleetConfirmOnce(t *testing.T) {
	stores := fleet(t, 3)
	ctx := testkit.Context(t)
	key := backend.Key{ChatID: 42, UserID: 42}
	const presses = 100
	var claimWins, pending, casWins, answered atomic.Int64
	var winner atomic.Value // the winning owner
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range presses {
		s := stores[i%len(stores)]
		owner := "press-" + strconv.Itoa(i)
		wg.Go(func() {
			<-start
			st, err := s.Claim(ctx, "order-42-confirmed", owner, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			switch st {
			case backend.Claimed:
				claimWins.Add(1)
				winner.Store(owner)
			case backend.Pending:
				pending.Add(1)
			default:
				t.Errorf("Claim = %v before anyone finished", st)
			}
			_, err = s.CompareAndSet(ctx, key, 0, backend.Record{State: "order:confirmed", Data: []byte(`{"order":42}`)}, time.Hour)
			switch {
			case err == nil:
				casWins.Add(1)
			case !errors.Is(err, backend.ErrConflict):
				t.Error(err)
				return
			}
			answered.Add(1)
		})
	}
	close(start)
	wg.Wait()
	if claimWins.Load() != 1 || pending.Load() != presses-1 || casWins.Load() != 1 || answered.Load() != presses {
		t.Fatalf("claim winners %d (pending %d), CAS winners %d, answered %d; want 1 (%d), 1, %d",
			claimWins.Load(), pending.Load(), casWins.Load(), answered.Load(), presses-1, presses)
	}
	owner, _ := winner.Load().(string)
	if err := stores[1].Finish(ctx, "order-42-confirmed", owner, time.Hour); err != nil {
		t.Fatalf("the winner's Finish from another instance: %v", err)
	}
	for i, s := range stores {
		if st, err := s.Claim(ctx, "order-42-confirmed", "late-"+strconv.Itoa(i), time.Minute); err != nil || st != backend.Done {
			t.Fatalf("instance %d: Claim after Finish = %v, %v; want done", i, st, err)
		}
	}
}

// Increments from three instances under CAS retry: none is lost.
func TestFleetNoLostUpdates(t *testing.T) {
	stores := fleet(t, 3)
	ctx := testkit.Context(t)
	key := backend.Key{ChatID: 1, UserID: 1}
	const n = 100
	var wg sync.WaitGroup
	for i := range n {
		s := stores[i%len(stores)]
		wg.Go(func() {
			for {
				rec, err := s.Get(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				c, _ := strconv.Atoi(string(rec.Data))
				_, err = s.CompareAndSet(ctx, key, rec.Version, backend.Record{Data: []byte(strconv.Itoa(c + 1))}, 0)
				if errors.Is(err, backend.ErrConflict) {
					continue
				}
				if err != nil {
					t.Error(err)
				}
				return
			}
		})
	}
	wg.Wait()
	rec, err := stores[0].Get(ctx, key)
	if err != nil || string(rec.Data) != strconv.Itoa(n) {
		t.Fatalf("final %q, %v; want %d", rec.Data, err, n)
	}
}

// One lock name across three instances: one holder at a time, and an
// unprotected read-modify-write in Redis under the lock loses nothing. The
// fencing tokens grow in acquisition order.
func TestFleetLockMutualExclusion(t *testing.T) {
	stores := fleet(t, 3)
	ctx := testkit.Context(t)
	counter := stores[0].nameKey("test", "counter")
	var inside atomic.Int64
	var lastToken int64 // guarded by the lock itself
	const workers, rounds = 30, 4
	var wg sync.WaitGroup
	for i := range workers {
		s := stores[i%len(stores)]
		wg.Go(func() {
			for range rounds {
				l, err := s.Lock(ctx, "chat:42", 2*time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				if inside.Add(1) != 1 {
					t.Error("two holders at once")
				}
				if l.Token() <= lastToken {
					t.Errorf("token %d after %d", l.Token(), lastToken)
				}
				lastToken = l.Token()
				v, _ := s.client.Get(ctx, counter).Int()
				s.client.Set(ctx, counter, v+1, time.Minute)
				inside.Add(-1)
				if err := l.Unlock(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if v, _ := stores[0].client.Get(ctx, counter).Int(); v != workers*rounds {
		t.Fatalf("counter = %d, want %d", v, workers*rounds)
	}
}
