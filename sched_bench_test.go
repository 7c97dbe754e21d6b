package herald

import (
	"context"
	"sync"
	"testing"

	"github.com/heraldbot/herald/sched"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
)

// BenchmarkScheduler feeds updates of 10,000 chats through the bot's sink:
// the scheduler (per-chat FIFO, 256 workers) and the dispatch of a command.
// Baseline: BenchmarkSchedulerBaselineDirect dispatches the same updates in
// the submitting goroutine, with no scheduling at all.
func BenchmarkScheduler(b *testing.B) {
	bot, updates := schedBenchBot(b)
	s := sched.New(sched.Config[int64]{})
	bot.sink.s.Store(s)
	var wg sync.WaitGroup
	ack := func(*source.Reply, error) { wg.Done() }
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		wg.Add(1)
		u := updates[i%len(updates)] // a new update id each time: copies would be skipped
		u.UpdateID = int64(i) + 1
		if err := bot.sink.Submit(context.Background(), &u, ack); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	b.StopTimer()
	_ = s.Close(context.Background())
}

// BenchmarkSchedulerBaselineDirect is the no-scheduler baseline.
func BenchmarkSchedulerBaselineDirect(b *testing.B) {
	bot, updates := schedBenchBot(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		u := updates[i%len(updates)]
		u.UpdateID = int64(i) + 1
		_ = bot.HandleUpdate(context.Background(), &u)
	}
}

func schedBenchBot(b *testing.B) (*Bot, []tg.Update) {
	bot := newTestBot(b)
	bot.Router().Command("start", func(c *Context) error { return nil })
	if err := bot.Prepare(); err != nil {
		b.Fatal(err)
	}
	updates := make([]tg.Update, 10_000)
	for i := range updates {
		updates[i] = *textUpdate(int64(i), int64(1_000_000+i), "/start")
	}
	return bot, updates
}
