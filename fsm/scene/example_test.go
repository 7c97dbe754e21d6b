package scene_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm/scene"
	"github.com/heraldbot/herald/tg"
)

// Basket is the shop scene's data.
type Basket struct{ Items []string }

func Example() {
	store := memory.New(memory.Options{})
	defer store.Close()
	bot, err := herald.New("1:example", herald.WithFSM(store, herald.FSMConfig{}))
	if err != nil {
		panic(err)
	}
	// The handlers print instead of replying, so that the example needs no Telegram.
	say := func(s string) func(*herald.Context) error {
		return func(*herald.Context) error { fmt.Println(s); return nil }
	}

	scenes := scene.NewManager()
	lobby := scene.New[struct{}](scenes, "lobby").OnEnter(say("(enter lobby)")).OnLeave(say("(leave lobby)"))
	shop := scene.New[Basket](scenes, "shop").OnEnter(say("(enter shop)"))
	shop.OnLeave(func(c *herald.Context) error {
		b, err := shop.Data(c)
		fmt.Printf("(leave shop with %d items)\n", len(b.Items))
		return err
	})
	shop.Command("add", func(c *herald.Context) error {
		return shop.Update(c, func(b *Basket) error { b.Items = append(b.Items, c.Args()); return nil })
	})
	shop.Message(func(c *herald.Context) error {
		b, err := shop.Data(c)
		fmt.Println("basket:", strings.Join(b.Items, ", "))
		return err
	})
	lobby.Message(say("lobby: /shop to go shopping"))

	r := bot.Router()
	r.Command("shop", shop.Enter)
	r.Command("lobby", lobby.Enter)
	r.Command("bye", scenes.Leave)
	scenes.Register(r)
	r.Message(say("(not in a scene)"))

	for i, text := range []string{"/add tea", "/lobby", "hi", "/shop", "/add tea", "/add jam", "?", "/lobby", "/bye", "?"} {
		fmt.Println(">", text)
		_ = bot.HandleUpdate(context.Background(), &tg.Update{UpdateID: int64(i + 1), Message: &tg.Message{
			MessageID: int64(i + 1), Date: 1, Text: text,
			Chat: tg.Chat{ID: 42, Type: "private"}, From: &tg.User{ID: 42, FirstName: "Ann"},
		}})
	}
	// Output:
	// > /add tea
	// (not in a scene)
	// > /lobby
	// (enter lobby)
	// > hi
	// lobby: /shop to go shopping
	// > /shop
	// (leave lobby)
	// (enter shop)
	// > /add tea
	// > /add jam
	// > ?
	// basket: tea, jam
	// > /lobby
	// (leave shop with 2 items)
	// (enter lobby)
	// > /bye
	// (leave lobby)
	// > ?
	// (not in a scene)
}
