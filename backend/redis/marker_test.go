package redis

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMark(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	ok, err := s.Mark(ctx, "update:1", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first Mark = %v, %v", ok, err)
	}
	if ok, err := s.Mark(ctx, "update:1", time.Minute); err != nil || ok {
		t.Fatalf("second Mark = %v, %v", ok, err)
	}
	k := "herald:{" + strconv.FormatInt(s.bot, 10) + "}:mark:update:1"
	if ttl := s.client.TTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL %s = %v", k, ttl)
	}
	if err := s.Unmark(ctx, "update:1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Mark(ctx, "update:1", time.Minute); err != nil || !ok {
		t.Fatalf("Mark after Unmark = %v, %v", ok, err)
	}
	if err := s.Unmark(ctx, "never-marked"); err != nil {
		t.Fatal(err)
	}

	// Expiry.
	if ok, _ := s.Mark(ctx, "short", 50*time.Millisecond); !ok {
		t.Fatal("Mark short")
	}
	time.Sleep(120 * time.Millisecond)
	if ok, _ := s.Mark(ctx, "short", time.Minute); !ok {
		t.Fatal("mark did not expire")
	}
	// ttl 0: no expiry.
	if ok, _ := s.Mark(ctx, "forever", 0); !ok {
		t.Fatal("Mark forever")
	}
	if ttl := s.client.PTTL(ctx, s.nameKey("mark", "forever")).Val(); ttl != -1 {
		t.Fatalf("PTTL of a ttl-0 mark = %v", ttl)
	}
	if _, err := s.Mark(ctx, "neg", -time.Second); err == nil {
		t.Fatal("negative ttl accepted")
	}
}

func TestMarkConcurrent(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			ok, err := s.Mark(ctx, "order-42-confirmed", time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d winners, want 1", wins.Load())
	}
}
