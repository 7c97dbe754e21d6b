// Command herald is the peer bench's echo bot written with Herald: it
// answers every text message with the same text, after WORK. See
// ../../README.md for the environment it reads. Two more variables pick
// documented options (the herald-tuned bot of the bench):
// HERALD_TRANSPORT=fasthttp calls the Bot API through tg/fasthttp, and
// HERALD_JOURNAL=sqlite, when polling, keeps an update journal in a
// SQLite file under a temporary directory.
package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/bench/peers/internal/botenv"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tg/fasthttp"
)

func main() {
	cfg, p, ctx := botenv.Start()
	client := []tg.Option{tg.WithBaseURL(cfg.APIURL)}
	if os.Getenv("HERALD_TRANSPORT") == "fasthttp" {
		client = append(client, tg.WithHTTPClient(fasthttp.Client(fasthttp.Config{})))
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
	} else if os.Getenv("HERALD_JOURNAL") == "sqlite" {
		dir, err := os.MkdirTemp("", "herald-peers-")
		if err != nil {
			p.Fatal("journal directory", err)
		}
		defer os.RemoveAll(dir)
		store, err := sqlite.Open(ctx, filepath.Join(dir, "journal.db"), sqlite.Options{})
		if err != nil {
			p.Fatal("sqlite.Open", err)
		}
		defer store.Close()
		opts = append(opts, herald.WithJournal(store.Journal(), herald.JournalConfig{}))
	} // else long polling, Herald's default
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
