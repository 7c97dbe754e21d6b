package compat

import (
	"bytes"
	"io"
	"testing"

	tele "gopkg.in/telebot.v3"
)

// TestTelebot runs gopkg.in/telebot.v3 with its defaults (getMe in
// NewBot, JSON requests, multipart uploads, an inline button that always
// carries "switch_inline_query_current_chat":""), only the URL changed:
// its default poller (LongPoller{}, which sends timeout=0) and a Webhook
// poller that serves on its Listen address and registers
// http://<Listen> with setWebhook.
//
// telebot v3.3.8's Webhook poller panics when the bot is stopped (it
// closes the stop channel that Bot.Start closed already), so the webhook
// bot is left running until the test binary exits.
func TestTelebot(t *testing.T) {
	conform(t, "telebot", startTelebot)
}

func startTelebot(t *testing.T, f *fixture, m mode) func() {
	settings := tele.Settings{URL: f.APIURL, Token: f.Token}
	var addr string
	if m == webhook {
		addr = f.FreeAddr()
		settings.Poller = &tele.Webhook{Listen: addr}
	}
	b, err := tele.NewBot(settings)
	if err != nil {
		t.Fatal(err)
	}
	f.Started(b.Me.ID, b.Me.IsBot, b.Me.Username)

	b.Handle(startText, func(c tele.Context) error {
		markup := &tele.ReplyMarkup{InlineKeyboard: [][]tele.InlineButton{{{Text: buttonText, Data: buttonData}}}}
		err := c.Send(f.Greeting(c.Sender().FirstName), markup)
		if err != nil {
			f.Fail("sendMessage", err)
		}
		return err
	})
	b.Handle(tele.OnCallback, func(c tele.Context) error {
		if c.Callback().Data != buttonData {
			return nil
		}
		err := telebotPressed(f, b, c)
		if err != nil {
			f.Fail("callback", err)
		}
		return err
	})

	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start()
	}()
	if m == webhook {
		f.WaitListening(addr)
		return func() {}
	}
	return func() { b.Stop(); <-done }
}

func telebotPressed(f *fixture, b *tele.Bot, c tele.Context) error {
	if err := c.Respond(&tele.CallbackResponse{Text: answerText}); err != nil {
		return err
	}
	if err := c.Edit(editedText); err != nil {
		return err
	}
	photo, err := b.Send(c.Chat(), &tele.Photo{File: tele.FromReader(bytes.NewReader(f.Photo)), Caption: f.PhotoCaption()})
	if err != nil {
		return err
	}
	doc, err := b.Send(c.Chat(), &tele.Document{File: tele.FromReader(bytes.NewReader(f.Doc)), FileName: docName, Caption: f.DocCaption()})
	if err != nil {
		return err
	}
	for kind, file := range map[string]tele.File{"photo": photo.Photo.File, "document": doc.Document.File} {
		// Bot.File is getFile and the download from URL/file/bot<token>/<path>.
		rc, err := b.File(&file)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			return err
		}
		f.Downloaded(kind, data)
	}
	return nil
}
