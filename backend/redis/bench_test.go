package redis

import (
	"strconv"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

// The benchmarks measure one client against the test Redis, one call at a
// time, so they are round-trip bound. BenchmarkRedisSetBaseline (a plain
// SET) is the yardstick: compare the others to it as ratios.

func BenchmarkRedisSetBaseline(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	k := s.nameKey("bench", "set")
	val := []byte(`{"step":3,"name":"Ada"}`)
	for b.Loop() {
		if err := s.client.Set(ctx, k, val, time.Minute).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisGet(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	key := backend.Key{ChatID: 1, UserID: 1}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "form:name", Data: []byte(`{"step":3,"name":"Ada"}`)}, time.Minute); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisCompareAndSet(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	key := backend.Key{ChatID: 1, UserID: 1}
	rec := backend.Record{State: "form:name", Data: []byte(`{"step":3,"name":"Ada"}`)}
	var v int64
	for b.Loop() {
		var err error
		if v, err = s.CompareAndSet(ctx, key, v, rec, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedisClaim claims a new name per iteration: one script, the
// cost of admitting an update.
func BenchmarkRedisClaim(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if st, err := s.Claim(ctx, "update:"+strconv.Itoa(i), "o", time.Minute); err != nil || st != backend.Claimed {
			b.Fatal(st, err)
		}
	}
}

// BenchmarkRedisClaimFinish claims a new name and finishes it: an update
// handled from admission to its done mark.
func BenchmarkRedisClaimFinish(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		name := "update:" + strconv.Itoa(i)
		if st, err := s.Claim(ctx, name, "o", time.Minute); err != nil || st != backend.Claimed {
			b.Fatal(st, err)
		}
		if err := s.Finish(ctx, name, "o", time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedisBroadcastStep is one recipient of a campaign sent: Begin,
// then Finish as sent.
func BenchmarkRedisBroadcastStep(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	const chats = 100_000
	ids := make([]int64, chats)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	now := time.Now()
	c, err := s.Broadcasts().Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, ids, now)
	if err != nil {
		b.Fatal(err)
	}
	i := int64(0)
	for b.Loop() {
		chat := i%chats + 1
		i++
		if err := s.Broadcasts().Begin(ctx, c.ID, chat, now); err != nil {
			b.Fatal(err)
		}
		if err := s.Broadcasts().Finish(ctx, c.ID, backend.Recipient{Chat: chat, Status: backend.RecipientSent, MessageID: i, Attempts: 1}, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedisLockUnlock(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	for b.Loop() {
		l, err := s.Lock(ctx, "chat:1", 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Unlock(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
