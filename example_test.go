package herald_test

import (
	"context"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/tg"
)

// Catalog is a service the handlers need.
type Catalog struct{ items map[string]int }

func Example() {
	bot, err := herald.New("123456:example", herald.Provide(&Catalog{items: map[string]int{"tea": 3}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	shop := herald.NewRouter("shop")
	catalog := herald.Require[*Catalog](shop)
	shop.Use(func(c *herald.Context) error { // outer middleware: every update of the router
		fmt.Println("update", c.Update.UpdateID, c.Kind())
		return c.Next()
	})
	shop.Command("price", func(c *herald.Context) error {
		fmt.Println("price of", c.Args(), "is", catalog.Get(c).items[c.Args()])
		return nil
	})
	bot.Router().Include(shop)

	if err := bot.Prepare(); err != nil { // Run does this too
		fmt.Println(err)
		return
	}
	// Run feeds updates from Telegram; here one is fed by hand.
	_ = bot.HandleUpdate(context.Background(), &tg.Update{UpdateID: 1, Message: &tg.Message{
		MessageID: 1, Date: 1, Chat: tg.Chat{ID: 1, Type: "private"}, Text: "/price tea",
	}})
	// Output:
	// update 1 message
	// price of tea is 3
}
