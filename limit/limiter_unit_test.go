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

// unit is a limiter whose chain ends in a function instead of HTTP. Its
// clock is the wall clock: a synctest bubble's, in tests of timing.
type unit struct {
	lim  *Limiter
	rec  *recorder
	call tg.Caller
}

func newUnit(cfg Config, end func(method string) error) *unit {
	u := &unit{lim: New(cfg), rec: &recorder{}}
	inner := tg.CallerFunc(func(_ context.Context, method string, _, _ any) error { return end(method) })
	u.call = u.lim.Middleware()(u.rec.middleware(inner))
	return u
}

func (u *unit) goCall(t *testing.T, g *sync.WaitGroup, ctx context.Context, method string, params any) {
	g.Go(func() {
		if err := u.call.Call(ctx, method, params, nil); err != nil {
			t.Errorf("%s: %v", method, err)
		}
	})
}

func ok(string) error { return nil }

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
		paid := u.rec.times(func(s sent) bool { return s.label == "paid" })
		if last := paid[len(paid)-1].Sub(start); last != 99*time.Millisecond {
			t.Fatalf("100 paid messages took %v, want 99ms", last)
		}
		checkTimes(t, "free", u.rec.times(func(s sent) bool { return s.label == "free" }), start, []time.Duration{0})

		// Without the option the flag is ignored: 30/s.
		u = newUnit(Config{}, ok)
		start = time.Now()
		for id := int64(1); id <= 3; id++ {
			u.goCall(t, &g, ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(id), Text: "x", AllowPaidBroadcast: true})
		}
		g.Wait()
		step := ivl(DefaultGlobal)
		checkTimes(t, "paid flag ignored", u.rec.times(nil), start, []time.Duration{0, step, 2 * step})
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
		checkTimes(t, "chat 5", u.rec.times(nil), start, []time.Duration{0, 3 * ivl(DefaultChat)})
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
		checkTimes(t, "send after a 429", u.rec.times(func(s sent) bool { return s.method == "sendMessage" }), start, []time.Duration{5 * time.Second})
	})
}

// A 429 is repeated at most MaxRetries times, and not at all when its
// retry_after exceeds MaxRetryAfter.
func TestTooManyRequestsRetriesAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		u := newUnit(Config{MaxRetries: 2, MaxRetryAfter: 10 * time.Second}, func(method string) error {
			calls.Add(1)
			return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: time.Second}
		})
		var g sync.WaitGroup
		var err error
		g.Go(func() {
			err = u.call.Call(context.Background(), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
		})
		g.Wait()
		if _, is429 := tg.IsTooManyRequests(err); !is429 || calls.Load() != 3 {
			t.Fatalf("err = %v after %d calls, want a 429 after 3", err, calls.Load())
		}

		calls.Store(0)
		u = newUnit(Config{}, func(method string) error {
			calls.Add(1)
			return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: time.Hour}
		})
		if err := u.call.Call(context.Background(), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil); calls.Load() != 1 || err == nil {
			t.Fatalf("retry_after of an hour: %d calls, err %v; want 1 call and the 429", calls.Load(), err)
		}
		if st := u.lim.Stats(); st.TooManyRequests != 1 {
			t.Fatalf("stats: %+v", st)
		}
	})
}

// A deadline that ends while waiting ends the wait.
func TestDeadlineWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		u := newUnit(Config{Global: Rate{Count: 1, Per: time.Hour}}, ok)
		ctx := context.Background()
		if err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil); err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond) // long before the hour's slot
		defer cancel()
		start := time.Now()
		err := u.call.Call(short, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)}, nil)
		if err == nil || short.Err() == nil {
			t.Fatalf("err = %v", err)
		}
		if waited := time.Since(start); waited != 20*time.Millisecond {
			t.Fatalf("the call returned after %v, want at the deadline (20ms)", waited)
		}
		if n := u.lim.Stats().Waiting; n != 0 {
			t.Fatalf("%d waiting", n)
		}
	})
}
