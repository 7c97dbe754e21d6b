// Command echo is the shortest complete Herald bot: it answers every text
// message with the same text. Token from BOT_TOKEN; HERALD_API_URL points
// it at the emulator (go run ./cmd/herald emulator).
package main

import (
	"context"
	"log"
	"os"

	"github.com/heraldbot/herald"
)

func main() {
	bot, err := newBot(os.Getenv("BOT_TOKEN"), herald.ConfigFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	if err := bot.RunWithSignals(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// newBot builds the echo bot; options are for tests.
func newBot(token string, opts ...herald.Option) (*herald.Bot, error) {
	bot, err := herald.New(token, opts...)
	if err != nil {
		return nil, err
	}
	bot.Router().Message(func(c *herald.Context) error {
		_, err := c.Reply(c.Text())
		return err
	}, herald.ContentType("text"))
	return bot, nil
}
