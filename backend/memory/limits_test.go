package memory

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/tg"
)

// A LimitStore on a synctest bubble's clock (time.Sleep moves it exactly):
// bursts, all-or-nothing, costs above the burst, the pause and its scope.
func TestLimitStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewLimitStore()
		ctx := context.Background()
		chat := func(id int64) *backend.LimitRequest {
			return &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{
				{Scope: backend.ScopeGlobal, Rate: backend.Rate{Count: 10, Per: time.Second}},
				{Scope: backend.ScopeChat, Chat: tg.ID(id), Rate: backend.Rate{Count: 1, Per: time.Second, Burst: 3}},
			}, Chat: tg.ID(id)}
		}
		take := func(r *backend.LimitRequest) backend.LimitVerdict {
			t.Helper()
			v, err := s.Take(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := take(chat(1)); v.Wait != 0 {
			t.Fatalf("first: %+v", v)
		}
		if v := take(chat(2)); v.Wait != 100*time.Millisecond || v.Scope != backend.ScopeGlobal {
			t.Fatalf("global: %+v, want 100ms global", v)
		}
		time.Sleep(100 * time.Millisecond)
		take(chat(1))
		time.Sleep(100 * time.Millisecond)
		take(chat(1)) // third of the burst
		time.Sleep(100 * time.Millisecond)
		if v := take(chat(1)); v.Wait != 700*time.Millisecond || v.Scope != backend.ScopeChat {
			t.Fatalf("chat: %+v, want 700ms chat", v)
		}
		// Refused: nothing was taken, so chat 2 still has the global slot.
		if v := take(chat(2)); v.Wait != 0 {
			t.Fatalf("chat 2 after a refusal: %+v", v)
		}

		// Five items into an idle chat with a burst of three: admitted, then
		// the chat holds them all.
		time.Sleep(10 * time.Second)
		album := chat(3)
		album.N = 5
		if v := take(album); v.Wait != 0 {
			t.Fatalf("album: %+v", v)
		}
		time.Sleep(time.Second)
		if v := take(chat(3)); v.Wait != 2*time.Second || v.Scope != backend.ScopeChat {
			t.Fatalf("after the album: %+v, want 2s chat", v) // 5 s of budget less the burst of 3
		}

		if err := s.Pause(ctx, tg.ChatID{}, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		_ = s.Pause(ctx, tg.ChatID{}, time.Second) // never shortens
		if v := take(chat(4)); v.Wait != 3*time.Second || v.Scope != backend.ScopePause {
			t.Fatalf("paused: %+v, want 3s pause", v)
		}
		time.Sleep(3 * time.Second)
		if v := take(chat(4)); v.Wait != 0 {
			t.Fatalf("after the pause: %+v", v)
		}

		// A chat's pause stops that chat only, and is forgotten once over.
		time.Sleep(10 * time.Second)
		if err := s.Pause(ctx, tg.ID(5), 2*time.Second); err != nil {
			t.Fatal(err)
		}
		if v := take(chat(5)); v.Wait != 2*time.Second || v.Scope != backend.ScopeChatPause {
			t.Fatalf("paused chat: %+v, want 2s chat pause", v)
		}
		if v := take(chat(6)); v.Wait != 0 {
			t.Fatalf("another chat during chat 5's pause: %+v", v)
		}
		time.Sleep(2 * time.Second)
		if v := take(chat(5)); v.Wait != 0 {
			t.Fatalf("after chat 5's pause: %+v", v)
		}
	})
}

// The buckets of chats back at rest are forgotten: memory follows the
// number of recently active chats.
func TestLimitStoreForgetsIdleChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewLimitStore()
		chatRate := backend.Rate{Count: 1, Per: 1100 * time.Millisecond, Burst: 2} // limit.DefaultChat
		for i := range 5000 {
			r := &backend.LimitRequest{N: 1, Buckets: []backend.LimitBucket{{Scope: backend.ScopeChat, Chat: tg.ID(int64(i)), Rate: chatRate}}}
			if _, err := s.Take(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		s.mu.Lock()
		n := len(s.chats)
		s.mu.Unlock()
		if n > 2*minPrune+1 {
			t.Fatalf("%d chat buckets kept", n)
		}
	})
}
