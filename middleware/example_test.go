package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/tg"
)

func Example() {
	bot, err := herald.New("123456:example",
		herald.WithErrorReply(""), // no friendly reply: this example has no Telegram
		herald.WithErrorHandler(func(c *herald.Context, err error) {
			fmt.Println("error:", errors.Is(err, context.DeadlineExceeded))
		}))
	if err != nil {
		panic(err)
	}
	r := bot.Router()
	// Outer: every update; a user may send 2 at once, then 1 per minute.
	r.Use(middleware.Throttle(middleware.ThrottleConfig{Rate: 1.0 / 60, Burst: 2}))
	// Inner: around the chosen handler only.
	r.UseInner(middleware.Timeout(50 * time.Millisecond))
	r.Command("slow", func(c *herald.Context) error {
		<-c.Done() // a handler that honours its context is stopped
		return c.Err()
	})
	r.Message(func(c *herald.Context) error {
		fmt.Println("handled:", c.Text())
		return nil
	})

	ctx := context.Background()
	for i, text := range []string{"hi", "/slow", "flood"} {
		u := &tg.Update{UpdateID: int64(i + 1), Message: &tg.Message{
			MessageID: int64(i + 1), Text: text,
			Chat: tg.Chat{ID: 7, Type: "private"}, From: &tg.User{ID: 7, FirstName: "Ann"},
		}}
		_ = bot.HandleUpdate(ctx, u)
	}
	// "flood" never reached a handler: Ann had used her burst of 2.
	// Output:
	// handled: hi
	// error: true
}
