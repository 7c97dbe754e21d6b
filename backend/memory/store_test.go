package memory

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

func TestGetReturnsPrivateCopy(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{})
	data := []byte(`{"a":1}`)
	if _, err := s.CompareAndSet(ctx, key(1), 0, backend.Record{Data: data}, 0); err != nil {
		t.Fatal(err)
	}
	data[2] = 'X'
	rec, _ := s.Get(ctx, key(1))
	if string(rec.Data) != `{"a":1}` {
		t.Fatalf("the store kept the caller's slice: %s", rec.Data)
	}
	rec.Data[2] = 'Y'
	if rec, _ := s.Get(ctx, key(1)); string(rec.Data) != `{"a":1}` {
		t.Fatalf("Get returned the store's own bytes: %s", rec.Data)
	}
}

func TestShardSpread(t *testing.T) {
	s := newTestStore(t, Options{SweepInterval: -1})
	counts := map[*shard]int{}
	// Sequential private chats (chat = user) of one bot.
	for i := range 64 * 100 {
		counts[s.keyShard(key(i))]++
	}
	for sh, n := range counts {
		if n < 50 || n > 150 {
			t.Fatalf("uneven shards: one has %d of 6400 keys (shard %p)", n, sh)
		}
	}
	if len(counts) != numShards {
		t.Fatalf("%d shards used, want %d", len(counts), numShards)
	}
}

// TestBackend: the Store is the whole engine: State, Locker and Claims
// are itself, Limits keeps one store per bot on the Store's clock, and
// Broadcasts one store per Store.
func TestBackend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := newTestStore(t, Options{SweepInterval: -1})
		var b backend.Backend = s
		if b.Name() != "memory" {
			t.Errorf("Name() = %q", b.Name())
		}
		if b.State() != backend.State(s) || b.Locker() != backend.Locker(s) || b.Claims() != backend.Claims(s) {
			t.Error("State, Locker or Claims is not the Store")
		}

		if b.Limits(1) != b.Limits(1) {
			t.Error("two Limits(1) are different stores")
		}
		if b.Limits(1) == b.Limits(2) {
			t.Error("two bots share one LimitStore")
		}
		hourly := backend.Rate{Count: 1, Per: time.Hour}
		req := &backend.LimitRequest{N: 1, Chat: tg.ID(5), Buckets: []backend.LimitBucket{{Scope: backend.ScopeChat, Chat: tg.ID(5), Rate: hourly}}}
		for _, bot := range []int64{1, 2} {
			if v, err := b.Limits(bot).Take(ctx, req); err != nil || v.Wait != 0 {
				t.Fatalf("bot %d, first take: %+v, %v", bot, v, err)
			}
		}
		v, err := b.Limits(1).Take(ctx, req)
		if err != nil || v.Wait != time.Hour {
			t.Fatalf("second take: %+v, %v; want to wait an hour on the Store's (still) clock", v, err)
		}
		time.Sleep(time.Hour)
		if v, err := b.Limits(1).Take(ctx, req); err != nil || v.Wait != 0 {
			t.Fatalf("an hour later on the Store's clock: %+v, %v", v, err)
		}

		if b.Broadcasts() != b.Broadcasts() {
			t.Error("two Broadcasts() are different stores")
		}
		c, err := b.Broadcasts().Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got, err := b.Broadcasts().Campaign(ctx, c.ID); err != nil || got.Total != 1 {
			t.Fatalf("campaign from a second Broadcasts(): %+v, %v", got, err)
		}
		if other := newTestStore(t, Options{SweepInterval: -1}); other.Broadcasts() == b.Broadcasts() {
			t.Error("two Stores share one broadcast store")
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
