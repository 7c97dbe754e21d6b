package limit

import (
	"context"
	"net/http/httptest"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

const testToken = "4242:limit-test-secret"

// fakeClock adapts the emulator's FakeClock, which the emulator and the
// limiter then share, and remembers the deadlines of the limiter's timers
// so that the driver knows where to advance to.
type fakeClock struct {
	fc *emulator.FakeClock

	mu     sync.Mutex
	timers map[*fakeTimer]struct{}
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	t  emulator.Timer
}

func newFakeClock() *fakeClock {
	return &fakeClock{fc: emulator.NewFakeClock(time.Time{}), timers: make(map[*fakeTimer]struct{})}
}

func (c *fakeClock) Now() time.Time { return c.fc.Now() }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	ft := &fakeTimer{c: c, at: c.fc.Now().Add(max(d, 0))}
	c.mu.Lock()
	c.timers[ft] = struct{}{}
	c.mu.Unlock()
	ft.t = c.fc.AfterFunc(d, func() {
		c.forget(ft)
		f()
	})
	return ft
}

func (t *fakeTimer) Stop() bool {
	t.c.forget(t)
	return t.t.Stop()
}

func (c *fakeClock) forget(t *fakeTimer) {
	c.mu.Lock()
	delete(c.timers, t)
	c.mu.Unlock()
}

// next returns the earliest pending timer's deadline.
func (c *fakeClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for t := range c.timers {
		if at.IsZero() || t.at.Before(at) {
			at = t.at
		}
	}
	return at, !at.IsZero()
}

// group runs callers in goroutines and knows how many are still running.
type group struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	live int
}

func (g *group) Go(f func()) {
	g.mu.Lock()
	g.live++
	g.mu.Unlock()
	g.wg.Go(func() {
		defer func() {
			g.mu.Lock()
			g.live--
			g.mu.Unlock()
		}()
		f()
	})
}

func (g *group) alive() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.live
}

// settle waits (in real time) until every running caller is blocked in l,
// so that nothing more can happen before the fake clock moves.
func settle(t testing.TB, l *Limiter, g *group) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		if n := g.alive(); l.Stats().Waiting == n {
			// Confirm after a moment: a caller may be between two waits.
			time.Sleep(200 * time.Microsecond)
			if l.Stats().Waiting == g.alive() && g.alive() == n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("callers did not settle: %d running, %d waiting", g.alive(), l.Stats().Waiting)
		}
		if i%64 == 63 {
			time.Sleep(50 * time.Microsecond)
		} else {
			runtime.Gosched()
		}
	}
}

// drive advances the fake clock from timer to timer until every caller
// of g has returned. steps bounds the number of advances.
func drive(t testing.TB, c *fakeClock, l *Limiter, g *group, steps int) {
	t.Helper()
	for range steps {
		settle(t, l, g)
		if g.alive() == 0 {
			g.wg.Wait()
			return
		}
		at, ok := c.next()
		if !ok {
			t.Fatalf("%d callers blocked with no timer pending", g.alive())
		}
		c.fc.Set(at)
	}
	t.Fatalf("still %d callers running after %d clock steps", g.alive(), steps)
}

// step advances the fake clock to the next timer once everything settled.
func step(t testing.TB, c *fakeClock, l *Limiter, g *group) {
	t.Helper()
	settle(t, l, g)
	at, ok := c.next()
	if !ok {
		t.Fatal("no timer pending")
	}
	c.fc.Set(at)
	settle(t, l, g)
}

// sent is one call that reached the wire.
type sent struct {
	method string
	chat   tg.ChatID
	at     time.Time
	label  string
}

// recorder is a middleware, inside the limiter, that records when each
// call was let through.
type recorder struct {
	clock Clock
	mu    sync.Mutex
	calls []sent
}

type labelKey struct{}

func withLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, labelKey{}, label)
}

func (r *recorder) middleware(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		label, _ := ctx.Value(labelKey{}).(string)
		r.mu.Lock()
		r.calls = append(r.calls, sent{method: method, chat: targetOf(params).chat, at: r.clock.Now(), label: label})
		r.mu.Unlock()
		return next.Call(ctx, method, params, result)
	})
}

// times returns the recorded times of calls matching keep, in order.
func (r *recorder) times(keep func(sent) bool) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for _, s := range r.calls {
		if keep == nil || keep(s) {
			out = append(out, s.at)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// env is an emulator on a fake clock, served over HTTP on 127.0.0.1, and
// a bot client whose limiter shares the clock.
type env struct {
	clock *fakeClock
	emu   *emulator.Emulator
	url   string
	lim   *Limiter
	rec   *recorder
	bot   *tg.Client
}

func newEnv(t testing.TB, cfg Config, limits *emulator.Limits) *env {
	t.Helper()
	c := newFakeClock()
	emu := emulator.New(emulator.Options{Clock: c.fc, Limits: limits})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() })
	cfg.Clock = c
	lim := New(cfg)
	rec := &recorder{clock: c}
	bot, err := tg.New(testToken, tg.WithBaseURL(srv.URL), tg.WithMiddleware(lim.Middleware(), rec.middleware))
	if err != nil {
		t.Fatal(err)
	}
	return &env{clock: c, emu: emu, url: srv.URL, lim: lim, rec: rec, bot: bot}
}

// users makes users first..first+n-1 write to the bot, creating their
// private chats.
func (e *env) users(t testing.TB, first int64, n int) {
	t.Helper()
	for id := first; id < first+int64(n); id++ {
		if _, err := e.emu.SendMessage(context.Background(), emulator.UserMessage{Token: testToken, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
	}
}

// groupChat makes a user write in the group id (negative), creating it.
func (e *env) groupChat(t testing.TB, id int64) {
	t.Helper()
	_, err := e.emu.SendMessage(context.Background(), emulator.UserMessage{
		Token: testToken, From: tg.User{ID: 9, FirstName: "G"}, Chat: tg.Chat{ID: id, Type: "supergroup"}, Text: "hi",
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) stats(t testing.TB) emulator.Stats {
	t.Helper()
	s, err := e.emu.Stats(testToken)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// send sends one message from a goroutine of g, reporting failures.
func (e *env) send(t testing.TB, g *group, ctx context.Context, chat int64, text string) {
	g.Go(func() {
		if _, err := e.bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(chat), Text: text}); err != nil {
			t.Errorf("send to %d: %v", chat, err)
		}
	})
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// maxInWindow returns the most times falling in any half-open window of
// length w. times must be sorted.
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

// interval of a rate, as the limiter computes it.
func ivl(r Rate) time.Duration { return r.Interval() }
