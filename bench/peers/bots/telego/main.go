// Command telego is the peer bench's echo bot written with
// github.com/mymmrac/telego and its telegohandler package: it answers
// every text message with the same text, after WORK. See ../../README.md
// for the environment it reads.
package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mymmrac/telego"
	th "github.com/mymmrac/telego/telegohandler"
	tu "github.com/mymmrac/telego/telegoutil"

	"github.com/heraldbot/herald/bench/peers/internal/botenv"
)

func main() {
	cfg, p, ctx := botenv.Start()

	bot, err := telego.NewBot(cfg.Token, telego.WithAPIServer(cfg.APIURL), telego.WithLogger(p))
	if err != nil {
		p.Fatal("telego.NewBot", err)
	}
	var updates <-chan telego.Update
	if cfg.IsWebhook() {
		updates = webhook(ctx, bot, cfg, p)
	} else {
		// nil parameters: telego's default long-polling timeout (8 s).
		updates, err = bot.UpdatesViaLongPolling(ctx, nil)
		if err != nil {
			p.Fatal("long polling", err)
		}
	}

	bh, err := th.NewBotHandler(bot, updates)
	if err != nil {
		p.Fatal("bot handler", err)
	}
	bh.HandleMessage(func(c *th.Context, msg telego.Message) error {
		if err := botenv.Pause(c, cfg.Work); err != nil {
			return err
		}
		_, err := c.Bot().SendMessage(c, tu.Message(msg.Chat.ChatID(), msg.Text))
		return err
	}, th.AnyMessageWithText())

	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = bh.StopWithContext(sctx)
	}()
	if err := bh.Start(); err != nil {
		p.Fail("bot handler", err)
	}
}

// webhook registers the bot's webhook, serves it on cfg.Listen and
// returns its updates, as telego's documentation does.
func webhook(ctx context.Context, bot *telego.Bot, cfg botenv.Config, p botenv.Printer) <-chan telego.Update {
	err := bot.SetWebhook(ctx, &telego.SetWebhookParams{URL: cfg.WebhookURL, SecretToken: bot.SecretToken()})
	if err != nil {
		p.Fatal("setWebhook", err)
	}
	mux := http.NewServeMux()
	updates, err := bot.UpdatesViaWebhook(ctx, telego.WebhookHTTPServeMux(mux, "POST "+cfg.WebhookPath(), bot.SecretToken()))
	if err != nil {
		p.Fatal("webhook", err)
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Fatal("webhook server", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return updates
}
