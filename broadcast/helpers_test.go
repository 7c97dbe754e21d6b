package broadcast_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// The tests run in a testing/synctest bubble: the emulator, the limiter
// and the runner read the wall clock, which in the bubble is a fake one that moves, to the next timer, only when every goroutine of
// the bubble is durably blocked (every send waits in the limiter). Time
// is exact and no test waits for real time. The client reaches the
// emulator through emutest.InProcess: real HTTP over in-memory pipes, as
// a socket's I/O would not block durably.

const token = "5150:broadcast-test-secret"

// env is the emulator (Telegram's limits) served in process and a bot
// client with a limiter, all on the bubble's clock. rec, inside the
// limiter, records when each call passed it.
type env struct {
	t   testing.TB
	emu *emulator.Emulator
	net *emutest.InProcess
	lim *limit.Limiter
	rec *testkit.Caller
	bot *tg.Client
}

// newEnv must be called in a synctest bubble. wrap, if not nil, wraps the
// emulator's handler.
func newEnv(t *testing.T, cfg limit.Config, limits *emulator.Limits, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Limits: limits, MaxMessagesPerChat: 10})
	var h http.Handler = emu.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	in := emutest.NewInProcess(h)
	t.Cleanup(func() { _ = in.Close(); _ = emu.Close() })
	e := &env{t: t, emu: emu, net: in, lim: limit.New(cfg), rec: &testkit.Caller{}}
	e.bot = e.client(nil)
	return e
}

// client returns a bot client (through e's limiter and rec) using
// hc, or e's in-process transport when hc is nil.
func (e *env) client(hc *http.Client) *tg.Client {
	e.t.Helper()
	if hc == nil {
		hc = e.net.Client()
	}
	bot, err := tg.New(token, tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(hc),
		tg.WithMiddleware(e.lim.Middleware(), e.rec.Middleware))
	if err != nil {
		e.t.Fatal(err)
	}
	return bot
}

// sendTimes returns when the calls into chats matching keep (every call
// when keep is nil) passed the limiter, in order.
func (e *env) sendTimes(keep func(int64) bool) []time.Time {
	return e.rec.Times(func(c testkit.Call) bool {
		if keep == nil {
			return true
		}
		var chat tg.ChatID
		switch p := c.Params.(type) {
		case *tg.SendMessageParams:
			chat = p.ChatID
		case *tg.SendPhotoParams:
			chat = p.ChatID
		}
		id, _ := chat.Int64()
		return keep(id)
	})
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

// wait returns when the run has ended. (In a bubble, a run that can no
// longer end is a deadlock, which fails the test.)
func (r *running) wait() { <-r.done }

func (e *env) run(ctx context.Context, store broadcast.Store, id int64, opts broadcast.Options) *running {
	return e.runWith(ctx, e.bot, store, id, opts)
}

func (e *env) runWith(ctx context.Context, bot *tg.Client, store broadcast.Store, id int64, opts broadcast.Options) *running {
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
