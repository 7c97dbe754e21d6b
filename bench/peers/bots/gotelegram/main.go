// Command gotelegram is the peer bench's echo bot written with
// github.com/go-telegram/bot: it answers every text message with the same
// text, after WORK. See ../../README.md for the environment it reads.
package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald/bench/peers/internal/botenv"
)

func main() {
	cfg, p, ctx := botenv.Start()

	echo := func(ctx context.Context, b *bot.Bot, update *models.Update) {
		if update.Message == nil || update.Message.Text == "" {
			return
		}
		if botenv.Pause(ctx, cfg.Work) != nil {
			return
		}
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: update.Message.Chat.ID, Text: update.Message.Text})
		if err != nil {
			p.Fail("sendMessage", err)
		}
	}
	b, err := bot.New(cfg.Token,
		bot.WithServerURL(cfg.APIURL),
		bot.WithDefaultHandler(echo),
		bot.WithErrorsHandler(func(err error) { p.Fail("bot", err) }),
	)
	if err != nil {
		p.Fatal("bot.New", err)
	}
	if !cfg.IsWebhook() {
		b.Start(ctx) // long polling with the library's default timeout
		return
	}
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: cfg.WebhookURL}); err != nil {
		p.Fatal("setWebhook", err)
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: b.WebhookHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Fatal("webhook server", err)
		}
	}()
	b.StartWebhook(ctx)
	_ = srv.Close()
}
