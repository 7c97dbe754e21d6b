// Command hello is the bot of Herald's README: /start answers with a
// button, and pressing it edits the message. Try it against the emulator,
// a fake Telegram with a chat page on http://127.0.0.1:8081/:
//
//	go tool herald emulator &                      # in a clone of Herald: go run ./cmd/herald emulator &
//	HERALD_API_URL=http://127.0.0.1:8081 BOT_TOKEN=1234:test go run .
//
// and write /start to the bot on that page. Against Telegram, set only
// BOT_TOKEN (from @BotFather).
package main

import (
	"context"
	"log"
	"os"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/tg"
)

func main() {
	bot, err := newBot(os.Getenv("BOT_TOKEN"), herald.ConfigFromEnv()) // HERALD_MODE=webhook and HERALD_WEBHOOK_* switch to a webhook
	if err != nil {
		log.Fatal(err)
	}
	if err := bot.RunWithSignals(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// newBot builds the bot; options are for tests.
func newBot(token string, opts ...herald.Option) (*herald.Bot, error) {
	bot, err := herald.New(token, opts...)
	if err != nil {
		return nil, err
	}
	r := bot.Router()
	r.Use(middleware.Logging(nil), middleware.Throttle(middleware.ThrottleConfig{}))
	r.Command("start", func(c *herald.Context) error {
		_, err := c.ReplyWith(tg.SendMessageParams{
			Text: "Hello!",
			ReplyMarkup: &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{
				{{Text: "Press me", CallbackData: "pressed"}},
			}},
		})
		return err
	})
	r.CallbackQuery(func(c *herald.Context) error {
		_ = c.Answer("Pressed!")
		return c.Edit("You pressed the button.", nil)
	}, herald.CallbackPrefix("pressed"))
	return bot, nil
}
