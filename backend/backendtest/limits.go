package backendtest

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// TestStore checks a backend.LimitStore. open returns two handles on the state
// of one fresh bot — for a store shared by processes, two separate
// clients of it, as two processes would have; an in-process store may
// return the same one twice.
func TestLimitStore(t *testing.T, open func(t *testing.T) (backend.LimitStore, backend.LimitStore)) {
	hourly := limit.Rate{Count: 1, Per: time.Hour}
	req := func(chat tg.ChatID, buckets ...limit.Bucket) *limit.Request {
		return &limit.Request{N: 1, Chat: chat, Buckets: buckets}
	}
	chatReq := func(id int64) *limit.Request {
		return req(tg.ID(id), limit.Bucket{Scope: limit.ScopeChat, Chat: tg.ID(id), Rate: hourly})
	}
	take := func(t *testing.T, s backend.LimitStore, r *limit.Request) limit.Verdict {
		t.Helper()
		v, err := s.Take(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	pause := func(t *testing.T, s backend.LimitStore, chat tg.ChatID, d time.Duration) {
		t.Helper()
		if err := s.Pause(context.Background(), chat, d); err != nil {
			t.Fatal(err)
		}
	}
	// about reports whether got is want less at most a minute.
	about := func(got, want time.Duration) bool { return got <= want && got > want-time.Minute }

	t.Run("Buckets", func(t *testing.T) {
		a, b := open(t)
		global := limit.Bucket{Scope: limit.ScopeGlobal, Rate: limit.Rate{Count: 1, Per: time.Hour, Burst: 2}}
		withGlobal := func(id int64) *limit.Request {
			r := chatReq(id)
			r.Buckets = append([]limit.Bucket{global}, r.Buckets...)
			return r
		}
		if v := take(t, a, withGlobal(1)); v.Wait != 0 {
			t.Fatalf("first take: %+v", v)
		}
		if v := take(t, b, withGlobal(1)); v.Scope != limit.ScopeChat || !about(v.Wait, time.Hour) {
			t.Fatalf("same chat from the other handle: %+v, want ~1h chat", v)
		}
		if v := take(t, b, withGlobal(2)); v.Wait != 0 {
			t.Fatalf("second chat, second of the global burst: %+v", v)
		}
		if v := take(t, a, withGlobal(3)); v.Scope != limit.ScopeGlobal || !about(v.Wait, time.Hour) {
			t.Fatalf("third chat: %+v, want ~1h global", v)
		}
		// Refusals took nothing: chat 3 alone still fits.
		if v := take(t, a, chatReq(3)); v.Wait != 0 {
			t.Fatalf("chat 3 after refusals: %+v", v)
		}
	})

	t.Run("BurstAndCostAboveIt", func(t *testing.T) {
		a, b := open(t)
		three := limit.Rate{Count: 1, Per: time.Hour, Burst: 3}
		group := func(n int) *limit.Request {
			return &limit.Request{N: n, Chat: tg.Username("@chan"), Buckets: []limit.Bucket{{Scope: limit.ScopeGroup, Chat: tg.Username("@chan"), Rate: three}}}
		}
		for i := range 3 {
			if v := take(t, a, group(1)); v.Wait != 0 {
				t.Fatalf("message %d of a burst of 3: %+v", i+1, v)
			}
		}
		if v := take(t, b, group(1)); v.Scope != limit.ScopeGroup || !about(v.Wait, time.Hour) {
			t.Fatalf("fourth: %+v, want ~1h group", v)
		}
		c, _ := open(t)
		five := &limit.Request{N: 5, Buckets: []limit.Bucket{{Scope: limit.ScopeChat, Chat: tg.ID(9), Rate: three}}}
		if v := take(t, c, five); v.Wait != 0 {
			t.Fatalf("5 items into an idle bucket with a burst of 3: %+v", v)
		}
		if v := take(t, c, five); v.Scope != limit.ScopeChat || !about(v.Wait, 5*time.Hour) {
			t.Fatalf("the next 5: %+v, want ~5h (the whole cost of the first)", v)
		}
	})

	t.Run("BotPause", func(t *testing.T) {
		a, b := open(t)
		pause(t, a, tg.ChatID{}, 2*time.Hour)
		pause(t, b, tg.ChatID{}, time.Second) // never shortens
		if v := take(t, b, chatReq(1)); v.Scope != limit.ScopePause || !about(v.Wait, 2*time.Hour) {
			t.Fatalf("paused bot: %+v, want ~2h pause", v)
		}
		if v := take(t, a, req(tg.ChatID{}, limit.Bucket{Scope: limit.ScopeGlobal, Rate: hourly})); v.Scope != limit.ScopePause {
			t.Fatalf("a call without a chat: %+v, want the pause", v)
		}
		if v := take(t, a, req(tg.ChatID{})); v.Scope != limit.ScopePause {
			t.Fatalf("a call without buckets: %+v, want the pause", v)
		}
	})

	t.Run("ChatPause", func(t *testing.T) {
		a, b := open(t)
		pause(t, a, tg.ID(1), 2*time.Hour)
		pause(t, b, tg.ID(1), time.Second) // never shortens
		pause(t, a, tg.Username("@news"), time.Hour)
		if v := take(t, b, chatReq(1)); v.Scope != limit.ScopeChatPause || !about(v.Wait, 2*time.Hour) {
			t.Fatalf("paused chat from the other handle: %+v, want ~2h chat pause", v)
		}
		// The chat's pause holds even when its buckets are off.
		if v := take(t, b, req(tg.ID(1), limit.Bucket{Scope: limit.ScopeGlobal, Rate: hourly})); v.Scope != limit.ScopeChatPause {
			t.Fatalf("paused chat, global bucket only: %+v, want the chat pause", v)
		}
		if v := take(t, b, req(tg.Username("@news"))); v.Scope != limit.ScopeChatPause || !about(v.Wait, time.Hour) {
			t.Fatalf("paused channel: %+v, want ~1h chat pause", v)
		}
		// Other chats, and calls without a chat, go on.
		for _, r := range []*limit.Request{chatReq(2), chatReq(-1), req(tg.ChatID{}, limit.Bucket{Scope: limit.ScopeGlobal, Rate: hourly})} {
			if v := take(t, a, r); v.Wait != 0 {
				t.Fatalf("a chat not paused (%v): %+v", r.Chat, v)
			}
		}
		// The longest wait wins: the bot pause above a shorter chat pause.
		pause(t, a, tg.ChatID{}, 3*time.Hour)
		if v := take(t, b, chatReq(1)); v.Scope != limit.ScopePause || !about(v.Wait, 3*time.Hour) {
			t.Fatalf("chat and bot paused: %+v, want the ~3h bot pause", v)
		}
	})
}
