package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/internal/testkit"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

func newCampaign(t *testing.T, s broadcast.Store, m broadcast.Message, chats []int64) broadcast.Campaign {
	t.Helper()
	c, err := s.Create(context.Background(), broadcast.Campaign{Name: t.Name(), Message: m}, chats, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// 3,000 recipients through the limiter on the bubble's clock: zero 429s,
// one message each, and at least 95 % of the limiter's global rate
// (limit.DefaultGlobal, 25/s: Telegram's 30/s less a margin; it is
// exactly one message per 1/25 s). It logs the rate as a share of the
// limiter's and of Telegram's, and the real time per message of the
// runner, emulator and limiter together (the bubble's waits take none;
// BenchmarkBroadcastOverhead measures that cost without a limit).
func TestBroadcastRate(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	wall := time.Now() // outside the bubble: the real clock
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, n)
		store := memory.NewBroadcasts()
		c := newCampaign(t, store, broadcast.Message{Text: "Spring news", Buttons: [][]broadcast.Button{{{Text: "Read", URL: "https://example.com/news"}}}}, chats)
		const conc = 8
		r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: conc})
		r.wait()
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.p.Sent != n || r.p.Remaining() != 0 {
			t.Fatalf("progress %+v, want %d sent", r.p, n)
		}
		st, _ := e.emu.Stats(token)
		if st.TooManyRequests != 0 || st.Requests["sendMessage"] != int64(n) {
			t.Fatalf("emulator: %d sendMessage, %d 429s; want %d, 0", st.Requests["sendMessage"], st.TooManyRequests, n)
		}
		times := e.sendTimes(nil)
		took := times[n-1].Sub(times[0])
		rate := float64(n-1) / took.Seconds()
		limitRate := float64(limit.DefaultGlobal.Count) / limit.DefaultGlobal.Per.Seconds()
		if ratio := rate / limitRate; ratio < 0.95 || ratio > 1.0001 {
			t.Fatalf("rate %.3f/s = %.4f of %v/s, want ≥ 0.95", rate, ratio, limitRate)
		}
		if m := testkit.MaxInWindow(times, time.Second); m > 30 {
			t.Fatalf("%d messages in one second", m)
		}
		for _, id := range []int64{1, int64(n / 2), int64(n)} {
			if got := e.botMessages(id); got != 1 {
				t.Fatalf("chat %d has %d messages, want 1", id, got)
			}
		}
		t.Logf("%d messages in %v of emulator time: %.3f/s, %.4f of the limiter's rate, %.4f of Telegram's 30/s; runner's rate %.3f/s",
			n, took, rate, rate/limitRate, rate/30, r.p.Rate)
	})
	t.Logf("real time: %v per message", time.Since(wall)/time.Duration(n))
}

// While a campaign runs, a user writes; the reply, an Interactive send
// through the same limiter, takes the next global slot: well within a
// second of the message.
func TestReplyOvertakesBroadcast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, 200)
		e.users(9001, 1)
		store := memory.NewBroadcasts()
		c := newCampaign(t, store, broadcast.Message{Text: "digest"}, chats)
		const conc = 8
		var (
			replying sync.WaitGroup
			asked    time.Time
			once     sync.Once
		)
		opts := broadcast.Options{Concurrency: conc, OnProgress: func(p broadcast.Progress) {
			if p.Sent != 60 {
				return
			}
			once.Do(func() { // the user writes now; a handler replies
				asked = time.Now()
				replying.Go(func() {
					if _, err := e.bot.SendMessage(context.Background(), tg.SendMessageParams{ChatID: tg.ID(9001), Text: "reply"}); err != nil {
						t.Error(err)
					}
				})
			})
		}}
		r := e.run(t.Context(), store, c.ID, opts)
		r.wait()
		replying.Wait()
		if r.err != nil || r.p.Sent != 200 {
			t.Fatalf("run: %+v %v", r.p, r.err)
		}
		at := e.sendTimes(func(chat int64) bool { return chat == 9001 })
		if len(at) != 1 {
			t.Fatalf("reply sent %d times", len(at))
		}
		wait := at[0].Sub(asked)
		if wait > 2*limit.DefaultGlobal.Interval() {
			t.Fatalf("reply waited %v behind the broadcast, want at most two global slots", wait)
		}
		t.Logf("reply sent %v after the user's message, with %d broadcast sends waiting", wait, conc)
	})
}

// Users who blocked the bot are marked Blocked with Telegram's reason, an
// unknown chat is Failed after one attempt, and the progress callback
// sees every result with a rate and an ETA on the limiter's clock.
func TestBlockedFailedAndProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, 40)
		blocked := []int64{3, 17, 30}
		for _, id := range blocked {
			if err := e.emu.BlockBot(id, token); err != nil {
				t.Fatal(err)
			}
		}
		chats = append(chats, 777777) // never wrote to the bot: chat not found
		store := memory.NewBroadcasts()
		c := newCampaign(t, store, broadcast.Message{Text: "hello"}, chats)
		var mu sync.Mutex
		var seen []broadcast.Progress
		r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 4, OnProgress: func(p broadcast.Progress) {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		}})
		r.wait()
		if r.err != nil {
			t.Fatal(r.err)
		}
		want := broadcast.Progress{Total: 41, Sent: 37, Blocked: 3, Failed: 1}
		got := r.p
		got.Rate, got.ETA, got.Elapsed = 0, 0, 0
		if got != want {
			t.Fatalf("progress %+v, want %+v", got, want)
		}
		if len(seen) != 42 || seen[0].Done() != 0 || seen[0].Pending != 41 {
			t.Fatalf("%d progress calls (want 42: start + 41 results), first %+v", len(seen), seen[0])
		}
		for i := 1; i < len(seen); i++ {
			if seen[i].Done() != i {
				t.Fatalf("call %d: %d done, want %d", i, seen[i].Done(), i)
			}
		}
		// Halfway: about 30/s, and an ETA for the rest at that rate.
		mid := seen[20]
		if mid.Rate < 25 || mid.Rate > 35 {
			t.Fatalf("rate halfway %.2f/s, want about 30", mid.Rate)
		}
		if eta := time.Duration(float64(mid.Remaining()) / mid.Rate * float64(time.Second)); mid.ETA != eta || mid.ETA <= 0 {
			t.Fatalf("ETA %v, want %v", mid.ETA, eta)
		}
		if last := seen[len(seen)-1]; last.ETA != 0 || last.Remaining() != 0 {
			t.Fatalf("last progress %+v", last)
		}
		bl, _ := store.Recipients(context.Background(), c.ID, broadcast.Blocked, 0, 10)
		if len(bl) != 3 || bl[0].Chat != 3 || !strings.Contains(bl[0].Error, "blocked") {
			t.Fatalf("blocked: %+v", bl)
		}
		failed, _ := store.Recipients(context.Background(), c.ID, broadcast.Failed, 0, 10)
		if len(failed) != 1 || failed[0].Chat != 777777 || failed[0].Attempts != 1 || !strings.Contains(failed[0].Error, "chat not found") {
			t.Fatalf("failed: %+v", failed)
		}
		for _, id := range blocked {
			if n := e.botMessages(id); n != 0 {
				t.Fatalf("blocked user %d got %d messages", id, n)
			}
		}
	})
}

// A paid campaign sends with allow_paid_broadcast and, with the
// limiter's PaidBroadcast on, at up to 1000 messages/s (the emulator here
// allows that rate, as Telegram does for paid broadcasts).
func TestPaidBroadcast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limits := emulator.TelegramLimits()
		limits.Bot = emulator.Rate{Count: 1000, Per: time.Second, Burst: 1000}
		e := newEnv(t, limit.Config{PaidBroadcast: true}, &limits, nil)
		const n = 500
		chats := e.users(1, n)
		store := memory.NewBroadcasts()
		c, err := store.Create(context.Background(), broadcast.Campaign{Message: broadcast.Message{Text: "paid"}, Paid: true}, chats, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 16})
		r.wait()
		if r.err != nil || r.p.Sent != n {
			t.Fatalf("%+v %v", r.p, r.err)
		}
		times := e.sendTimes(nil)
		rate := float64(n-1) / times[n-1].Sub(times[0]).Seconds()
		if rate < 950 || rate > 1000.01 {
			t.Fatalf("paid rate %.1f/s, want about 1000", rate)
		}
		if st, _ := e.emu.Stats(token); st.TooManyRequests != 0 {
			t.Fatalf("%d 429s", st.TooManyRequests)
		}
	})
}

// failingStore fails Recipients after the first n calls.
type failingStore struct {
	broadcast.Store
	mu sync.Mutex
	n  int
}

var errStoreDown = errors.New("store down")

func (s *failingStore) Recipients(ctx context.Context, id int64, st broadcast.Status, after int64, n int) ([]broadcast.Recipient, error) {
	s.mu.Lock()
	s.n--
	fail := s.n < 0
	s.mu.Unlock()
	if fail {
		return nil, errStoreDown
	}
	return s.Store.Recipients(ctx, id, st, after, n)
}

// A Store that fails while the recipients are read stops the run with its
// error, with the lease released and nobody left Sending.
func TestStoreFailureStopsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, limit.Config{}, nil, nil)
		chats := e.users(1, 10)
		mem := memory.NewBroadcasts()
		c := newCampaign(t, mem, broadcast.Message{Text: "hi"}, chats)
		for calls := range 3 { // 0: settling the in-doubt ones; 1, 2: pages
			store := &failingStore{Store: mem, n: calls}
			r := e.run(t.Context(), store, c.ID, broadcast.Options{Concurrency: 2, PageSize: 4})
			r.wait()
			if !errors.Is(r.err, errStoreDown) {
				t.Fatalf("after %d reads: %v, want the store's error", calls, r.err)
			}
			p, _ := mem.Progress(context.Background(), c.ID)
			if p.Sending != 0 {
				t.Fatalf("after %d reads: %+v, want nobody in doubt", calls, p)
			}
			if l, ok, _ := mem.Lease(context.Background(), c.ID, "", "probe", time.Now().Add(time.Hour), time.Now()); !ok {
				t.Fatalf("after %d reads: lease still held by %s", calls, l.Owner)
			}
			_, _, _ = mem.Lease(context.Background(), c.ID, "probe", "", time.Time{}, time.Now())
		}
		r := e.run(t.Context(), mem, c.ID, broadcast.Options{Concurrency: 2})
		r.wait()
		if r.err != nil || r.p.Sent != 10 {
			t.Fatalf("resumed: %+v %v", r.p, r.err)
		}
		for _, id := range chats {
			if n := e.botMessages(id); n != 1 {
				t.Fatalf("chat %d has %d messages", id, n)
			}
		}
	})
}
