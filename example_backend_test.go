package herald_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm"
	"github.com/heraldbot/herald/tg"
)

// One engine keeps everything the bot stores; here the in-memory one, in a
// real main sqlite.Open, redis.Open or postgres.Open.
func ExampleWithBackend() {
	engine := memory.New(memory.Options{})
	defer engine.Close()
	bot, err := herald.New("123456:example", herald.WithBackend(engine))
	if err != nil {
		fmt.Println(err)
		return
	}
	bot.Router().Command("visit", func(c *herald.Context) error {
		visits := 0
		err := fsm.Update(c, c.FSM(), func(_ *fsm.State, n *int) error { *n++; visits = *n; return nil })
		if err != nil {
			return err
		}
		ran, err := c.Once("welcome", time.Hour, func() error { fmt.Println("welcome!"); return nil })
		fmt.Println("visit", visits, "welcomed now:", ran)
		return err
	})
	if err := bot.Prepare(); err != nil {
		fmt.Println(err)
		return
	}
	for id := range int64(2) {
		_ = bot.HandleUpdate(context.Background(), &tg.Update{UpdateID: id + 1, Message: &tg.Message{
			MessageID: id + 1, Date: 1, Chat: tg.Chat{ID: 7, Type: "private"}, From: &tg.User{ID: 7}, Text: "/visit",
		}})
	}
	// Output:
	// welcome!
	// visit 1 welcomed now: true
	// visit 2 welcomed now: false
}
