package emulator

import (
	"testing"

	"github.com/heraldbot/herald/internal/testkit"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestThirdPartyClient drives the emulator with go-telegram-bot-api, a
// widely used Go client, unmodified except for its API endpoint. It sends
// form-encoded and multipart requests, unlike Herald's JSON client.
func TestThirdPartyClient(t *testing.T) {
	e, url := startEmu(t, Options{Limits: offLimits()})
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(testToken, url+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	if bot.Self.ID != 123456 || !bot.Self.IsBot {
		t.Fatalf("self = %+v", bot.Self)
	}
	say(t, e, "/start")

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 0, Limit: 10, Timeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || ups[0].Message == nil || ups[0].Message.Text != "/start" || !ups[0].Message.IsCommand() || ups[0].Message.Command() != "start" {
		t.Fatalf("updates = %+v", ups)
	}

	msg := tgbotapi.NewMessage(ann.ID, "Welcome")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Press", "pressed")))
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != "Welcome" || sent.Chat.ID != ann.ID || sent.ReplyMarkup == nil || *sent.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "pressed" {
		t.Fatalf("sent = %+v", sent)
	}

	pressed, err := e.PressButton(testkit.Context(t), ButtonPress{Token: testToken, From: ann, ChatID: ann.ID, MessageID: int64(sent.MessageID), Data: "pressed"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, Limit: 10})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "pressed" {
		t.Fatalf("callback updates = %+v, %v", ups, err)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(ups[0].CallbackQuery.ID, "ok")); err != nil {
		t.Fatal(err)
	}
	if ans, ok := e.CallbackAnswer(testToken, pressed.CallbackQueryID); !ok || ans.Text != "ok" {
		t.Fatalf("answer = %+v", ans)
	}

	photo := tgbotapi.NewPhoto(ann.ID, tgbotapi.FileBytes{Name: "pic.png", Bytes: testPNG(t, 8, 6)})
	photo.Caption = "uploaded"
	pm, err := bot.Send(photo)
	if err != nil {
		t.Fatal(err)
	}
	if len(pm.Photo) != 1 || pm.Photo[0].Width != 8 || pm.Caption != "uploaded" {
		t.Fatalf("photo message = %+v", pm)
	}
	link, err := bot.GetFileDirectURL(pm.Photo[0].FileID)
	if err != nil || link == "" {
		t.Fatalf("file URL = %q, %v", link, err)
	}

	_, err = bot.Send(tgbotapi.NewMessage(ann.ID, ""))
	if apiErr, ok := err.(*tgbotapi.Error); !ok || apiErr.Code != 400 || apiErr.Message != "Bad Request: message text is empty" {
		t.Fatalf("empty text error = %v", err)
	}
}
