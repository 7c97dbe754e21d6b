package broadcast_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// A campaign to three users of the emulator (Telegram's limits), one of
// whom blocked the bot.
func Example() {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	defer emu.Close()
	const token = "123456:example-secret"
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		_, _ = emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: id, FirstName: "U"}, Text: "/start"})
	}
	_ = emu.BlockBot(2, token)

	lim := limit.New(limit.Config{})
	bot, err := tg.New(token, tg.WithBaseURL(srv.URL), tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), lim.Middleware()))
	if err != nil {
		panic(err)
	}
	store := memory.NewBroadcasts() // an engine's Broadcasts(), such as sqlite's, keeps it in a file
	c, err := store.Create(ctx, broadcast.Campaign{
		Name: "launch",
		Message: broadcast.Message{
			Text: "<b>We launched!</b>", ParseMode: "HTML",
			Buttons: [][]broadcast.Button{{{Text: "Open", URL: "https://example.com"}}},
		},
	}, []int64{1, 2, 3}, time.Now())
	if err != nil {
		panic(err)
	}
	p, err := broadcast.Run(ctx, bot, store, c.ID, broadcast.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	fmt.Printf("sent %d, blocked %d, remaining %d\n", p.Sent, p.Blocked, p.Remaining())
	blocked, _ := store.Recipients(ctx, c.ID, broadcast.Blocked, 0, 10)
	fmt.Println("blocked:", blocked[0].Chat, blocked[0].Error)
	// Output:
	// sent 2, blocked 1, remaining 0
	// blocked: 2 Forbidden: bot was blocked by the user
}
