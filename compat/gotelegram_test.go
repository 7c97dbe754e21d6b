package compat

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestGoTelegramBot runs github.com/go-telegram/bot with its defaults
// (getMe in New, multipart requests, an empty multipart body for methods
// without parameters), only the server URL changed: Start for long
// polling, and SetWebhook with WebhookHandler and StartWebhook, as its
// documentation shows.
func TestGoTelegramBot(t *testing.T) {
	conform(t, "go-telegram/bot", startGoTelegram)
}

func startGoTelegram(t *testing.T, f *fixture, m mode) func() {
	b, err := bot.New(f.Token, bot.WithServerURL(f.APIURL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	me, err := b.GetMe(ctx)
	if err != nil {
		cancel()
		t.Fatalf("getMe: %v", err)
	}
	f.Started(me.ID, me.IsBot, me.Username)
	b.RegisterHandler(bot.HandlerTypeMessageText, startText, bot.MatchTypeExact, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		gotelegramStart(ctx, f, b, u.Message)
	})
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, buttonData, bot.MatchTypeExact, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		gotelegramPressed(ctx, f, b, u.CallbackQuery)
	})

	run := b.Start
	if m == webhook {
		url := f.Serve(b.WebhookHandler()) + "/go-telegram"
		if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: url}); err != nil {
			cancel()
			t.Fatalf("setWebhook: %v", err)
		}
		run = b.StartWebhook
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx)
	}()
	return func() { cancel(); <-done }
}

func gotelegramStart(ctx context.Context, f *fixture, b *bot.Bot, msg *models.Message) {
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: msg.Chat.ID,
		Text:   f.Greeting(msg.From.FirstName),
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: buttonText, CallbackData: buttonData}},
		}},
	})
	if err != nil {
		f.Fail("sendMessage", err)
	}
}

func gotelegramPressed(ctx context.Context, f *fixture, b *bot.Bot, q *models.CallbackQuery) {
	if q.Message.Message == nil {
		f.Fail("callback query", errors.New("its message is inaccessible"))
		return
	}
	msg := q.Message.Message
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: answerText}); err != nil {
		f.Fail("answerCallbackQuery", err)
		return
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: msg.Chat.ID, MessageID: msg.ID, Text: editedText}); err != nil {
		f.Fail("editMessageText", err)
		return
	}
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID:  msg.Chat.ID,
		Photo:   &models.InputFileUpload{Filename: photoName, Data: bytes.NewReader(f.Photo)},
		Caption: f.PhotoCaption(),
	})
	if err != nil || len(photo.Photo) == 0 {
		f.Fail("sendPhoto", err)
		return
	}
	doc, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:   msg.Chat.ID,
		Document: &models.InputFileUpload{Filename: docName, Data: bytes.NewReader(f.Doc)},
		Caption:  f.DocCaption(),
	})
	if err != nil || doc.Document == nil {
		f.Fail("sendDocument", err)
		return
	}
	gotelegramDownload(ctx, f, b, "photo", photo.Photo[len(photo.Photo)-1].FileID)
	gotelegramDownload(ctx, f, b, "document", doc.Document.FileID)
}

// gotelegramDownload fetches a file through getFile and the library's
// FileDownloadLink.
func gotelegramDownload(ctx context.Context, f *fixture, b *bot.Bot, kind, fileID string) {
	file, err := b.GetFile(ctx, &bot.GetFileParams{FileID: fileID})
	if err != nil {
		f.Fail("getFile "+kind, err)
		return
	}
	data, err := fetch(ctx, b.FileDownloadLink(file))
	if err != nil {
		f.Fail("download "+kind, err)
		return
	}
	f.Downloaded(kind, data)
}
