package compat

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/mymmrac/telego"
	tu "github.com/mymmrac/telego/telegoutil"
)

// TestTelego runs github.com/mymmrac/telego with its defaults (fasthttp,
// JSON requests, multipart uploads), only the API server changed:
// UpdatesViaLongPolling with nil parameters, and UpdatesViaWebhook on a
// ServeMux with the secret token, as its documentation shows.
func TestTelego(t *testing.T) {
	conform(t, "telego", startTelego)
}

func startTelego(t *testing.T, f *fixture, m mode) func() {
	bot, err := telego.NewBot(f.Token, telego.WithAPIServer(f.APIURL))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	me, err := bot.GetMe(ctx)
	if err != nil {
		cancel()
		t.Fatalf("getMe: %v", err)
	}
	f.Started(me.ID, me.IsBot, me.Username)

	var updates <-chan telego.Update
	if m == polling {
		updates, err = bot.UpdatesViaLongPolling(ctx, nil)
	} else {
		mux := http.NewServeMux()
		url := f.Serve(mux) + "/telego"
		if err = bot.SetWebhook(ctx, &telego.SetWebhookParams{URL: url, SecretToken: bot.SecretToken()}); err == nil {
			updates, err = bot.UpdatesViaWebhook(ctx, telego.WebhookHTTPServeMux(mux, "POST /telego", bot.SecretToken()))
		}
	}
	if err != nil {
		cancel()
		t.Fatalf("telego %s: %v", m, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Not u.Context(): for a webhook update that is the request's,
		// which ends as soon as telego has queued the update.
		for u := range updates { // closed when ctx ends
			telegoHandle(ctx, f, bot, u)
		}
	}()
	return func() { cancel(); <-done }
}

func telegoHandle(ctx context.Context, f *fixture, bot *telego.Bot, u telego.Update) {
	switch {
	case u.Message != nil && u.Message.Text == startText:
		msg := u.Message
		_, err := bot.SendMessage(ctx, tu.Message(msg.Chat.ChatID(), f.Greeting(msg.From.FirstName)).
			WithReplyMarkup(tu.InlineKeyboard(tu.InlineKeyboardRow(tu.InlineKeyboardButton(buttonText).WithCallbackData(buttonData)))))
		if err != nil {
			f.Fail("sendMessage", err)
		}
	case u.CallbackQuery != nil && u.CallbackQuery.Data == buttonData && u.CallbackQuery.Message != nil:
		q := u.CallbackQuery
		chat := q.Message.GetChat().ChatID()
		if err := bot.AnswerCallbackQuery(ctx, tu.CallbackQuery(q.ID).WithText(answerText)); err != nil {
			f.Fail("answerCallbackQuery", err)
			return
		}
		if _, err := bot.EditMessageText(ctx, tu.EditMessageText(chat, q.Message.GetMessageID(), editedText)); err != nil {
			f.Fail("editMessageText", err)
			return
		}
		photo, err := bot.SendPhoto(ctx, tu.Photo(chat, tu.File(tu.NameReader(bytes.NewReader(f.Photo), photoName))).WithCaption(f.PhotoCaption()))
		if err != nil || len(photo.Photo) == 0 {
			f.Fail("sendPhoto", err)
			return
		}
		doc, err := bot.SendDocument(ctx, tu.Document(chat, tu.File(tu.NameReader(bytes.NewReader(f.Doc), docName))).WithCaption(f.DocCaption()))
		if err != nil || doc.Document == nil {
			f.Fail("sendDocument", err)
			return
		}
		telegoDownload(ctx, f, bot, "photo", photo.Photo[len(photo.Photo)-1].FileID)
		telegoDownload(ctx, f, bot, "document", doc.Document.FileID)
	}
}

// telegoDownload fetches a file the way telego documents it: getFile,
// then FileDownloadURL and telegoutil.DownloadFile.
func telegoDownload(ctx context.Context, f *fixture, bot *telego.Bot, kind, fileID string) {
	file, err := bot.GetFile(ctx, &telego.GetFileParams{FileID: fileID})
	if err != nil {
		f.Fail("getFile "+kind, err)
		return
	}
	data, err := tu.DownloadFile(bot.FileDownloadURL(file.FilePath))
	if err != nil {
		f.Fail("download "+kind, err)
		return
	}
	f.Downloaded(kind, data)
}
