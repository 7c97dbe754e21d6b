package redis

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
)

func TestStorageRoundTrip(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	key := backend.Key{ChatID: 7, UserID: 8}

	rec, err := s.Get(ctx, key)
	if err != nil || rec.Version != 0 || rec.State != "" || rec.Data != nil {
		t.Fatalf("Get of a new key = %+v, %v; want zero record", rec, err)
	}
	v, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "form:name", Data: []byte(`{"a":1}`)}, 0)
	if err != nil || v != 1 {
		t.Fatalf("first CompareAndSet = %d, %v; want 1", v, err)
	}
	rec, err = s.Get(ctx, key)
	if err != nil || rec.Version != 1 || rec.State != "form:name" || string(rec.Data) != `{"a":1}` {
		t.Fatalf("Get = %+v, %v", rec, err)
	}

	// Wrong versions change nothing.
	for _, expect := range []int64{0, 2, 99} {
		if _, err := s.CompareAndSet(ctx, key, expect, backend.Record{State: "x"}, 0); !errors.Is(err, backend.ErrConflict) {
			t.Fatalf("CompareAndSet(expect %d) = %v, want ErrConflict", expect, err)
		}
	}
	if rec, _ := s.Get(ctx, key); rec.State != "form:name" || rec.Version != 1 {
		t.Fatalf("after conflicts Get = %+v", rec)
	}

	// nil data stays nil; empty data stays empty.
	if v, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "s2"}, 0); err != nil || v != 2 {
		t.Fatalf("CompareAndSet(1) = %d, %v", v, err)
	}
	if rec, _ := s.Get(ctx, key); rec.Data != nil || rec.State != "s2" || rec.Version != 2 {
		t.Fatalf("Get after nil data = %+v", rec)
	}
	if _, err := s.CompareAndSet(ctx, key, 2, backend.Record{Data: []byte{}}, 0); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Get(ctx, key); rec.Data == nil || len(rec.Data) != 0 || rec.State != "" || rec.Version != 3 {
		t.Fatalf("Get after empty data = %+v", rec)
	}
	// Binary data survives.
	bin := []byte{0, 1, 2, 255, '\n', 0}
	if _, err := s.CompareAndSet(ctx, key, 3, backend.Record{State: "b", Data: bin}, 0); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Get(ctx, key); !bytes.Equal(rec.Data, bin) {
		t.Fatalf("binary data = %q", rec.Data)
	}

	// Delete, and a fresh start at version 1.
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if rec, err := s.Get(ctx, key); err != nil || rec.Version != 0 {
		t.Fatalf("Get after Delete = %+v, %v", rec, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if _, err := s.CompareAndSet(ctx, key, 4, backend.Record{}, 0); !errors.Is(err, backend.ErrConflict) {
		t.Fatalf("CompareAndSet(4) after Delete = %v, want ErrConflict", err)
	}
	if v, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "again"}, 0); err != nil || v != 1 {
		t.Fatalf("CompareAndSet(0) after Delete = %d, %v", v, err)
	}
}

func TestStorageKeysAreSeparate(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	keys := []backend.Key{
		{ChatID: 1, UserID: 1},
		{ChatID: 1, UserID: 2},
		{ChatID: 2, UserID: 1},
		{ChatID: 1, UserID: 1, ThreadID: 5},
		{ChatID: -100123, UserID: 0},
		{BotID: s.bot, ChatID: 9}, // same as BotID 0
	}
	for i, k := range keys {
		if _, err := s.CompareAndSet(ctx, k, 0, backend.Record{State: strconv.Itoa(i)}, 0); err != nil {
			t.Fatalf("key %v: %v", k, err)
		}
	}
	for i, k := range keys {
		rec, err := s.Get(ctx, k)
		if err != nil || rec.State != strconv.Itoa(i) || rec.Version != 1 {
			t.Fatalf("key %v: %+v, %v", k, rec, err)
		}
	}
	if rec, _ := s.Get(ctx, backend.Key{ChatID: 9}); rec.State != "5" {
		t.Fatalf("BotID 0 and the store's bot differ: %+v", rec)
	}
}

// The documented key layout, checked in Redis itself.
func TestStorageKeyLayout(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	bot := strconv.FormatInt(s.bot, 10)
	if _, err := s.CompareAndSet(ctx, backend.Key{ChatID: -100, UserID: 5, ThreadID: 3}, 0, backend.Record{State: "st", Data: []byte("d")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	k := "herald:{" + bot + "}:fsm:-100:5:3"
	h, err := s.client.HGetAll(ctx, k).Result()
	if err != nil || h["s"] != "st" || h["d"] != "d" || h["v"] != "1" || len(h) != 3 {
		t.Fatalf("HGETALL %s = %v, %v", k, h, err)
	}
	if ttl := s.client.PTTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL %s = %v", k, ttl)
	}

	// Another bot's key goes under that bot's hash tag.
	other := randomBot()
	cleanupBot(t, s.client, DefaultPrefix, other)
	if _, err := s.CompareAndSet(ctx, backend.Key{BotID: other, ChatID: 1, UserID: 1}, 0, backend.Record{State: "o"}, 0); err != nil {
		t.Fatal(err)
	}
	if n := s.client.Exists(ctx, "herald:{"+strconv.FormatInt(other, 10)+"}:fsm:1:1:0").Val(); n != 1 {
		t.Fatal("key of another bot not under its own hash tag")
	}

	// A custom prefix.
	p := New(s.client, s.bot, Options{Prefix: "hx"})
	cleanupBot(t, s.client, "hx", s.bot)
	if _, err := p.CompareAndSet(ctx, backend.Key{ChatID: 1}, 0, backend.Record{State: "p"}, 0); err != nil {
		t.Fatal(err)
	}
	if n := s.client.Exists(ctx, "hx:{"+bot+"}:fsm:1:0:0").Val(); n != 1 {
		t.Fatal("prefix not applied")
	}
}

func TestStorageTTL(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	key := backend.Key{ChatID: 1, UserID: 1}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "short"}, 80*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Get(ctx, key); rec.Version != 1 {
		t.Fatalf("before expiry: %+v", rec)
	}
	time.Sleep(200 * time.Millisecond)
	if rec, err := s.Get(ctx, key); err != nil || rec.Version != 0 {
		t.Fatalf("after expiry: %+v, %v", rec, err)
	}
	// Expired means version 0 again.
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "long"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	// A write without ttl makes the record permanent.
	if _, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "forever"}, 0); err != nil {
		t.Fatal(err)
	}
	if ttl := s.client.PTTL(ctx, s.recordKey(key)).Val(); ttl != -1 {
		t.Fatalf("PTTL after ttl 0 = %v, want -1 (no expiry)", ttl)
	}
	// Sub-millisecond ttl rounds up instead of meaning "for ever".
	k2 := backend.Key{ChatID: 2}
	if _, err := s.CompareAndSet(ctx, k2, 0, backend.Record{State: "tiny"}, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if rec, _ := s.Get(ctx, k2); rec.Version != 0 {
		t.Fatalf("1µs ttl did not expire: %+v", rec)
	}
	if _, err := s.CompareAndSet(ctx, k2, 0, backend.Record{}, -time.Second); err == nil {
		t.Fatal("negative ttl accepted")
	}
}

func TestStorageCorrupt(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	key := backend.Key{ChatID: 3, UserID: 3}
	k := s.recordKey(key)
	cases := map[string]func() error{
		"string value": func() error { return s.client.Set(ctx, k, "junk", 0).Err() },
		"list value":   func() error { return s.client.RPush(ctx, k, "a").Err() },
		"bad version":  func() error { return s.client.HSet(ctx, k, "s", "x", "v", "abc").Err() },
		"zero version": func() error { return s.client.HSet(ctx, k, "s", "x", "v", "0").Err() },
		"no version":   func() error { return s.client.HSet(ctx, k, "s", "x").Err() },
	}
	for name, corrupt := range cases {
		t.Run(name, func(t *testing.T) {
			if err := corrupt(); err != nil {
				t.Fatal(err)
			}
			_, err := s.Get(ctx, key)
			if !errors.Is(err, backend.ErrCorrupt) || !strings.Contains(err.Error(), k) {
				t.Fatalf("Get = %v, want ErrCorrupt naming %s", err, k)
			}
			if name != "zero version" { // "0" parses: a CAS would see a conflict or an overwrite
				if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "y"}, 0); !errors.Is(err, backend.ErrCorrupt) {
					t.Fatalf("CompareAndSet = %v, want ErrCorrupt", err)
				}
			}
			// Delete resets it.
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if v, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "ok"}, 0); err != nil || v != 1 {
				t.Fatalf("after reset: %d, %v", v, err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// 50 concurrent read-modify-write increments with retry on conflict: none
// is lost.
func TestStorageNoLostUpdates(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	key := backend.Key{ChatID: 42, UserID: 42}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			for {
				rec, err := s.Get(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				cnt, _ := strconv.Atoi(string(rec.Data))
				_, err = s.CompareAndSet(ctx, key, rec.Version, backend.Record{State: "count", Data: []byte(strconv.Itoa(cnt + 1))}, time.Minute)
				if errors.Is(err, backend.ErrConflict) {
					continue
				}
				if err != nil {
					errs <- err
				}
				return
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rec, err := s.Get(ctx, key)
	if err != nil || string(rec.Data) != strconv.Itoa(n) || rec.Version != n {
		t.Fatalf("final = %+v (%s), %v; want %d", rec, rec.Data, err, n)
	}
}

func TestStorageContextCanceled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, backend.Key{ChatID: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v, want context.Canceled", err)
	}
	if _, err := s.CompareAndSet(ctx, backend.Key{ChatID: 1}, 0, backend.Record{}, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("CompareAndSet = %v, want context.Canceled", err)
	}
}

// Records far larger than any conversation (8 MiB of data, a long state)
// round-trip byte for byte.
func TestStorageLargeRecord(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	data := bytes.Repeat([]byte(`{"k":"\u00e9\x00"}`), 8<<20/16)
	state := strings.Repeat("s", 64<<10)
	key := backend.Key{ChatID: 9}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: state, Data: data}, time.Minute); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != state || !bytes.Equal(rec.Data, data) || rec.Version != 1 {
		t.Fatalf("large record came back different: state %d bytes, data %d bytes, version %d", len(rec.State), len(rec.Data), rec.Version)
	}
	// Empty but present data stays distinct from nil data.
	if _, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "e", Data: []byte{}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.Get(ctx, key); rec.Data == nil || len(rec.Data) != 0 {
		t.Errorf("empty data came back as %#v", rec.Data)
	}
}
