package limit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/tg"
)

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
		checkTimes(t, "counted", u.rec.times(func(s sent) bool { return s.label == "counted" }), start, []time.Duration{0, time.Second})

		start = time.Now()
		refuse.Store(true)
		if err := u.call.Call(ctx, "getChat", nil, nil); err == nil {
			t.Fatal("uncounted 429 not returned")
		}
		u.goCall(t, &g, withLabel(ctx, "after"), "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(2)})
		g.Wait()
		checkTimes(t, "after an uncounted 429", u.rec.times(func(s sent) bool { return s.label == "after" }), start, []time.Duration{time.Second})
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
		checkTimes(t, "same chat", u.rec.times(func(s sent) bool { return s.label == "same" }), start, []time.Duration{4 * time.Second})
		checkTimes(t, "other chat", u.rec.times(func(s sent) bool { return s.label == "other" }), start, []time.Duration{ivl(DefaultGlobal)})
		if n := calls.Load(); n != 3 {
			t.Fatalf("%d calls, want 3 (no retry)", n)
		}
	})
}

// faultyStore fails Take or Pause on demand, else uses a MemoryStore.
type faultyStore struct {
	*MemoryStore
	takeErr, pauseErr atomic.Pointer[error]
}

func (s *faultyStore) Take(ctx context.Context, r *Request) (Verdict, error) {
	if p := s.takeErr.Swap(nil); p != nil {
		return Verdict{}, *p
	}
	return s.MemoryStore.Take(ctx, r)
}

func (s *faultyStore) Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error {
	if p := s.pauseErr.Load(); p != nil {
		return *p
	}
	return s.MemoryStore.Pause(ctx, chat, d)
}

// A failing Store is reported, and does not leave the queue for the
// global budget blocked: the next caller goes through. A failing Pause
// after a 429 is reported with the 429, and the call is not repeated.
func TestStoreErrors(t *testing.T) {
	store := &faultyStore{MemoryStore: NewMemoryStore(nil)} // no wait here: limits off
	var calls atomic.Int32
	var answer atomic.Pointer[error]
	u := newUnit(Config{Store: store, Global: Unlimited, Chat: Unlimited}, func(string) error {
		calls.Add(1)
		if p := answer.Load(); p != nil {
			return *p
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	down := errors.New("store down")
	store.takeErr.Store(&down)
	err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
	if !errors.Is(err, down) || !strings.Contains(err.Error(), "sendMessage") {
		t.Fatalf("err = %v, want the store's error naming the method", err)
	}
	if calls.Load() != 0 {
		t.Fatal("a call went out without the limiter's consent")
	}
	if err := u.call.Call(ctx, "sendMessage", &tg.SendMessageParams{ChatID: tg.ID(1)}, nil); err != nil {
		t.Fatalf("the call after a store error: %v (queue left blocked?)", err)
	}

	tooMany := error(&tg.Error{Code: http.StatusTooManyRequests, RetryAfter: time.Second})
	answer.Store(&tooMany)
	noPause := errors.New("pause refused")
	store.pauseErr.Store(&noPause)
	for _, method := range []string{"sendMessage", "getMe"} {
		calls.Store(0)
		err := u.call.Call(ctx, method, &tg.SendMessageParams{ChatID: tg.ID(1)}, nil)
		if _, is429 := tg.IsTooManyRequests(err); !is429 || !errors.Is(err, noPause) || !strings.Contains(err.Error(), "pausing senders") {
			t.Fatalf("%s: err = %v, want the 429 joined with the pause error", method, err)
		}
		if n := calls.Load(); n != 1 {
			t.Fatalf("%s: %d calls, want 1", method, n)
		}
	}
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
			checkTimes(t, label, u.rec.times(func(s sent) bool { return s.label == label }), start, []time.Duration{0, step, 2 * step})
		}
		checkTimes(t, "private", u.rec.times(func(s sent) bool { return s.label == "private" }), start, []time.Duration{0, 0, 0})
	})
}

// A waiter whose context ends just as it is handed the turn passes the
// turn on: the caller queued behind it is not stranded.
func TestGateTurnHandedAsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waiting atomic.Int64
		g := &gate{clock: RealClock(), waiting: &waiting}
		holder := &waiter{seq: 1, index: -1}
		if err := g.enter(context.Background(), holder, 0); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		late := &waiter{seq: 2, index: -1}
		lateErr := make(chan error, 1)
		go func() { lateErr <- g.enter(ctx, late, 0) }()
		next := &waiter{seq: 3, index: -1}
		nextErr := make(chan error, 1)
		waitFor := func(n int64) {
			t.Helper()
			synctest.Wait() // the callers started are queued
			if got := waiting.Load(); got != n {
				t.Fatalf("%d waiting, want %d", got, n)
			}
		}
		waitFor(1)
		go func() { nextErr <- g.enter(context.Background(), next, 0) }()
		waitFor(2)

		// Under the gate's lock: end late's context, then hand it the turn.
		// late wakes on its context but finds it holds the turn.
		g.mu.Lock()
		cancel()
		g.busy = false
		g.dispatchLocked()
		g.mu.Unlock()

		select {
		case err := <-lateErr:
			if err == nil { // it took the turn before seeing its context end
				g.leave()
			} else if !errors.Is(err, context.Canceled) {
				t.Fatalf("late enter = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("late waiter never returned")
		}
		select {
		case err := <-nextErr:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the turn was lost: the next waiter never got it")
		}
		g.leave()
		if n := waiting.Load(); n != 0 || g.busy || g.queue.Len() != 0 {
			t.Fatalf("gate left with %d waiting, busy %v, queue %d", n, g.busy, g.queue.Len())
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
		if n := len(u.rec.times(func(s sent) bool { return s.label == "cancelled" })); n != 0 {
			t.Fatalf("the cancelled call went out %d times", n)
		}
		checkTimes(t, "kept", u.rec.times(func(s sent) bool { return s.label == "kept" }), start, []time.Duration{10 * time.Second})
		if n := u.lim.Stats().Waiting; n != 0 {
			t.Fatalf("%d still waiting", n)
		}
	})
}

func TestStrings(t *testing.T) {
	for got, want := range map[string]string{
		Interactive.String(): "interactive", Bulk.String(): "bulk",
		ScopeNone.String(): "none", ScopePause.String(): "pause", ScopeGlobal.String(): "global",
		ScopePaid.String(): "paid", ScopeChat.String(): "chat", ScopeGroup.String(): "group", ScopeChatPause.String(): "chatpause",
		NotCounted.String(): "not counted", Once.String(): "once", PerItem.String(): "per item",
		DefaultGlobal.String(): "25/1s", DefaultChat.String(): "1/1.1s:2", Unlimited.String(): "off",
	} {
		if got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	if PriorityFrom(WithPriority(context.Background(), Priority(7))) != Interactive {
		t.Error("an unknown priority is not Interactive")
	}
}

func TestNewMemoryStoreNilClock(t *testing.T) {
	s := NewMemoryStore(nil)
	if _, ok := s.clock.(realClock); !ok {
		t.Fatalf("clock %T, want the real clock", s.clock)
	}
	v, err := s.Take(context.Background(), &Request{Buckets: []Bucket{{Scope: ScopeGlobal, Rate: DefaultGlobal}}})
	if err != nil || v.Wait != 0 {
		t.Fatalf("first Take = %+v, %v", v, err)
	}
}

// Retry repeats per failure kind as docs/LIMITS.md says, reports each
// repetition to OnRetry, and stops at MaxElapsed on its clock.
func TestRetryPerFailureKind(t *testing.T) {
	refused := &tg.NetworkError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	reset := &tg.NetworkError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	for _, tt := range []struct {
		name   string
		method string
		err    error
		calls  int
	}{
		{"not sent, send", "sendMessage", refused, 4},
		{"not sent, DNS", "sendMessage", &tg.NetworkError{Err: &net.DNSError{Err: "no such host"}}, 4},
		{"reset, send", "sendMessage", reset, 1},
		{"reset, getter", "getChat", reset, 4},
		{"5xx, send", "sendMessage", &tg.Error{Code: 502}, 1},
		{"5xx, setter", "setMyCommands", &tg.Error{Code: 500}, 4},
		{"5xx, deleteWebhook", "deleteWebhook", &tg.Error{Code: 503}, 4},
		{"5xx, deleteMessage", "deleteMessage", &tg.Error{Code: 503}, 1},
		{"429", "getChat", &tg.Error{Code: 429, RetryAfter: time.Second}, 1},
		{"4xx", "getChat", &tg.Error{Code: 400}, 1},
		{"bad arguments", "getChat", errors.New("tg: getChat: encoding"), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls int
				var retries []int
				cfg := RetryConfig{OnRetry: func(method string, attempt int, err error) {
					if method != tt.method || !errors.Is(err, tt.err) {
						t.Errorf("OnRetry(%s, %d, %v)", method, attempt, err)
					}
					retries = append(retries, attempt)
				}}
				c := Retry(cfg)(tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return tt.err }))
				err := c.Call(context.Background(), tt.method, nil, nil) // the bubble's time runs through the back-offs
				if !errors.Is(err, tt.err) || calls != tt.calls {
					t.Fatalf("err %v after %d calls, want %d", err, calls, tt.calls)
				}
				if len(retries) != tt.calls-1 || (len(retries) > 0 && retries[0] != 2) {
					t.Fatalf("OnRetry attempts %v for %d calls", retries, calls)
				}
			})
		})
	}
}

// MaxElapsed stops the attempts whose back-off would end past it; a
// context deadline does the same without waiting for it.
func TestRetryElapsedAndDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls int
		fail := tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return &tg.Error{Code: 502} })
		cfg := RetryConfig{BaseDelay: 100 * time.Millisecond, MaxElapsed: 250 * time.Millisecond, MaxAttempts: 10}
		cfg.rand = func() float64 { return 1 } // no jitter: 100 ms, then 200 ms
		start := time.Now()
		_ = Retry(cfg)(fail).Call(context.Background(), "getMe", nil, nil)
		if calls != 2 || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("%d calls in %v, want 2 in 100ms (the third would start at 300 ms > 250 ms)", calls, time.Since(start))
		}

		calls = 0
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cfg = RetryConfig{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 2 * time.Hour}
		err := Retry(cfg)(fail).Call(ctx, "getMe", nil, nil)
		if calls != 1 || !tg.IsCode(err, 502) {
			t.Fatalf("err %v after %d calls, want the 502 after 1 (the back-off ends past the deadline)", err, calls)
		}
	})
}

// A one-shot upload nested in a slice (an album's media) or a map is
// never repeated; a seekable one in the same place is.
func TestRetryNestedOneShotUpload(t *testing.T) {
	refused := &tg.NetworkError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	media := func(r io.Reader) []tg.InputMedia {
		return []tg.InputMedia{
			&tg.InputMediaPhoto{Media: tg.FileID("AAA")},
			&tg.InputMediaPhoto{Media: tg.FileUpload("b.jpg", r)},
		}
	}
	for _, tt := range []struct {
		name   string
		params any
		calls  int
	}{
		{"album, one-shot", &tg.SendMediaGroupParams{ChatID: tg.ID(1), Media: media(nonSeeker{strings.NewReader("x")})}, 1},
		{"album, seekable", &tg.SendMediaGroupParams{ChatID: tg.ID(1), Media: media(bytes.NewReader([]byte("x")))}, 2},
		{"map, one-shot", map[string]any{"chat_id": 1, "photo": tg.FileUpload("a.jpg", nonSeeker{strings.NewReader("x")})}, 1},
		{"map, file id", map[string]any{"chat_id": 1, "photo": tg.FileID("AAA")}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := 0
				c := Retry(RetryConfig{})(tg.CallerFunc(func(context.Context, string, any, any) error {
					calls++
					if calls == 1 {
						return refused
					}
					return nil
				}))
				_ = c.Call(context.Background(), "sendMediaGroup", tt.params, nil)
				if calls != tt.calls {
					t.Fatalf("%d calls, want %d", calls, tt.calls)
				}
			})
		})
	}
}

// A context that ends during the back-off ends the retries: the error
// carries both the last failure and the context's error.
func TestRetryCancelledDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		c := Retry(RetryConfig{OnRetry: func(string, int, error) { cancel() }})(
			tg.CallerFunc(func(context.Context, string, any, any) error { calls++; return &tg.Error{Code: 500} }))
		start := time.Now()
		err := c.Call(ctx, "getMe", nil, nil)
		if calls != 1 || !tg.IsCode(err, 500) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v after %d calls, want the 500 joined with context.Canceled after 1", err, calls)
		}
		if waited := time.Since(start); waited != 0 { // only the cancel ended the wait
			t.Fatalf("the back-off ran %v before the cancel ended it", waited)
		}
		if classify(nil) != permanent {
			t.Fatal("classify(nil) is not permanent")
		}
	})
}

// unexportedChat has the chat in an unexported field named like the
// exported one, which the limiter must not read (it cannot, without
// unsafe, and json would not send it).
type unexportedChat struct {
	chatID int64
	Text   string
}

func TestTargetOfEdgeShapes(t *testing.T) {
	var nilPtr *ownParams
	tests := []struct {
		name   string
		params any
		want   target
	}{
		{"unexported chat field", &unexportedChat{chatID: 5}, target{}},
		{"nil pointer to a pointer", &nilPtr, target{}},
		{"pointer to a pointer", func() any { p := &ownParams{Chat: -3}; return &p }(), target{chat: tg.ID(-3)}},
		{"map with non-string keys", map[int]any{1: 2}, target{}},
		{"map, unusable chat", map[string]any{"chat_id": 1.5}, target{}},
		{"map, chat id of type ChatID", map[string]any{"chat_id": tg.Username("@Big")}, target{chat: tg.Username("big")}},
	}
	for _, tt := range tests {
		if got := targetOf(tt.params); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	_ = unexportedChat{}.chatID
}
