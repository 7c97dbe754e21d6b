package form_test

import (
	"context"
	"fmt"
	"regexp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/memory"
	"github.com/heraldbot/herald/fsm/form"
	"github.com/heraldbot/herald/tg"
)

// Pizza is what the form fills.
type Pizza struct {
	Name  string
	Size  string
	Qty   int
	Phone string
}

func Example() {
	phone := regexp.MustCompile(`^\+?[0-9 ]{6,}$`)
	pizza := form.New[Pizza]("pizza").
		Text("name", "What's your name?", func(p *Pizza, v string) error { p.Name = v; return nil }).
		Field("size", "Which size?", form.Into(form.OneOf("S", "M", "L"),
			func(p *Pizza, v string) error { p.Size = v; return nil })).
		Field("qty", "How many?", form.Into(form.Int(1, 20),
			func(p *Pizza, v int) error { p.Qty = v; return nil })).
		Field("phone", "Your phone number? (or /skip)", form.Into(form.Regexp(phone, "Digits, please."),
			func(p *Pizza, v string) error { p.Phone = v; return nil }), form.Optional()).
		Summary(func(p Pizza) string { return fmt.Sprintf("%d × %s for %s", p.Qty, p.Size, p.Name) }).
		OnDone(func(c *herald.Context, p Pizza) error {
			_, err := c.Reply(fmt.Sprintf("Ordered: %+v", p))
			return err
		})

	store := memory.New(memory.Options{})
	defer store.Close()
	chat := &exampleChat{}
	bot, err := herald.New("1:example", herald.WithFSM(store, herald.FSMConfig{}),
		herald.WithClientOptions(tg.WithMiddleware(chat.record))) // stands in for Telegram
	if err != nil {
		panic(err)
	}
	pizza.Register(bot.Router())
	bot.Router().Command("pizza", pizza.Start)

	// Run would receive these from Telegram; here they are fed by hand.
	for _, text := range []string{"/pizza", "Ann", "XL"} {
		chat.say(bot, text)
	}
	chat.press(bot, "M")
	for _, text := range []string{"two", "2", "/skip"} {
		chat.say(bot, text)
	}
	chat.press(bot, "✔ Confirm")
	// Output:
	// > /pizza
	// What's your name? [✖ Cancel]
	// > Ann
	// Which size? [S M L] [« Back ✖ Cancel]
	// > XL
	// Please choose one of: S, M, L.
	//
	// Which size? [S M L] [« Back ✖ Cancel]
	// > [M]
	// How many? [« Back ✖ Cancel]
	// > two
	// Please send a whole number from 1 to 20.
	//
	// How many? [« Back ✖ Cancel]
	// > 2
	// Your phone number? (or /skip) [« Back Skip » ✖ Cancel]
	// > /skip
	// 2 × M for Ann [✔ Confirm ✎ Edit] [« Back ✖ Cancel]
	// > [✔ Confirm]
	// Ordered: {Name:Ann Size:M Qty:2 Phone:}
}

// exampleChat prints what the bot sends and remembers its last keyboard.
type exampleChat struct {
	update int64
	kb     *tg.InlineKeyboardMarkup
}

// record is a tg.Middleware that answers every call itself.
func (ch *exampleChat) record(tg.Caller) tg.Caller {
	return tg.CallerFunc(func(_ context.Context, _ string, params, _ any) error {
		if p, ok := params.(*tg.SendMessageParams); ok {
			ch.kb, _ = p.ReplyMarkup.(*tg.InlineKeyboardMarkup)
			fmt.Print(p.Text)
			for _, row := range ch.keyboard() {
				fmt.Print(" [")
				for i, b := range row {
					if i > 0 {
						fmt.Print(" ")
					}
					fmt.Print(b.Text)
				}
				fmt.Print("]")
			}
			fmt.Println()
		}
		return nil
	})
}

func (ch *exampleChat) keyboard() [][]tg.InlineKeyboardButton {
	if ch.kb == nil {
		return nil
	}
	return ch.kb.InlineKeyboard
}

func (ch *exampleChat) say(bot *herald.Bot, text string) {
	fmt.Println(">", text)
	ch.update++
	var entities []tg.MessageEntity
	if text[0] == '/' {
		entities = []tg.MessageEntity{{Type: "bot_command", Length: int64(len(text))}}
	}
	_ = bot.HandleUpdate(context.Background(), &tg.Update{UpdateID: ch.update, Message: &tg.Message{
		MessageID: ch.update, Date: 1, Chat: tg.Chat{ID: 42, Type: "private"},
		From: &tg.User{ID: 42, FirstName: "Ann"}, Text: text, Entities: entities,
	}})
}

func (ch *exampleChat) press(bot *herald.Bot, label string) {
	fmt.Printf("> [%s]\n", label)
	for _, row := range ch.keyboard() {
		for _, b := range row {
			if b.Text == label {
				ch.update++
				_ = bot.HandleUpdate(context.Background(), &tg.Update{UpdateID: ch.update, CallbackQuery: &tg.CallbackQuery{
					ID: "q", From: tg.User{ID: 42, FirstName: "Ann"}, Data: b.CallbackData, ChatInstance: "42",
					Message: &tg.Message{MessageID: 1, Date: 1, Chat: tg.Chat{ID: 42, Type: "private"}},
				}})
				return
			}
		}
	}
}
