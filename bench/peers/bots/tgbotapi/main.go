// Command tgbotapi is the peer bench's echo bot written with
// github.com/go-telegram-bot-api/telegram-bot-api/v5: one loop that
// answers every text message with the same text, after WORK. See
// ../../README.md for the environment it reads.
package main

import (
	"errors"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/heraldbot/herald/bench/peers/internal/botenv"
)

func main() {
	cfg, p, ctx := botenv.Start()
	if err := tgbotapi.SetLogger(p); err != nil {
		p.Fatal("logger", err)
	}

	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(cfg.Token, cfg.APIURL+"/bot%s/%s")
	if err != nil {
		p.Fatal("tgbotapi.NewBotAPI", err)
	}
	var updates tgbotapi.UpdatesChannel
	if cfg.IsWebhook() {
		wh, err := tgbotapi.NewWebhook(cfg.WebhookURL)
		if err != nil {
			p.Fatal("webhook URL", err)
		}
		if _, err := bot.Request(wh); err != nil {
			p.Fatal("setWebhook", err)
		}
		updates = bot.ListenForWebhook(cfg.WebhookPath())
		srv := &http.Server{Addr: cfg.Listen, ReadHeaderTimeout: 10 * time.Second} // http.DefaultServeMux
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				p.Fatal("webhook server", err)
			}
		}()
	} else {
		u := tgbotapi.NewUpdate(0)
		// NewUpdate's timeout is 0: short polling in a tight loop. The
		// library's documentation sets 60 s, as this does.
		u.Timeout = 60
		updates = bot.GetUpdatesChan(u)
	}

	for {
		select {
		case <-ctx.Done():
			return
		case update := <-updates:
			if update.Message == nil || update.Message.Text == "" {
				continue
			}
			if botenv.Pause(ctx, cfg.Work) != nil {
				return
			}
			msg := tgbotapi.NewMessage(update.Message.Chat.ID, update.Message.Text)
			if _, err := bot.Send(msg); err != nil {
				p.Fail("sendMessage", err)
			}
		}
	}
}
