package limit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// 200 messages to 200 chats as fast as possible: zero 429s from the
// emulator (Telegram's limits, same clock), one message every 1/25 s,
// so the last leaves 199/25 s after the first.
func TestBroadcastKeepsGlobalRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil)
		const n = 200
		e.users(t, 1, n)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		for id := int64(1); id <= n; id++ {
			e.send(t, &g, ctx, id, "news")
		}
		g.Wait()

		st := e.stats(t)
		if st.TooManyRequests != 0 || st.Requests["sendMessage"] != n {
			t.Fatalf("emulator saw %d sendMessage, %d 429s; want %d, 0", st.Requests["sendMessage"], st.TooManyRequests, n)
		}
		times := e.rec.Times(nil)
		step := limit.DefaultGlobal.Interval()
		for i, at := range times {
			if want := start.Add(time.Duration(i) * step); !at.Equal(want) {
				t.Fatalf("message %d sent at +%v, want +%v", i, at.Sub(start), want.Sub(start))
			}
		}
		if took := times[n-1].Sub(start); took != (n-1)*step {
			t.Fatalf("took %v, want %v", took, (n-1)*step)
		}
		if m := testkit.MaxInWindow(times, time.Second); m > 25 {
			t.Fatalf("%d messages in one second, want ≤ 25", m)
		}
		t.Logf("%d messages in %v of limiter time (%.2f/s)", n, times[n-1].Sub(start), float64(n-1)/times[n-1].Sub(start).Seconds())
	})
}

// Ten messages to one chat: a burst of two (spaced by the global rate),
// then one every 1.1 s, and none refused. Five messages to other chats,
// sent after them, go out in the next global slots instead of waiting
// behind the busy chat.
func TestBusyChatDelaysNoOtherChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil)
		e.users(t, 1, 6)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		for range 10 {
			e.send(t, &g, limit.WithLabel(ctx, "busy"), 1, "busy")
		}
		synctest.Wait() // the first went out, the other nine wait in the limiter
		for id := int64(2); id <= 6; id++ {
			e.send(t, &g, limit.WithLabel(ctx, "other"), id, "other")
		}
		g.Wait()

		if st := e.stats(t); st.TooManyRequests != 0 {
			t.Fatalf("emulator answered %d 429s", st.TooManyRequests)
		}
		step, chat := limit.DefaultGlobal.Interval(), limit.DefaultChat.Interval()
		want := []time.Duration{0, step}
		for i := 1; i <= 8; i++ {
			want = append(want, time.Duration(i)*chat)
		}
		limit.CheckTimes(t, "busy chat", e.rec.Times(limit.Labelled("busy")), start, want)
		limit.CheckTimes(t, "other chats", e.rec.Times(limit.Labelled("other")), start,
			[]time.Duration{2 * step, 3 * step, 4 * step, 5 * step, 6 * step})
	})
}

// 25 messages to one supergroup: one every 3.33 s (18/min, evenly
// spaced), never more than 18 in any minute, none refused.
func TestGroupLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil)
		e.groupChat(t, -100123)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		for range 25 {
			e.send(t, &g, ctx, -100123, "to the group")
		}
		g.Wait()

		if st := e.stats(t); st.TooManyRequests != 0 {
			t.Fatalf("emulator answered %d 429s", st.TooManyRequests)
		}
		times := e.rec.Times(nil)
		var want []time.Duration
		for i := range 25 {
			want = append(want, time.Duration(i)*limit.DefaultGroup.Interval())
		}
		limit.CheckTimes(t, "group", times, start, want)
		if m := testkit.MaxInWindow(times, time.Minute); m > 18 {
			t.Fatalf("%d messages in one minute, want ≤ 18", m)
		}
	})
}

// Bulk messages queue for the global budget; an Interactive reply that
// arrives behind them takes the very next slot.
func TestInteractiveBeforeBulk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil)
		e.users(t, 1, 21)
		ctx := t.Context()
		bulk := limit.WithPriority(limit.WithLabel(ctx, "bulk"), limit.Bulk)
		start := time.Now()
		var g sync.WaitGroup
		for id := int64(1); id <= 20; id++ {
			e.send(t, &g, bulk, id, "digest")
		}
		synctest.Wait() // the first went out; the others queue
		e.send(t, &g, limit.WithLabel(ctx, "reply"), 21, "reply")
		g.Wait()

		step := limit.DefaultGlobal.Interval()
		limit.CheckTimes(t, "reply", e.rec.Times(limit.Labelled("reply")), start, []time.Duration{step})
		bulkWant := []time.Duration{0}
		for i := 2; i <= 20; i++ {
			bulkWant = append(bulkWant, time.Duration(i)*step)
		}
		limit.CheckTimes(t, "bulk", e.rec.Times(limit.Labelled("bulk")), start, bulkWant)
	})
}

// The emulator refuses a second message to a chat within 10 s (its chat
// limit is set stricter than the limiter's): its 429 retry_after pauses
// that chat, the refused message is repeated when the pause ends and
// goes through, and a message to another chat does not wait for it.
func TestTooManyRequestsPausesItsChat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limits := emulator.TelegramLimits()
		limits.Chat = emulator.Rate{Count: 1, Per: 10 * time.Second, Burst: 1}
		e := newEnv(t, limit.Config{}, &limits)
		e.users(t, 1, 2)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		e.send(t, &g, limit.WithLabel(ctx, "first"), 1, "one")
		g.Wait()
		if time.Since(start) != 0 {
			t.Fatalf("the first message took %v", time.Since(start))
		}
		e.send(t, &g, limit.WithLabel(ctx, "refused"), 1, "two") // 429 retry_after 10
		synctest.Wait()                                          // it waits for the next global slot
		if st := e.lim.Stats(); st.TooManyRequests != 0 || st.Waiting != 1 {
			t.Fatalf("before the next global slot: %+v, want no 429 and one waiting", st)
		}
		time.Sleep(limit.DefaultGlobal.Interval()) // the slot: refused, and its chat paused
		synctest.Wait()
		if st := e.lim.Stats(); st.TooManyRequests != 1 {
			t.Fatalf("limiter saw %d 429s, want 1", st.TooManyRequests)
		}
		e.send(t, &g, limit.WithLabel(ctx, "other"), 2, "three")
		g.Wait()

		if st := e.stats(t); st.TooManyRequests != 1 || st.Requests["sendMessage"] != 4 {
			t.Fatalf("emulator: %d sendMessage, %d 429s; want 4, 1", st.Requests["sendMessage"], st.TooManyRequests)
		}
		if st := e.lim.Stats(); st.Retried != 1 {
			t.Fatalf("limiter retried %d calls, want 1", st.Retried)
		}
		step := limit.DefaultGlobal.Interval()
		resume := step + 10*time.Second // the 429 came at +step and said 10 s
		limit.CheckTimes(t, "refused", e.rec.Times(limit.Labelled("refused")), start, []time.Duration{step, resume})
		limit.CheckTimes(t, "other", e.rec.Times(limit.Labelled("other")), start, []time.Duration{2 * step})
	})
}

// A call waiting for its chat, and one waiting in the queue, both return
// when their context ends; the others go on.
func TestContextCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil)
		e.users(t, 1, 3)
		ctx := t.Context()
		var g sync.WaitGroup
		for range 3 {
			e.send(t, &g, ctx, 1, "burst")
		}
		g.Wait()

		chatCtx, cancelChat := context.WithCancel(ctx)
		queueCtx, cancelQueue := context.WithCancel(ctx)
		errs := make(chan error, 2)
		g.Go(func() { // chat 1 is out of burst: waits for its chat
			_, err := e.bot.SendMessage(chatCtx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "late"})
			errs <- err
		})
		synctest.Wait()
		e.send(t, &g, limit.WithLabel(ctx, "first"), 2, "first") // takes the global slot
		synctest.Wait()
		g.Go(func() { // queued behind the global slot
			_, err := e.bot.SendMessage(queueCtx, tg.SendMessageParams{ChatID: tg.ID(3), Text: "queued"})
			errs <- err
		})
		e.send(t, &g, limit.WithLabel(ctx, "after"), 2, "after")
		synctest.Wait()
		// late (its chat), first (holds the turn through the global wait),
		// queued and after (in the queue).
		if n := e.lim.Stats().Waiting; n != 4 {
			t.Fatalf("%d callers waiting before the cancels, want 4", n)
		}
		cancelChat()
		cancelQueue()
		for range 2 {
			if err := <-errs; !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
		}
		g.Wait()
		if n := e.lim.Stats().Waiting; n != 0 {
			t.Fatalf("%d callers still counted as waiting", n)
		}
		if got := len(e.rec.Times(limit.Labelled("after"))); got != 1 {
			t.Fatalf("the call after the cancelled ones went out %d times", got)
		}
	})
}

// env is an emulator (Telegram's limits unless told) and a bot client
// with a limiter, in a synctest bubble: the emulator and the limiter read
// the bubble's clock, and the client reaches the emulator through
// emutest.InProcess (HTTP over in-memory pipes, which block durably). rec,
// inside the limiter, records when each call was let through.
type env struct {
	emu *emulator.Emulator
	lim *limit.Limiter
	rec *testkit.Caller
	bot *tg.Client
}

// newEnv must be called in a synctest bubble.
func newEnv(t *testing.T, cfg limit.Config, limits *emulator.Limits) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Limits: limits})
	in := emutest.NewInProcess(emu.Handler())
	t.Cleanup(func() { _ = in.Close(); _ = emu.Close() })
	e := &env{emu: emu, lim: limit.New(cfg), rec: &testkit.Caller{}}
	bot, err := tg.New(limit.TestToken, tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(in.Client()),
		tg.WithMiddleware(e.lim.Middleware(), e.rec.Middleware))
	if err != nil {
		t.Fatal(err)
	}
	e.bot = bot
	return e
}

// users makes users first..first+n-1 write to the bot, creating their
// private chats.
func (e *env) users(t testing.TB, first int64, n int) {
	t.Helper()
	for id := first; id < first+int64(n); id++ {
		if _, err := e.emu.SendMessage(context.Background(), emulator.UserMessage{Token: limit.TestToken, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"}); err != nil {
			t.Fatal(err)
		}
	}
}

// groupChat makes a user write in the group id (negative), creating it.
func (e *env) groupChat(t testing.TB, id int64) {
	t.Helper()
	_, err := e.emu.SendMessage(context.Background(), emulator.UserMessage{
		Token: limit.TestToken, From: tg.User{ID: 9, FirstName: "G"}, Chat: tg.Chat{ID: id, Type: "supergroup"}, Text: "hi",
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) stats(t testing.TB) emulator.Stats {
	t.Helper()
	s, err := e.emu.Stats(limit.TestToken)
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
