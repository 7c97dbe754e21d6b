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

func BenchmarkRedisMark(b *testing.B) {
	s := newStore(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if ok, err := s.Mark(ctx, "update:"+strconv.Itoa(i), time.Minute); err != nil || !ok {
			b.Fatal(ok, err)
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
