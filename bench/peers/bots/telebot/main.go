// Command telebot is the peer bench's echo bot written with
// gopkg.in/telebot.v3: it answers every text message with the same text,
// after WORK. See ../../README.md for the environment it reads.
package main

import (
	"time"

	tele "gopkg.in/telebot.v3"

	"github.com/heraldbot/herald/bench/peers/internal/botenv"
)

func main() {
	cfg, p, ctx := botenv.Start()

	var poller tele.Poller
	if cfg.IsWebhook() {
		// telebot calls setWebhook with Endpoint.PublicURL and serves
		// the webhook on Listen.
		poller = &tele.Webhook{Listen: cfg.Listen, Endpoint: &tele.WebhookEndpoint{PublicURL: cfg.WebhookURL}}
	} else {
		// telebot's zero LongPoller sends timeout=0: short polling in a
		// tight loop, which would measure how fast the bot can ask for
		// nothing. Its documentation sets a long-polling timeout, as
		// this does.
		poller = &tele.LongPoller{Timeout: 10 * time.Second}
	}
	b, err := tele.NewBot(tele.Settings{
		URL:     cfg.APIURL,
		Token:   cfg.Token,
		Poller:  poller,
		OnError: func(err error, _ tele.Context) { p.Fail("bot", err) },
	})
	if err != nil {
		p.Fatal("telebot.NewBot", err)
	}
	b.Handle(tele.OnText, func(c tele.Context) error {
		if err := botenv.Pause(ctx, cfg.Work); err != nil {
			return err
		}
		return c.Send(c.Text())
	})
	go b.Start()
	<-ctx.Done()
	if !cfg.IsWebhook() {
		// Stop waits for the poll in flight. (telebot v3.3.8's Webhook
		// poller closes its stop channel a second time and panics when
		// stopped, so a webhook bot just exits.)
		b.Stop()
	}
}
