package emulator_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/tg"
)

// A user writes /start; the bot, talking to the emulator over HTTP,
// replies with a button; the user presses it; the transcript shows it all.
func Example() {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	defer emu.Close()

	ctx := context.Background()
	const token = "123456:example-secret"
	ann := tg.User{ID: 7, FirstName: "Ann"}
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: token, From: ann, Text: "/start"}); err != nil {
		panic(err)
	}

	bot, err := tg.New(token, tg.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ups, err := bot.GetUpdates(ctx, tg.GetUpdatesParams{})
	if err != nil {
		panic(err)
	}
	in := ups[0].Message
	reply, err := bot.SendMessage(ctx, tg.SendMessageParams{
		ChatID: tg.ID(in.Chat.ID),
		Text:   "Hello, " + in.From.FirstName + "!",
		ReplyMarkup: &tg.InlineKeyboardMarkup{InlineKeyboard: [][]tg.InlineKeyboardButton{
			{{Text: "Hi", CallbackData: "hi"}},
		}},
	})
	if err != nil {
		panic(err)
	}
	if _, err := emu.PressButton(ctx, emulator.ButtonPress{Token: token, From: ann, ChatID: ann.ID, MessageID: reply.MessageID, Data: "hi"}); err != nil {
		panic(err)
	}
	ups, _ = bot.GetUpdates(ctx, tg.GetUpdatesParams{Offset: ups[0].UpdateID + 1})
	fmt.Println("button pressed:", ups[0].CallbackQuery.Data)

	transcript, _ := emu.Transcript(token, ann.ID)
	for _, m := range transcript {
		fmt.Printf("%d %s: %s\n", m.MessageID, m.Sender, m.Text)
	}
	// Output:
	// button pressed: hi
	// 1 user: /start
	// 2 bot: Hello, Ann!
}

// Limits are Telegram's by default; tests and benchmarks choose others.
func ExampleParseLimits() {
	l, err := emulator.ParseLimits("chat=2/s:5,group=off")
	if err != nil {
		panic(err)
	}
	fmt.Println(l)
	fmt.Println(emulator.TelegramLimits())
	// Output:
	// bot=30/s,chat=2/s:5,group=off
	// telegram
}

// A user types an inline query; the bot answers it; the user chooses a
// result, which is posted via the bot.
func ExampleEmulator_ChooseInlineResult() {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	defer emu.Close()

	ctx := context.Background()
	const token = "123456:example"
	bot, _ := tg.New(token, tg.WithBaseURL(srv.URL))
	ann := tg.User{ID: 7, FirstName: "Ann"}

	q, _ := emu.SendInlineQuery(ctx, emulator.UserInlineQuery{Token: token, From: ann, Query: "weather"})
	ups, _ := bot.GetUpdates(ctx, tg.GetUpdatesParams{})
	_, _ = bot.AnswerInlineQuery(ctx, tg.AnswerInlineQueryParams{
		InlineQueryID: ups[0].InlineQuery.ID,
		Results: []tg.InlineQueryResult{&tg.InlineQueryResultArticle{
			ID: "sun", Title: "Sunny", InputMessageContent: &tg.InputTextMessageContent{MessageText: "Sunny, 21 °C"},
		}},
	})
	_, _ = emu.ChooseInlineResult(ctx, emulator.InlineChoice{Token: token, From: ann, InlineQueryID: q.InlineQueryID, ResultID: "sun"})

	tr, _ := emu.Transcript(token, ann.ID)
	fmt.Printf("%s via @%s: %s\n", tr[0].From.FirstName, tr[0].ViaBot.Username, tr[0].Text)
	// Output: Ann via @emu123456_bot: Sunny, 21 °C
}
