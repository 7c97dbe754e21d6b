package limit

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

func TestRateInterval(t *testing.T) {
	for _, tt := range []struct {
		r    Rate
		want time.Duration
	}{
		{Rate{Count: 30, Per: time.Second}, 33333334 * time.Nanosecond}, // rounded up: 30 never fit in < 1 s
		{DefaultGlobal, 40 * time.Millisecond},
		{DefaultChat, 1100 * time.Millisecond},
		{DefaultGroup, 3333333334 * time.Nanosecond},
		{DefaultPaid, time.Millisecond},
		{Unlimited, 0},
	} {
		if got := tt.r.Interval(); got != tt.want {
			t.Errorf("%v: interval %v, want %v", tt.r, got, tt.want)
		}
	}
	if s := DefaultChat.String(); s != "1/1.1s:2" {
		t.Errorf("String = %q", s)
	}
}

// A windowed rate keeps Count per Per in every window whatever its
// burst: 30/s with bursts of 10 spaces the rest by 1/21 s.
func TestRateWindowed(t *testing.T) {
	for _, tt := range []struct{ r, want Rate }{
		{Rate{Count: 30, Per: time.Second, Burst: 10}, Rate{Count: 21, Per: time.Second, Burst: 10}},
		{Rate{Count: 30, Per: time.Second, Burst: 30}, Rate{Count: 1, Per: time.Second, Burst: 30}},
		{Rate{Count: 20, Per: time.Minute, Burst: 50}, Rate{Count: 1, Per: time.Minute, Burst: 20}},
		{DefaultGlobal, DefaultGlobal},
		{Unlimited, Unlimited},
	} {
		if got := tt.r.Windowed(); got != tt.want {
			t.Errorf("%v.Windowed() = %v, want %v", tt.r, got, tt.want)
		}
	}
}

// A store on a synctest bubble's clock (time.Sleep moves it exactly):
// bursts, all-or-nothing, costs above the burst, the pause and its scope.
func TestMemoryStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewMemoryStore(nil)
		ctx := context.Background()
		chat := func(id int64) *Request {
			return &Request{N: 1, Buckets: []Bucket{
				{Scope: ScopeGlobal, Rate: Rate{Count: 10, Per: time.Second}},
				{Scope: ScopeChat, Chat: tg.ID(id), Rate: Rate{Count: 1, Per: time.Second, Burst: 3}},
			}, Chat: tg.ID(id)}
		}
		take := func(r *Request) Verdict {
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
		if v := take(chat(2)); v.Wait != 100*time.Millisecond || v.Scope != ScopeGlobal {
			t.Fatalf("global: %+v, want 100ms global", v)
		}
		time.Sleep(100 * time.Millisecond)
		take(chat(1))
		time.Sleep(100 * time.Millisecond)
		take(chat(1)) // third of the burst
		time.Sleep(100 * time.Millisecond)
		if v := take(chat(1)); v.Wait != 700*time.Millisecond || v.Scope != ScopeChat {
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
		if v := take(chat(3)); v.Wait != 2*time.Second || v.Scope != ScopeChat {
			t.Fatalf("after the album: %+v, want 2s chat", v) // 5 s of budget less the burst of 3
		}

		if err := s.Pause(ctx, tg.ChatID{}, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		_ = s.Pause(ctx, tg.ChatID{}, time.Second) // never shortens
		if v := take(chat(4)); v.Wait != 3*time.Second || v.Scope != ScopePause {
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
		if v := take(chat(5)); v.Wait != 2*time.Second || v.Scope != ScopeChatPause {
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

func TestMemoryStoreForgetsIdleChats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewMemoryStore(nil)
		for i := range 5000 {
			r := &Request{N: 1, Buckets: []Bucket{{Scope: ScopeChat, Chat: tg.ID(int64(i)), Rate: DefaultChat}}}
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
