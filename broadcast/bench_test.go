package broadcast_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/emulator/emutest"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// BenchmarkBroadcastOverhead is the real time per message of the runner,
// the emulator and the limiter together, over HTTP in process: a
// campaign of b.N recipients with the emulator's limits off and a
// limiter that never makes a call wait, so that the time is their work
// and none of it waiting. (The rate a campaign keeps under Telegram's
// limits needs fake time, which a benchmark cannot have: synctest.Test
// takes a *testing.T. TestBroadcastRate checks and logs it.)
func BenchmarkBroadcastOverhead(b *testing.B) {
	emu := emulator.New(emulator.Options{Limits: &emulator.Limits{}, MaxMessagesPerChat: 10})
	in := emutest.NewInProcess(emu.Handler())
	b.Cleanup(func() { _ = in.Close(); _ = emu.Close() })
	huge := limit.Rate{Count: 1e9, Per: time.Second, Burst: 1e9}
	lim := limit.New(limit.Config{Global: huge, Chat: huge, Group: huge})
	bot, err := tg.New(token, tg.WithBaseURL(emutest.InProcessURL), tg.WithHTTPClient(in.Client()), tg.WithMiddleware(lim.Middleware()))
	if err != nil {
		b.Fatal(err)
	}
	chats := make([]int64, b.N)
	for i := range chats {
		chats[i] = int64(i + 1)
		if _, err := emu.SendMessage(context.Background(), emulator.UserMessage{Token: token, From: tg.User{ID: chats[i], FirstName: "U"}, Text: "/start"}); err != nil {
			b.Fatal(err)
		}
	}
	store := memory.NewBroadcasts()
	c, err := store.Create(context.Background(), broadcast.Campaign{Message: broadcast.Message{Text: "bench"}}, chats, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	p, err := broadcast.Run(context.Background(), bot, store, c.ID, broadcast.Options{Logger: slog.New(slog.DiscardHandler)})
	b.StopTimer()
	if err != nil || p.Sent != b.N {
		b.Fatalf("%+v %v", p, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
