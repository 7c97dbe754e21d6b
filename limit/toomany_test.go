package limit

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/tg"
)

// pauseBubble is a Limiter with the defaults on the wall clock of a
// synctest bubble, whose chain ends in a function that answers 429 to the
// calls refuse picks and records in sent when the others went out.
type pauseBubble struct {
	start time.Time
	call  tg.Caller
	sent  testkit.Caller
}

func newPauseBubble(refuse func(method, label string) bool) *pauseBubble {
	b := &pauseBubble{start: time.Now()}
	end := tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		label, _ := ctx.Value(labelKey{}).(string)
		if refuse(method, label) {
			return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}
		}
		return b.sent.Call(ctx, method, params, result)
	})
	b.call = New(Config{}).Middleware()(end)
	return b
}

// send makes the calls one after the other in a goroutine.
func (b *pauseBubble) send(t *testing.T, wg *sync.WaitGroup, label, method string, params ...any) {
	ctx := withLabel(context.Background(), label)
	wg.Go(func() {
		for _, p := range params {
			if err := b.call.Call(ctx, method, p, nil); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	})
}

func (b *pauseBubble) check(t *testing.T, label string, want ...time.Duration) {
	t.Helper()
	checkTimes(t, label, b.sent.Times(labelled(label)), b.start, want)
}

func msgs(chat int64, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = &tg.SendMessageParams{ChatID: tg.ID(chat), Text: "x"}
	}
	return out
}

// A 429 (retry_after 30 s) to a message into chat A pauses chat A only:
// chat B's five messages go out exactly as if nothing had happened (the
// next global slot, the chat's burst of 2, then one every 1.1 s), while
// A's refused message and the one queued behind it wait the 30 s. Time is
// synctest's: exact, and no test time passes.
func TestTooManyRequestsForOneChatDelaysNoOther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var once sync.Once
		b := newPauseBubble(func(_, label string) bool {
			refused := false
			if label == "A" {
				once.Do(func() { refused = true })
			}
			return refused
		})
		var wg sync.WaitGroup
		b.send(t, &wg, "A", "sendMessage", msgs(1, 2)...)
		synctest.Wait() // A's first message was refused; A is paused
		b.send(t, &wg, "B", "sendMessage", msgs(2, 5)...)
		wg.Wait()

		step, chat := ivl(DefaultGlobal), ivl(DefaultChat)
		// B: A's refused attempt took the global slot at 0.
		b.check(t, "B", step, 2*step, step+chat, step+2*chat, step+3*chat)
		// A: repeated when its pause ends, then its burst's second.
		b.check(t, "A", 30*time.Second, 30*time.Second+step)
	})
}

// A 429 to a call that names no chat (an inline edit) pauses the whole
// bot: a message into any chat waits for it.
func TestTooManyRequestsWithoutChatPausesTheBot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var once sync.Once
		b := newPauseBubble(func(method, _ string) bool {
			refused := false
			if method == "editMessageText" {
				once.Do(func() { refused = true })
			}
			return refused
		})
		var wg sync.WaitGroup
		b.send(t, &wg, "inline", "editMessageText", &tg.EditMessageTextParams{InlineMessageID: "abc", Text: "x"})
		synctest.Wait()
		b.send(t, &wg, "B", "sendMessage", msgs(2, 1)...)
		wg.Wait()
		b.check(t, "inline", 30*time.Second)
		b.check(t, "B", 30*time.Second+ivl(DefaultGlobal))
	})
}

// A 429 without retry_after pauses every sender for 1 s, whether a
// counted or an uncounted call got it; the refused counted call is
// repeated once the pause ends.
func TestTooManyRequestsWithoutRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var refuse atomic.Bool // the next call is answered 429
		u := newUnit(Config{}, func(method string) error {
			if refuse.CompareAndSwap(true, false) {
				return &tg.Error{Method: method, Code: http.StatusTooManyRequests}
			}
			return nil
		})
		ctx := context.Background()
		refuse.Store(true)
		start := time.Now()
		var g sync.WaitGroup
		u.goCall(t, &g, withLabel(ctx, "counted"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)})
		g.Wait()
		// Refused at 0, repeated when the default 1 s pause ended.
		checkTimes(t, "counted", u.rec.Times(labelled("counted")), start, []time.Duration{0, time.Second})

		start = time.Now()
		refuse.Store(true)
		if err := u.call.Call(ctx, "getChat", nil, nil); err == nil {
			t.Fatal("uncounted 429 not returned")
		}
		u.goCall(t, &g, withLabel(ctx, "after"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)})
		g.Wait()
		checkTimes(t, "after an uncounted 429", u.rec.Times(labelled("after")), start, []time.Duration{time.Second})
		if st := u.lim.Stats(); st.TooManyRequests != 2 || st.Retried != 1 || st.Waiting != 0 {
			t.Fatalf("stats %+v, want 2 429s, 1 retried, none waiting", st)
		}
	})
}

// With a negative MaxRetries a 429 is returned at once, but it still
// pauses the next call into its chat (and only into its chat).
func TestNegativeMaxRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		u := newUnit(Config{MaxRetries: -1}, func(method string) error {
			if calls.Add(1) == 1 {
				return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: 4 * time.Second}
			}
			return nil
		})
		ctx := context.Background()
		start := time.Now()
		if _, is429 := tg.IsTooManyRequests(u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)); !is429 {
			t.Fatal("429 not returned")
		}
		var g sync.WaitGroup
		u.goCall(t, &g, withLabel(ctx, "same"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)})
		u.goCall(t, &g, withLabel(ctx, "other"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)})
		g.Wait()
		checkTimes(t, "same chat", u.rec.Times(labelled("same")), start, []time.Duration{4 * time.Second})
		checkTimes(t, "other chat", u.rec.Times(labelled("other")), start, []time.Duration{ivl(DefaultGlobal)})
		if n := calls.Load(); n != 3 {
			t.Fatalf("%d calls, want 3 (no retry)", n)
		}
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

// A caller whose context ends while the queue sleeps through a 429 pause
// returns at once; the caller behind it goes when the pause ends.
func TestCancelDuringPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var first atomic.Bool
		u := newUnit(Config{}, func(method string) error {
			if first.CompareAndSwap(false, true) {
				return &tg.Error{Method: method, Code: http.StatusTooManyRequests, RetryAfter: 10 * time.Second}
			}
			return nil
		})
		ctx := context.Background()
		start := time.Now()
		_ = u.call.Call(withLabel(ctx, "refused"), "getMe", nil, nil) // uncounted: pauses only
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		var g sync.WaitGroup
		g.Go(func() {
			errc <- u.call.Call(withLabel(cctx, "cancelled"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
		})
		synctest.Wait()
		u.goCall(t, &g, withLabel(ctx, "kept"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)})
		synctest.Wait()
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled call = %v", err)
		}
		g.Wait()
		if n := len(u.rec.Times(labelled("cancelled"))); n != 0 {
			t.Fatalf("the cancelled call went out %d times", n)
		}
		checkTimes(t, "kept", u.rec.Times(labelled("kept")), start, []time.Duration{10 * time.Second})
		if n := u.lim.Stats().Waiting; n != 0 {
			t.Fatalf("%d still waiting", n)
		}
	})
}
