package memory

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
)

func key(i int) backend.Key { return backend.Key{BotID: 1, ChatID: int64(i), UserID: int64(i)} }

func TestFullRefusesNewKeys(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{MaxKeys: 100, SweepInterval: -1})
	for i := range 100 {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{State: "s"}, 0); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	_, err := s.CompareAndSet(ctx, key(100), 0, backend.Record{State: "s"}, 0)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("101st key: %v, want ErrFull", err)
	}
	// Existing keys stay writable; a deleted key makes room.
	if _, err := s.CompareAndSet(ctx, key(5), 1, backend.Record{State: "t"}, 0); err != nil {
		t.Fatalf("rewrite of an existing key when full: %v", err)
	}
	if err := s.Delete(ctx, key(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompareAndSet(ctx, key(100), 0, backend.Record{State: "s"}, 0); err != nil {
		t.Fatalf("after a Delete: %v", err)
	}
	if got := s.Stats().Records; got != 100 {
		t.Fatalf("Stats().Records = %d, want 100", got)
	}
}

func TestFullReclaimsExpired(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{MaxKeys: 64, SweepInterval: -1, Now: clock.Now})
	// Fill the store with expiring keys, then let them expire: new keys
	// must fit again although nothing swept in the background.
	for i := range 64 {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{}, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	for i := 64; i < 128; i++ {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{}, 0); err != nil {
			t.Fatalf("key %d after the others expired: %v", i, err)
		}
	}
	if got := s.Stats().Records; got != 64 {
		t.Fatalf("Stats().Records = %d, want 64", got)
	}
}

func TestMarksBounded(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{MaxMarks: 10, SweepInterval: -1})
	for i := range 10 {
		if ok, err := s.Mark(ctx, fmt.Sprint(i), time.Hour); !ok || err != nil {
			t.Fatalf("Mark %d = %v, %v", i, ok, err)
		}
	}
	if _, err := s.Mark(ctx, "one more", time.Hour); !errors.Is(err, ErrFull) {
		t.Fatalf("11th mark: %v, want ErrFull", err)
	}
	if ok, err := s.Mark(ctx, "3", time.Hour); ok || err != nil {
		t.Fatalf("re-Mark of an existing name when full = %v, %v; want false, nil", ok, err)
	}
	if err := s.Unmark(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Mark(ctx, "one more", time.Hour); !ok || err != nil {
		t.Fatalf("Mark after Unmark made room = %v, %v", ok, err)
	}
}

func TestSweepReclaimsAndShrinks(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	s := newTestStore(t, Options{SweepInterval: -1, Now: clock.Now})
	const n = 100_000
	for i := range n {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{Data: []byte(`{}`)}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Mark(ctx, fmt.Sprint(i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CompareAndSet(ctx, key(-1), 0, backend.Record{}, 0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if got := s.sweepAll(); got != 2*n {
		t.Fatalf("sweep removed %d entries, want %d", got, 2*n)
	}
	if st := s.Stats(); st.Records != 1 || st.Marks != 0 {
		t.Fatalf("after the sweep: %+v", st)
	}
	for i := range s.shards {
		if sh := &s.shards[i]; sh.peakRecords > 1 || sh.peakMarks > 0 {
			t.Fatalf("shard %d was not rebuilt: peaks %d, %d", i, sh.peakRecords, sh.peakMarks)
		}
	}
	if rec, _ := s.Get(ctx, key(-1)); rec.Version != 1 {
		t.Fatalf("the key without TTL was swept: %+v", rec)
	}
}

func TestBackgroundSweep(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{SweepInterval: 10 * time.Millisecond})
	for i := range 100 {
		if _, err := s.CompareAndSet(ctx, key(i), 0, backend.Record{}, 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Records != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("expired records not swept: %+v", s.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCloseIsIdempotentAndStoreStaysUsable(t *testing.T) {
	s := New(Options{SweepInterval: time.Millisecond})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CompareAndSet(t.Context(), key(1), 0, backend.Record{}, 0); v != 1 || err != nil {
		t.Fatalf("CompareAndSet after Close = %d, %v", v, err)
	}
	New(Options{SweepInterval: -1}).Close() // no goroutine to stop
}

func TestLockArguments(t *testing.T) {
	s := newTestStore(t, Options{})
	if _, err := s.Lock(t.Context(), "x", 0); err == nil {
		t.Fatal("Lock with ttl 0 succeeded")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Lock(ctx, "x", time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context: %v", err)
	}
	lk, err := s.Lock(t.Context(), "x", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().Locks; got != 1 {
		t.Fatalf("Stats().Locks = %d, want 1", got)
	}
	if err := lk.Unlock(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := lk.Unlock(t.Context()); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("second Unlock: %v, want backend.ErrLockLost", err)
	}
	if got := s.Stats().Locks; got != 0 {
		t.Fatalf("Stats().Locks = %d after Unlock", got)
	}
}

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
