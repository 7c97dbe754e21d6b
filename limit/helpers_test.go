package limit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// Tests of timing run in a testing/synctest bubble: the limiter and the
// emulator use the wall clock (Clock nil), which in the bubble is a fake
// one that moves only when every goroutine of the bubble is durably
// blocked, to the next timer. Time is exact, and a test waits for no real
// time; synctest.Wait stands for "every caller now waits in the limiter".

const testToken = "4242:limit-test-secret"

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
		r.calls = append(r.calls, sent{method: method, chat: targetOf(params).chat, at: time.Now(), label: label})
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

// handlerTransport is an http.RoundTripper that serves each request by
// calling h in the caller's goroutine: no network, so it works in a
// synctest bubble (a socket's I/O never blocks durably). (The package's
// tests cannot use emutest.InProcess: emutest imports herald, which
// imports limit.)
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	req := r.Clone(r.Context())
	req.RequestURI = r.URL.RequestURI()
	req.RemoteAddr = "192.0.2.1:1234"
	if req.Body == nil {
		req.Body = http.NoBody
	}
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, req)
	_ = req.Body.Close()
	return w.Result(), nil
}

// env is an emulator and a bot client whose limiter runs on the same
// clock (the bubble's): the client calls the emulator's handler in
// process.
type env struct {
	emu *emulator.Emulator
	lim *Limiter
	rec *recorder
	bot *tg.Client
}

// newEnv must be called in a synctest bubble.
func newEnv(t *testing.T, cfg Config, limits *emulator.Limits) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Limits: limits}) // Clock nil: the bubble's
	t.Cleanup(func() { _ = emu.Close() })
	lim := New(cfg) // Clock nil: the bubble's
	rec := &recorder{}
	bot, err := tg.New(testToken, tg.WithBaseURL("http://emulator.invalid"),
		tg.WithHTTPClient(&http.Client{Transport: handlerTransport{emu.Handler()}}),
		tg.WithMiddleware(lim.Middleware(), rec.middleware))
	if err != nil {
		t.Fatal(err)
	}
	return &env{emu: emu, lim: lim, rec: rec, bot: bot}
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

// send sends one message from a goroutine of wg, reporting failures
// (but not those of a test already over: ctx is then cancelled).
func (e *env) send(t testing.TB, wg *sync.WaitGroup, ctx context.Context, chat int64, text string) {
	wg.Go(func() {
		if _, err := e.bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(chat), Text: text}); err != nil && ctx.Err() == nil {
			t.Errorf("send to %d: %v", chat, err)
		}
	})
}

// testCtx is for the tests over a real network, outside a bubble.
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
