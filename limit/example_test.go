package limit_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/tg"
)

// A bot client with the limiter and retries, talking to the emulator (which
// enforces Telegram's limits): a reply and a small broadcast, none refused.
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

	lim := limit.New(limit.Config{}) // Telegram's limits, state in this process
	bot, err := tg.New(token, tg.WithBaseURL(srv.URL),
		tg.WithMiddleware(limit.Retry(limit.RetryConfig{}), lim.Middleware())) // herald.New does this by default
	if err != nil {
		panic(err)
	}

	// A reply to a user: Interactive, the default priority.
	if _, err := bot.SendMessage(ctx, tg.SendMessageParams{ChatID: tg.ID(1), Text: "Hello!"}); err != nil {
		panic(err)
	}
	// A broadcast yields to replies.
	bulk := limit.WithPriority(ctx, limit.Bulk)
	for id := int64(1); id <= 3; id++ {
		if _, err := bot.SendMessage(bulk, tg.SendMessageParams{ChatID: tg.ID(id), Text: "News"}); err != nil {
			panic(err)
		}
	}
	st, _ := emu.Stats(token)
	fmt.Println("sent:", st.Requests["sendMessage"], "refused:", st.TooManyRequests)
	fmt.Println("sendMediaGroup counts", limit.DefaultMethods()["sendMediaGroup"])
	fmt.Println("answerCallbackQuery is", limit.DefaultMethods()["answerCallbackQuery"])
	// Output:
	// sent: 4 refused: 0
	// sendMediaGroup counts per item
	// answerCallbackQuery is not counted
}
