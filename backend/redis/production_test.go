package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// Every key the Store and the LimiterStore write is under
// "herald:{<bot>}:", and every one of them expires, except the fencing
// counter and what was written with ttl 0 on purpose.
func TestEveryKeyUnderTheBotAndExpiring(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	base := fmt.Sprintf("herald:{%d}:", s.BotID())
	if s.base != base {
		t.Fatalf("base %q, want %q", s.base, base)
	}
	if _, err := s.CompareAndSet(ctx, backend.Key{ChatID: -100, UserID: 5, ThreadID: 3}, 0, backend.Record{State: "a", Data: []byte("{}")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mark(ctx, "update:1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mark(ctx, "sub-ms", 300*time.Microsecond); err != nil { // rounded up, not "no expiry"
		t.Fatal(err)
	}
	held, err := s.Lock(ctx, "chat:-100", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock(ctx)
	l, err := s.Lock(ctx, "gone", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	ls := NewLimiterStore(s.client, s.BotID(), Options{})
	if _, err := ls.Take(ctx, &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{
		{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 30, Per: time.Second}},
		{Scope: backend.ScopeChat, Chat: tg.ID(-100), Rate: backend.Rate{Count: 1, Per: time.Second}},
		// limit hands usernames over in lower case
		{Scope: backend.ScopeGroup, Chat: tg.Username("@somechan"), Rate: backend.Rate{Count: 20, Per: time.Minute}},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := ls.Pause(ctx, tg.ChatID{}, 1500*time.Millisecond); err != nil { // 1.5 ms expired before KEYS on a loaded machine
		t.Fatal(err)
	}

	keys, err := s.client.Keys(ctx, fmt.Sprintf("*%d*", s.BotID())).Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		base + "fsm:-100:5:3":          true,
		base + "mark:update:1":         true,
		base + "lock:chat:-100":        true,
		base + "fence":                 false, // must outlive every lock: no expiry
		base + "limit:global":          true,
		base + "limit:chat:-100":       true,
		base + "limit:group:@somechan": true,
		base + "limit:pause":           true,
		base + "mark:sub-ms":           true, // may already be gone
		base + "lock:gone":             true, // must be gone
	}
	for _, k := range keys {
		expires, ok := want[k]
		if !ok {
			t.Errorf("unexpected key %q", k)
			continue
		}
		if k == base+"lock:gone" {
			t.Errorf("released lock still in Redis")
		}
		ttl := s.client.PTTL(ctx, k).Val()
		if expires && ttl == -1*time.Nanosecond { // -2: expired meanwhile
			t.Errorf("key %q has no expiry (PTTL %v)", k, ttl)
		}
		if !expires && ttl != -1*time.Nanosecond {
			t.Errorf("key %q expires (PTTL %v)", k, ttl)
		}
	}
	if len(keys) < 8 {
		t.Errorf("keys %q: some were not written", keys)
	}
}

// BotID and keys of another bot: a record keyed for bot B by the Store of
// bot A lives under B's hash tag.
func TestRecordOfAnotherBot(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	other := randomBot()
	cleanupBot(t, s.client, DefaultPrefix, other)
	key := backend.Key{BotID: other, ChatID: 1, UserID: 1}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "x"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := s.client.Exists(ctx, fmt.Sprintf("herald:{%d}:fsm:1:1:0", other)).Val(); n != 1 {
		t.Fatal("record of another bot not under that bot's hash tag")
	}
	if s.BotID() == other {
		t.Fatal("BotID")
	}
}

// Records far larger than any conversation (8 MiB of data, a long state)
// round-trip byte for byte.
func TestStorageLargeRecord(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
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

// Corrupt limiter state (a bucket that is not a number) is treated as an
// idle bucket and overwritten, rather than blocking the bot's sends.
func TestLimiterCorruptBucket(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	ls := NewLimiterStore(s.client, s.BotID(), Options{})
	k := ls.base + "global"
	s.client.Set(ctx, k, "garbage", 0)
	req := &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 1, Per: time.Hour}}}}
	if v, err := ls.Take(ctx, req); err != nil || v.Wait != 0 {
		t.Fatalf("take with a corrupt bucket = %+v, %v", v, err)
	}
	if ttl := s.client.PTTL(ctx, k).Val(); ttl <= 0 {
		t.Errorf("bucket not rewritten with an expiry: PTTL %v", ttl)
	}
	if v, _ := ls.Take(ctx, req); v.Scope != backend.ScopeGlobal || v.Wait < 59*time.Minute {
		t.Errorf("second take = %+v, want about an hour", v)
	}
}

// A failed Marked names the operation and the key.
func TestMarkedError(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr()})
	c.Close()
	s := New(c, 7, Options{})
	_, err := s.Marked(context.Background(), "x")
	if err == nil || !strings.HasPrefix(err.Error(), "backend/redis: marked herald:{7}:mark:x: ") || !errors.Is(err, goredis.ErrClosed) {
		t.Fatalf("Marked on a closed client = %v", err)
	}
	ls := NewLimiterStore(c, 7, Options{Prefix: "p"})
	if err := ls.Pause(context.Background(), tg.ChatID{}, time.Second); err == nil || !strings.Contains(err.Error(), "p:{7}:limit:pause") {
		t.Fatalf("Pause on a closed client = %v", err)
	}
}

// SCRIPT FLUSH (or a failover to a replica with an empty script cache)
// does not break anything: every script is sent again, and a held lock
// keeps being renewed.
func TestScriptFlush(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: r.addr()})
	defer client.Close()
	s := New(client, 42, Options{})
	ls := NewLimiterStore(client, 42, Options{})
	ctx := ctxT(t)
	key := backend.Key{ChatID: 1}
	if _, err := s.CompareAndSet(ctx, key, 0, backend.Record{State: "a"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Long enough that a renewal (every ttl/3) delayed by a loaded
	// machine does not lose the lease: at 150 ms this failed under load.
	const ttl = time.Second
	held, err := s.Lock(ctx, "held", ttl)
	if err != nil {
		t.Fatal(err)
	}
	req := &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 1000, Per: time.Second}}}}
	if _, err := ls.Take(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CompareAndSet(ctx, key, 1, backend.Record{State: "b"}, time.Minute); err != nil || v != 2 {
		t.Fatalf("CompareAndSet after SCRIPT FLUSH = %d, %v", v, err)
	}
	l, err := s.Lock(ctx, "other", time.Second)
	if err != nil {
		t.Fatalf("Lock after SCRIPT FLUSH: %v", err)
	}
	if err := l.Unlock(ctx); err != nil {
		t.Fatalf("Unlock after SCRIPT FLUSH: %v", err)
	}
	if _, err := ls.Take(ctx, req); err != nil {
		t.Fatalf("Take after SCRIPT FLUSH: %v", err)
	}
	if err := ls.Pause(ctx, tg.ChatID{}, time.Millisecond); err != nil {
		t.Fatalf("Pause after SCRIPT FLUSH: %v", err)
	}
	// The renewal reloads the extend script: the lease, ttl long, outlives
	// several of its ttls (renewals every ttl/3).
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * ttl / 2)
	if err := held.Unlock(ctx); err != nil {
		t.Fatalf("Unlock of a lock held across SCRIPT FLUSH = %v", err)
	}
}

// A restart of Redis without persistence loses the lease: the renewal
// notices it once Redis is back and stops, Unlock reports ErrLockLost,
// and the name can be taken again.
func TestLockRenewalAcrossRestart(t *testing.T) {
	r := startOwnRedis(t)
	client := goredis.NewClient(&goredis.Options{Addr: r.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	s := New(client, 42, Options{})
	ctx := ctxT(t)
	l, err := s.Lock(ctx, "r", 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	r.kill()
	select {
	case <-l.(*lock).done:
		t.Fatal("renewal gave up while Redis was away")
	case <-time.After(300 * time.Millisecond):
	}
	r.start()
	select {
	case <-l.(*lock).done:
	case <-time.After(5 * time.Second):
		t.Fatal("renewal still running after Redis came back without the lock")
	}
	if err := l.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock = %v, want ErrLockLost", err)
	}
	l2, err := s.Lock(ctx, "r", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The fencing counter went with the old server's data, yet the new
	// holder's token must still be larger: a store that remembers the
	// largest token it saw would otherwise refuse the new holder and
	// accept the stale one.
	if l2.Token() <= l.Token() {
		t.Errorf("token after the restart %d, before %d", l2.Token(), l.Token())
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// Unlock after the lease was lost, while the renewal is still running,
// leaves the new holder's lock alone; Unlock of the new holder then works.
func TestUnlockAfterLossKeepsNewHolder(t *testing.T) {
	s, ctx := newStore(t), ctxT(t)
	l1, err := s.Lock(ctx, "x", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s.client.Set(ctx, s.nameKey("lock", "x"), "thief", time.Minute) // expired and retaken
	if err := l1.Unlock(ctx); !errors.Is(err, backend.ErrLockLost) {
		t.Fatalf("Unlock = %v", err)
	}
	<-l1.(*lock).done // Unlock stopped the renewal
	if v := s.client.Get(ctx, s.nameKey("lock", "x")).Val(); v != "thief" {
		t.Fatalf("lock = %q", v)
	}
	if ttl := s.client.PTTL(ctx, s.nameKey("lock", "x")).Val(); ttl <= 0 {
		t.Fatalf("the other holder's lease was changed: %v", ttl)
	}
}
