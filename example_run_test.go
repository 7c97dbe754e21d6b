package herald_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// Example_run is the whole life of a bot: New, a command on its Router,
// Run. Here it runs against the emulator, a fake Telegram in the same
// process; against Telegram, New takes the token from @BotFather and no
// client options (or herald.ConfigFromEnv()), and Run is usually
// RunWithSignals, which stops on Ctrl-C.
func Example_run() {
	const token = "1234:example"
	emu := emulator.New(emulator.Options{})
	defer emu.Close()
	api := httptest.NewServer(emu.Handler())
	defer api.Close()
	if _, err := emu.AddBot(token); err != nil {
		fmt.Println(err)
		return
	}
	events, unsubscribe, err := emu.Subscribe(token, 7) // the bot's messages in chat 7
	if err != nil {
		fmt.Println(err)
		return
	}
	defer unsubscribe()

	// 1. New: the bot, its Bot API client, limits and defaults.
	bot, err := herald.New(token,
		herald.WithClientOptions(tg.WithBaseURL(api.URL)), // the emulator instead of api.telegram.org
		herald.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	// 2. Router and 3. Command: /start answers with a greeting.
	bot.Router().Command("start", func(c *herald.Context) error {
		_, err := c.Reply("Hello, " + c.Sender().FirstName + "!")
		return err
	})

	// 4. Run: receive updates (long polling here) until ctx ends.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()

	// A user writes /start in the emulator; the bot's reply comes back as
	// an event of that chat.
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: tg.User{ID: 7, FirstName: "Ann"}, Text: "/start"}); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range events {
		if ev.Type == "sent" && ev.Message.Sender == "bot" {
			fmt.Println(ev.Message.Text)
			break
		}
	}
	stop()
	fmt.Println("stopped:", <-done)
	// Output:
	// Hello, Ann!
	// stopped: <nil>
}
