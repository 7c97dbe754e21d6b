package compat

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestTgbotapi runs github.com/go-telegram-bot-api/telegram-bot-api/v5
// with its defaults (getMe in the constructor, form-encoded requests,
// multipart uploads), only the API endpoint changed: GetUpdatesChan with
// NewUpdate(0), and setWebhook with ListenForWebhook on
// http.DefaultServeMux, as its documentation shows.
//
// Its download link (File.Link, GetFileDirectURL) always points at
// api.telegram.org, whatever the endpoint, so the bot downloads from the
// file path that getFile gave, under the emulator's URL.
func TestTgbotapi(t *testing.T) {
	conform(t, "tgbotapi", startTgbotapi)
}

// webhookSeq makes each run's pattern on http.DefaultServeMux its own
// (ServeMux panics on a pattern registered twice, as with -count=2).
var webhookSeq atomic.Int64

func startTgbotapi(t *testing.T, f *fixture, m mode) func() {
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(f.Token, f.APIURL+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	f.Started(bot.Self.ID, bot.Self.IsBot, bot.Self.UserName)

	var updates tgbotapi.UpdatesChannel
	if m == polling {
		updates = bot.GetUpdatesChan(tgbotapi.NewUpdate(0))
	} else {
		pattern := fmt.Sprintf("/tgbotapi/%d", webhookSeq.Add(1))
		updates = bot.ListenForWebhook(pattern)
		wh, err := tgbotapi.NewWebhook(f.Serve(http.DefaultServeMux) + pattern)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bot.Request(wh); err != nil {
			t.Fatalf("setWebhook: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case u := <-updates:
				tgbotapiHandle(ctx, f, bot, u)
			}
		}
	}()
	return func() {
		if m == polling {
			bot.StopReceivingUpdates()
		}
		cancel()
		<-done
	}
}

func tgbotapiHandle(ctx context.Context, f *fixture, bot *tgbotapi.BotAPI, u tgbotapi.Update) {
	switch {
	case u.Message != nil && u.Message.Text == startText:
		msg := tgbotapi.NewMessage(u.Message.Chat.ID, f.Greeting(u.Message.From.FirstName))
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(buttonText, buttonData)))
		if _, err := bot.Send(msg); err != nil {
			f.Fail("sendMessage", err)
		}
	case u.CallbackQuery != nil && u.CallbackQuery.Data == buttonData && u.CallbackQuery.Message != nil:
		if err := tgbotapiPressed(ctx, f, bot, u.CallbackQuery); err != nil {
			f.Fail("callback", err)
		}
	}
}

func tgbotapiPressed(ctx context.Context, f *fixture, bot *tgbotapi.BotAPI, q *tgbotapi.CallbackQuery) error {
	chat, id := q.Message.Chat.ID, q.Message.MessageID
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, answerText)); err != nil {
		return err
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(chat, id, editedText)); err != nil {
		return err
	}
	photo := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: photoName, Bytes: f.Photo})
	photo.Caption = f.PhotoCaption()
	sentPhoto, err := bot.Send(photo)
	if err != nil {
		return err
	}
	doc := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: docName, Bytes: f.Doc})
	doc.Caption = f.DocCaption()
	sentDoc, err := bot.Send(doc)
	if err != nil {
		return err
	}
	if len(sentPhoto.Photo) == 0 || sentDoc.Document == nil {
		return fmt.Errorf("sent photo %+v, document %+v", sentPhoto.Photo, sentDoc.Document)
	}
	for kind, fileID := range map[string]string{"photo": sentPhoto.Photo[len(sentPhoto.Photo)-1].FileID, "document": sentDoc.Document.FileID} {
		file, err := bot.GetFile(tgbotapi.FileConfig{FileID: fileID})
		if err != nil {
			return err
		}
		// The library's own link differs from the emulator's only in its host.
		link := file.Link(bot.Token)
		emulated := f.APIURL + "/file/bot" + bot.Token + "/" + file.FilePath
		if !strings.HasSuffix(link, strings.TrimPrefix(emulated, f.APIURL)) {
			return fmt.Errorf("file link %q does not end like %q", link, emulated)
		}
		data, err := fetch(ctx, emulated)
		if err != nil {
			return err
		}
		f.Downloaded(kind, data)
	}
	return nil
}
