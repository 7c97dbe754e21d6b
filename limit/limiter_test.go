package limit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// 200 messages to 200 chats as fast as possible: zero 429s from the
// emulator (Telegram's limits, same clock), one message every 1/25 s,
// so the last leaves 199/25 s after the first.
func TestBroadcastKeepsGlobalRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, Config{}, nil)
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
		times := e.rec.times(nil)
		step := ivl(DefaultGlobal)
		for i, at := range times {
			if want := start.Add(time.Duration(i) * step); !at.Equal(want) {
				t.Fatalf("message %d sent at +%v, want +%v", i, at.Sub(start), want.Sub(start))
			}
		}
		if took := times[n-1].Sub(start); took != (n-1)*step {
			t.Fatalf("took %v, want %v", took, (n-1)*step)
		}
		if m := maxInWindow(times, time.Second); m > 25 {
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
		e := newEnv(t, Config{}, nil)
		e.users(t, 1, 6)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		for range 10 {
			e.send(t, &g, withLabel(ctx, "busy"), 1, "busy")
		}
		synctest.Wait() // the first went out, the other nine wait in the limiter
		for id := int64(2); id <= 6; id++ {
			e.send(t, &g, withLabel(ctx, "other"), id, "other")
		}
		g.Wait()

		if st := e.stats(t); st.TooManyRequests != 0 {
			t.Fatalf("emulator answered %d 429s", st.TooManyRequests)
		}
		step, chat := ivl(DefaultGlobal), ivl(DefaultChat)
		want := []time.Duration{0, step}
		for i := 1; i <= 8; i++ {
			want = append(want, time.Duration(i)*chat)
		}
		checkTimes(t, "busy chat", e.rec.times(func(s sent) bool { return s.label == "busy" }), start, want)
		checkTimes(t, "other chats", e.rec.times(func(s sent) bool { return s.label == "other" }), start,
			[]time.Duration{2 * step, 3 * step, 4 * step, 5 * step, 6 * step})
	})
}

// 25 messages to one supergroup: one every 3.33 s (18/min, evenly
// spaced), never more than 18 in any minute, none refused.
func TestGroupLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, Config{}, nil)
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
		times := e.rec.times(nil)
		var want []time.Duration
		for i := range 25 {
			want = append(want, time.Duration(i)*ivl(DefaultGroup))
		}
		checkTimes(t, "group", times, start, want)
		if m := maxInWindow(times, time.Minute); m > 18 {
			t.Fatalf("%d messages in one minute, want ≤ 18", m)
		}
	})
}

// Bulk messages queue for the global budget; an Interactive reply that
// arrives behind them takes the very next slot.
func TestInteractiveBeforeBulk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, Config{}, nil)
		e.users(t, 1, 21)
		ctx := t.Context()
		bulk := WithPriority(withLabel(ctx, "bulk"), Bulk)
		start := time.Now()
		var g sync.WaitGroup
		for id := int64(1); id <= 20; id++ {
			e.send(t, &g, bulk, id, "digest")
		}
		synctest.Wait() // the first went out; the others queue
		e.send(t, &g, withLabel(ctx, "reply"), 21, "reply")
		g.Wait()

		step := ivl(DefaultGlobal)
		checkTimes(t, "reply", e.rec.times(func(s sent) bool { return s.label == "reply" }), start, []time.Duration{step})
		bulkWant := []time.Duration{0}
		for i := 2; i <= 20; i++ {
			bulkWant = append(bulkWant, time.Duration(i)*step)
		}
		checkTimes(t, "bulk", e.rec.times(func(s sent) bool { return s.label == "bulk" }), start, bulkWant)
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
		e := newEnv(t, Config{}, &limits)
		e.users(t, 1, 2)
		ctx := t.Context()
		start := time.Now()
		var g sync.WaitGroup
		e.send(t, &g, withLabel(ctx, "first"), 1, "one")
		g.Wait()
		if time.Since(start) != 0 {
			t.Fatalf("the first message took %v", time.Since(start))
		}
		e.send(t, &g, withLabel(ctx, "refused"), 1, "two") // 429 retry_after 10
		synctest.Wait()                                    // it waits for the next global slot
		if st := e.lim.Stats(); st.TooManyRequests != 0 || st.Waiting != 1 {
			t.Fatalf("before the next global slot: %+v, want no 429 and one waiting", st)
		}
		time.Sleep(ivl(DefaultGlobal)) // the slot: refused, and its chat paused
		synctest.Wait()
		if st := e.lim.Stats(); st.TooManyRequests != 1 {
			t.Fatalf("limiter saw %d 429s, want 1", st.TooManyRequests)
		}
		e.send(t, &g, withLabel(ctx, "other"), 2, "three")
		g.Wait()

		if st := e.stats(t); st.TooManyRequests != 1 || st.Requests["sendMessage"] != 4 {
			t.Fatalf("emulator: %d sendMessage, %d 429s; want 4, 1", st.Requests["sendMessage"], st.TooManyRequests)
		}
		if st := e.lim.Stats(); st.Retried != 1 {
			t.Fatalf("limiter retried %d calls, want 1", st.Retried)
		}
		step := ivl(DefaultGlobal)
		resume := step + 10*time.Second // the 429 came at +step and said 10 s
		checkTimes(t, "refused", e.rec.times(func(s sent) bool { return s.label == "refused" }), start, []time.Duration{step, resume})
		checkTimes(t, "other", e.rec.times(func(s sent) bool { return s.label == "other" }), start, []time.Duration{2 * step})
	})
}

// A call waiting for its chat, and one waiting in the queue, both return
// when their context ends; the others go on.
func TestContextCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, Config{}, nil)
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
		e.send(t, &g, withLabel(ctx, "first"), 2, "first") // takes the global slot
		synctest.Wait()
		g.Go(func() { // queued behind the global slot
			_, err := e.bot.SendMessage(queueCtx, tg.SendMessageParams{ChatID: tg.ID(3), Text: "queued"})
			errs <- err
		})
		e.send(t, &g, withLabel(ctx, "after"), 2, "after")
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
		if got := len(e.rec.times(func(s sent) bool { return s.label == "after" })); got != 1 {
			t.Fatalf("the call after the cancelled ones went out %d times", got)
		}
	})
}

// checkTimes compares sorted times, relative to start, with want.
func checkTimes(t *testing.T, what string, times []time.Time, start time.Time, want []time.Duration) {
	t.Helper()
	if len(times) != len(want) {
		t.Fatalf("%s: %d calls, want %d", what, len(times), len(want))
	}
	for i, at := range times {
		if got := at.Sub(start); got != want[i] {
			t.Fatalf("%s: call %d at +%v, want +%v (all: %v)", what, i, got, want[i], rel(times, start))
		}
	}
}

func rel(times []time.Time, start time.Time) []time.Duration {
	out := make([]time.Duration, len(times))
	for i, at := range times {
		out[i] = at.Sub(start)
	}
	return out
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
