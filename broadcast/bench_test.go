package broadcast_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// BenchmarkBroadcastRate reports the rate a campaign achieves on the
// limiter's (fake) clock as a ratio of Telegram's 30 messages/s, and the
// real time per message of the runner, emulator and limiter together.
//
// A benchmark cannot run in a synctest bubble (synctest.Test takes a
// *testing.T), so this one keeps a fake clock that benchDriver advances
// once every send waits in the limiter, a heuristic in real time that the
// tests no longer need.
func BenchmarkBroadcastRate(b *testing.B) {
	e, d := newBenchEnv(b)
	chats := e.users(1, b.N)
	store := memory.NewBroadcasts()
	c, err := store.Create(context.Background(), broadcast.Campaign{Message: broadcast.Message{Text: "bench"}}, chats, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	b.ResetTimer()
	r := e.run(ctx, store, c.ID, broadcast.Options{Clock: runnerClock{d.clock.fc}})
	d.drive(r, 8, 4*b.N+10)
	b.StopTimer()
	if r.err != nil || r.p.Sent != b.N {
		b.Fatalf("%+v %v", r.p, r.err)
	}
	if times := e.sendTimes(nil); b.N > 1 {
		b.ReportMetric(float64(b.N-1)/times[b.N-1].Sub(times[0]).Seconds()/30, "of-limit")
	}
}

// newBenchEnv is newEnv outside a bubble: the emulator, the limiter and
// the runner share a fake clock, which d drives.
func newBenchEnv(b *testing.B) (*env, *benchDriver) {
	b.Helper()
	c := &limClock{fc: emulator.NewFakeClock(time.Time{}), pending: make(map[*limTimer]time.Time)}
	emu := emulator.New(emulator.Options{Clock: c.fc, MaxMessagesPerChat: 10})
	in := emutest.NewInProcess(emu.Handler())
	b.Cleanup(func() { _ = in.Close(); _ = emu.Close() })
	d := &benchDriver{t: b, clock: c, lim: limit.New(limit.Config{Clock: c})}
	e := &env{t: b, emu: emu, net: in, lim: d.lim, now: c.Now}
	bot, err := tg.New(token, tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(in.Client()),
		tg.WithMiddleware(d.count, d.lim.Middleware(), e.record))
	if err != nil {
		b.Fatal(err)
	}
	e.bot = bot
	return e, d
}

// limClock is the emulator's fake clock as the limiter's clock; it keeps
// the deadlines of the limiter's timers, so that the driver advances time
// exactly to the limiter's next decision.
type limClock struct {
	fc *emulator.FakeClock

	mu      sync.Mutex
	pending map[*limTimer]time.Time
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
// renewals) the driver does not wait for.
type runnerClock struct{ *emulator.FakeClock }

func (c runnerClock) AfterFunc(d time.Duration, f func()) limit.Timer {
	return c.FakeClock.AfterFunc(d, f)
}

// benchDriver advances the fake clock.
type benchDriver struct {
	t      testing.TB
	clock  *limClock
	lim    *limit.Limiter
	inCall atomic.Int64 // calls between the client and the limiter's exit
}

// count tracks the calls in progress, outside the limiter.
func (d *benchDriver) count(next tg.Caller) tg.Caller {
	return tg.CallerFunc(func(ctx context.Context, method string, params, result any) error {
		d.inCall.Add(1)
		defer d.inCall.Add(-1)
		return next.Call(ctx, method, params, result)
	})
}

// drive moves the fake clock to the limiter's next timer each time every
// call in progress waits in the limiter, until r ends. busy is how many
// calls are expected in progress (fewer are accepted once they have been
// stable for a moment: the end of the campaign). steps bounds the run.
func (d *benchDriver) drive(r *running, busy, steps int) {
	d.t.Helper()
	for range steps {
		if !d.settle(r, busy) {
			return
		}
		at, ok := d.clock.next()
		if !ok {
			d.t.Fatalf("%d calls in progress and no limiter timer", d.inCall.Load())
		}
		d.clock.fc.Set(at)
	}
	d.t.Fatalf("run not finished after %d clock steps", steps)
}

// settle waits until every call in progress is waiting in the limiter
// (true) or the run has ended (false).
func (d *benchDriver) settle(r *running, busy int) bool {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var since time.Time
	for i := 0; ; i++ {
		select {
		case <-r.done:
			return false
		default:
		}
		n := d.inCall.Load()
		if w := int64(d.lim.Stats().Waiting); w == n && n > 0 {
			if since.IsZero() {
				since = time.Now()
			}
			if n >= int64(busy) || time.Since(since) > 5*time.Millisecond {
				time.Sleep(100 * time.Microsecond) // confirm: nobody between two waits
				if d.inCall.Load() == n && int64(d.lim.Stats().Waiting) == n {
					return true
				}
			}
		} else {
			since = time.Time{}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("calls did not settle: %d in progress, %d waiting", d.inCall.Load(), d.lim.Stats().Waiting)
		}
		if i%32 == 31 {
			time.Sleep(20 * time.Microsecond)
		} else {
			runtime.Gosched()
		}
	}
}
