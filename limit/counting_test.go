package limit

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

// With PaidBroadcast, calls with allow_paid_broadcast go at 1000/s on
// their own budget; the others keep the 30/s one.
func TestPaidBroadcast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUnit(Config{PaidBroadcast: true}, ok)
		ctx := withLabel(context.Background(), "paid")
		start := time.Now()
		var g sync.WaitGroup
		for id := int64(1); id <= 100; id++ {
			u.goCall(t, &g, ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(id), Text: "x", AllowPaidBroadcast: true})
		}
		u.goCall(t, &g, withLabel(ctx, "free"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1000), Text: "x"})
		g.Wait()
		paid := u.rec.Times(labelled("paid"))
		if last := paid[len(paid)-1].Sub(start); last != 99*time.Millisecond {
			t.Fatalf("100 paid messages took %v, want 99ms", last)
		}
		checkTimes(t, "free", u.rec.Times(labelled("free")), start, []time.Duration{0})

		// Without the option the flag is ignored: 30/s.
		u = newUnit(Config{}, ok)
		start = time.Now()
		for id := int64(1); id <= 3; id++ {
			u.goCall(t, &g, ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(id), Text: "x", AllowPaidBroadcast: true})
		}
		g.Wait()
		step := ivl(DefaultGlobal)
		checkTimes(t, "paid flag ignored", u.rec.Times(nil), start, []time.Duration{0, step, 2 * step})
	})
}

// An album counts once per medium: four photos to an idle chat go at
// once, then the chat has used four intervals of budget (less its burst
// of 2, the next message waits three).
func TestMediaGroupCountsPerItem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUnit(Config{}, ok)
		ctx := context.Background()
		start := time.Now()
		var g sync.WaitGroup
		u.goCall(t, &g, ctx, "sendMediaGroup", &tg.SendMediaGroupParams{ChatID: tg.ID(5), Media: make([]tg.InputMedia, 4)})
		synctest.Wait() // the album went out
		u.goCall(t, &g, ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(5), Text: "after"})
		g.Wait()
		checkTimes(t, "chat 5", u.rec.Times(nil), start, []time.Duration{0, 3 * ivl(DefaultChat)})
	})
}

// Methods that do not count never wait, even during a pause; a 429 they
// get still pauses the counted ones.
func TestUncountedMethods(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var answered atomic.Bool
		u := newUnit(Config{}, func(method string) error {
			if method == "answerCallbackQuery" && answered.CompareAndSwap(false, true) {
				return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}
			}
			return nil
		})
		ctx := context.Background()
		if err := u.call.Call(ctx, "answerCallbackQuery", &tg.AnswerCallbackQueryParams{CallbackQueryID: "1"}, nil); err == nil {
			t.Fatal("429 not returned")
		}
		for range 50 {
			if err := u.call.Call(ctx, "getMe", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		var g sync.WaitGroup
		u.goCall(t, &g, ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1), Text: "x"})
		g.Wait()
		checkTimes(t, "send after a 429", u.rec.Times(method("sendMessage")), start, []time.Duration{5 * time.Second})
	})
}

// Groups are told apart from private chats by a negative id or an
// @username (compared without case): only they get the group budget.
func TestGroupDetection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUnit(Config{Global: Unlimited, Chat: Unlimited}, ok)
		ctx := context.Background()
		start := time.Now()
		var g sync.WaitGroup
		for i, chat := range []tg.ChatID{tg.Username("@News"), tg.Username("@news"), tg.Username("NEWS")} {
			u.goCall(t, &g, withLabel(ctx, "channel"), "sendMessage", &tg.SendMessageParams{ChatID: chat, Text: string(rune('a' + i))})
			synctest.Wait()
		}
		for range 3 {
			u.goCall(t, &g, withLabel(ctx, "group"), "sendMessage", map[string]any{"chat_id": float64(-42)})
			u.goCall(t, &g, withLabel(ctx, "private"), "sendMessage", map[string]any{"chat_id": "42"})
			synctest.Wait()
		}
		g.Wait()
		step := ivl(DefaultGroup) // 3 s
		for _, label := range []string{"channel", "group"} {
			checkTimes(t, label, u.rec.Times(labelled(label)), start, []time.Duration{0, step, 2 * step})
		}
		checkTimes(t, "private", u.rec.Times(labelled("private")), start, []time.Duration{0, 0, 0})
	})
}
