package redis

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// Every key the Store and the LimiterStore write is under
// "herald:{<bot>}:", or "herald:{<bot>:bc:<id>}:" for a campaign's, and
// every one of them expires, except the fencing counter, the campaigns
// (kept until deleted) and what was written with ttl 0 on purpose.
func TestEveryKeyUnderTheBotAndExpiring(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
	base := fmt.Sprintf("herald:{%d}:", s.BotID())
	if s.base != base {
		t.Fatalf("base %q, want %q", s.base, base)
	}
	if _, err := s.CompareAndSet(ctx, backend.Key{ChatID: -100, UserID: 5, ThreadID: 3}, 0, backend.Record{State: "a", Data: []byte("{}")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, "update:1", "o", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(ctx, "update:1", "o", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, "update:2", "o", time.Minute); err != nil { // pending
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, "sub-ms", "o", 300*time.Microsecond); err != nil { // rounded up, not "no expiry"
		t.Fatal(err)
	}
	c, err := s.Broadcasts().Create(ctx, backend.Campaign{Message: backend.CampaignMessage{Text: "hi"}}, []int64{1, 2}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Broadcasts().Finish(ctx, c.ID, backend.Recipient{Chat: 2, Status: backend.RecipientSent}, time.Now()); err != nil {
		t.Fatal(err)
	}
	camp := fmt.Sprintf("herald:{%d:bc:%d}:", s.BotID(), c.ID)
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
		base + "claim:update:1":        true,
		base + "claim:update:2":        true,
		base + "lock:chat:-100":        true,
		base + "fence":                 false, // must outlive every lock: no expiry
		base + "limit:global":          true,
		base + "limit:chat:-100":       true,
		base + "limit:group:@somechan": true,
		base + "limit:pause":           true,
		base + "claim:sub-ms":          true, // may already be gone
		base + "lock:gone":             true, // must be gone
		base + "bc:ids":                false,
		base + "bc:list":               false,
		camp + "meta":                  false,
		camp + "r":                     false,
		camp + "s:pending":             false,
		camp + "s:sent":                false,
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
	if len(keys) < 15 {
		t.Errorf("keys %q: some were not written", keys)
	}
}

// BotID and keys of another bot: a record keyed for bot B by the Store of
// bot A lives under B's hash tag.
func TestRecordOfAnotherBot(t *testing.T) {
	s, ctx := newStore(t), testkit.Context(t)
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
