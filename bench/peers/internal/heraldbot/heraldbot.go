// Package heraldbot is the peer bench's echo bot written with Herald: it
// answers every text message with the same text, after WORK. bots/herald
// runs it with Herald's defaults and bots/heraldtuned with the options a
// busy bot would choose; they are separate programs so that the default
// one links nothing it does not use (its peak RSS is measured).
package heraldbot

import (
	"context"
	"errors"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/bench/peers/internal/botenv"
	"github.com/heraldbot/herald/tg"
)

// Tuning adds options to the bot: client options, and options for long
// polling only. done, if not nil, runs when the bot stopped.
type Tuning func(ctx context.Context, cfg botenv.Config, p botenv.Printer) (client []tg.Option, polling []herald.Option, done func())

// Run runs the echo bot with the environment botenv reads, tuned by tune
// (nil: Herald's defaults).
func Run(tune Tuning) {
	cfg, p, ctx := botenv.Start()
	client := []tg.Option{tg.WithBaseURL(cfg.APIURL)}
	var polling []herald.Option
	if tune != nil {
		c, pol, done := tune(ctx, cfg, p)
		client, polling = append(client, c...), pol
		if done != nil {
			defer done()
		}
	}
	opts := []herald.Option{
		herald.WithClientOptions(client...),
		// The emulator's limits are off and no peer framework has an
		// outbound limiter: without Herald's, every bot sends as fast as
		// it can, and the bench compares the frameworks' own cost.
		herald.WithoutLimiter(),
		herald.WithLogger(p.Log),
	}
	if cfg.IsWebhook() {
		// Herald calls setWebhook with URL at start (with a generated
		// secret token) and serves the endpoint on Listen.
		opts = append(opts, herald.WithWebhook(herald.WebhookConfig{
			URL: cfg.WebhookURL, Listen: cfg.Listen, Path: cfg.WebhookPath(),
		}))
	} else { // long polling, Herald's default
		opts = append(opts, polling...)
	}
	bot, err := herald.New(cfg.Token, opts...)
	if err != nil {
		p.Fatal("herald.New", err)
	}
	bot.Router().Message(func(c *herald.Context) error {
		if err := botenv.Pause(c, cfg.Work); err != nil {
			return err
		}
		if cfg.IsWebhook() {
			// The reply travels in the webhook's HTTP response: one
			// request to the API saved.
			c.ReplyInResponse("sendMessage", tg.SendMessageParams{ChatID: tg.ID(c.Chat().ID), Text: c.Text()})
			return nil
		}
		_, err := c.Reply(c.Text())
		return err
	}, herald.ContentType("text"))
	if err := bot.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		p.Fatal("run", err)
	}
}
