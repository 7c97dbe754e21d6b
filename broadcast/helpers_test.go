package broadcast_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

const token = "5150:broadcast-test-secret"

// limClock is the emulator's fake clock as the limiter's clock; it keeps
// the deadlines of the limiter's timers, so that the test advances time
// exactly to the limiter's next decision.
type limClock struct {
	fc *emulator.FakeClock

	mu       sync.Mutex
	pending  map[*limTimer]time.Time
	sequence int
}

type limTimer struct {
	c *limClock
	t emulator.Timer
}

func (c *limClock) Now() time.Time { return c.fc.Now() }

func (c *limClock) AfterFunc(d time.Duration, f func()) limit.Timer {
	lt := &limTimer{c: c}
	c.mu.Lock()
	c.pending[lt] = c.fc.Now().Add(max(d, 0))
	c.mu.Unlock()
	lt.t = c.fc.AfterFunc(d, func() { c.drop(lt); f() })
	return lt
}

func (t *limTimer) Stop() bool { t.c.drop(t); return t.t.Stop() }

func (c *limClock) drop(t *limTimer) {
	c.mu.Lock()
	delete(c.pending, t)
	c.mu.Unlock()
}

func (c *limClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, d := range c.pending {
		if at.IsZero() || d.Before(at) {
			at = d
		}
	}
	return at, !at.IsZero()
}

// runnerClock is the fake clock for the runner, whose timers (lease
// renewals) the test does not wait for.
type runnerClock struct{ *emulator.FakeClock }

func (c runnerClock) AfterFunc(d time.Duration, f func()) limit.Timer {
	return c.FakeClock.AfterFunc(d, f)
}

// sendRecord is one counted call that passed the limiter.
type sendRecord struct {
	chat int64
	at   time.Time
}

// env is the emulator (Telegram's limits, fake clock) over HTTP on
// 127.0.0.1 and a bot client whose limiter shares the clock.
type env struct {
	t      testing.TB
	clock  *limClock
	emu    *emulator.Emulator
	srv    *httptest.Server
	lim    *limit.Limiter
	bot    *tg.Client
	inCall atomic.Int64 // calls between the client and the limiter's exit

	mu    sync.Mutex
	sends []sendRecord
}

func newEnv(t testing.TB, cfg limit.Config, limits *emulator.Limits, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	c := &limClock{fc: emulator.NewFakeClock(time.Time{}), pending: make(map[*limTimer]time.Time)}
	emu := emulator.New(emulator.Options{Clock: c.fc, Limits: limits, MaxMessagesPerChat: 10})
	var h http.Handler = emu.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h) // 127.0.0.1
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() })
	cfg.Clock = c
	e := &env{t: t, clock: c, emu: emu, srv: srv, lim: limit.New(cfg)}
	e.bot = e.client(nil)
	return e
}

// client returns a bot client (through e's limiter and recorders) using
// hc, or a default HTTP client when hc is nil.
func (e *env) client(hc *http.Client) *tg.Client {
	e.t.Helper()
	opts := []tg.Option{tg.WithBaseURL(e.srv.URL), tg.WithMiddleware(e.count, e.lim.Middleware(), e.record)}
	if hc != nil {
		opts = append(opts, tg.WithHTTPClient(hc))
	}
	bot, err := tg.New(token, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return bot
}

// count tracks the calls in progress, outside the limiter.
func (e *env) count(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		e.inCall.Add(1)
		defer e.inCall.Add(-1)
		return next.Call(ctx, method, params, result)
	})
}

// record notes when each send passed the limiter, on the fake clock.
func (e *env) record(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		var chat tg.ChatID
		switch p := params.(type) {
		case *tg.SendMessageParams:
			chat = p.ChatID
		case *tg.SendPhotoParams:
			chat = p.ChatID
		}
		id, _ := chat.Int64()
		e.mu.Lock()
		e.sends = append(e.sends, sendRecord{chat: id, at: e.clock.Now()})
		e.mu.Unlock()
		return next.Call(ctx, method, params, result)
	})
}

// sendTimes returns the times of the sends to chats matching keep, sorted.
func (e *env) sendTimes(keep func(int64) bool) []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []time.Time
	for _, s := range e.sends {
		if keep == nil || keep(s.chat) {
			out = append(out, s.at)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// users makes users first..first+n-1 write to the bot, opening their
// private chats, and returns their ids.
func (e *env) users(first int64, n int) []int64 {
	e.t.Helper()
	ids := make([]int64, 0, n)
	for id := first; id < first+int64(n); id++ {
		if _, err := e.emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// botMessages returns how many messages the bot posted in chat.
func (e *env) botMessages(chat int64) int {
	e.t.Helper()
	tr, err := e.emu.Transcript(token, chat)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, m := range tr {
		if m.Sender == "bot" {
			n++
		}
	}
	return n
}

// run starts broadcast.Run in a goroutine.
type running struct {
	done chan struct{}
	p    broadcast.Progress
	err  error
}

func (e *env) run(ctx context.Context, store broadcast.Store, id int64, opts broadcast.Options) *running {
	return e.runWith(ctx, e.bot, store, id, opts)
}

func (e *env) runWith(ctx context.Context, bot *tg.Client, store broadcast.Store, id int64, opts broadcast.Options) *running {
	if opts.Clock == nil {
		opts.Clock = runnerClock{e.clock.fc}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &running{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.p, r.err = broadcast.Run(ctx, bot, store, id, opts)
	}()
	return r
}

// drive moves the fake clock to the limiter's next timer each time every
// call in progress waits in the limiter, until r ends. busy is how many
// calls are expected in progress (fewer are accepted once they have been
// stable for a moment: the end of the campaign). steps bounds the run.
func (e *env) drive(r *running, busy func() int, steps int) {
	e.t.Helper()
	for range steps {
		if !e.settle(r, busy) {
			return
		}
		at, ok := e.clock.next()
		if !ok {
			e.t.Fatalf("%d calls in progress and no limiter timer", e.inCall.Load())
		}
		e.clock.fc.Set(at)
	}
	e.t.Fatalf("run not finished after %d clock steps", steps)
}

// settle waits until every call in progress is waiting in the limiter
// (true) or the run has ended (false).
func (e *env) settle(r *running, busy func() int) bool {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var since time.Time
	for i := 0; ; i++ {
		select {
		case <-r.done:
			return false
		default:
		}
		n := e.inCall.Load()
		if w := int64(e.lim.Stats().Waiting); w == n && n > 0 {
			if since.IsZero() {
				since = time.Now()
			}
			if n >= int64(busy()) || time.Since(since) > 5*time.Millisecond {
				time.Sleep(100 * time.Microsecond) // confirm: nobody between two waits
				if e.inCall.Load() == n && int64(e.lim.Stats().Waiting) == n {
					return true
				}
			}
		} else {
			since = time.Time{}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("calls did not settle: %d in progress, %d waiting", e.inCall.Load(), e.lim.Stats().Waiting)
		}
		if i%32 == 31 {
			time.Sleep(20 * time.Microsecond)
		} else {
			runtime.Gosched()
		}
	}
}

func constant(n int) func() int { return func() int { return n } }

// maxInWindow returns the most of the sorted times in any window w.
func maxInWindow(times []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	t.Cleanup(cancel)
	return ctx
}
