// Command webhook serves a Herald bot's webhook from an http.ServeMux,
// next to the application's other routes (/healthz here).
//
//	BOT_TOKEN=… PUBLIC_URL=https://bot.example.com LISTEN=:8080 go run ./examples/webhook
//
// It calls setWebhook with PUBLIC_URL + "/telegram" at start; the secret
// token is generated and checked on every request.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/heraldbot/herald"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	listen := os.Getenv("LISTEN")
	if listen == "" {
		listen = ":8080"
	}
	if err := run(ctx, os.Getenv("BOT_TOKEN"), os.Getenv("PUBLIC_URL")+"/telegram", listen); err != nil {
		log.Fatal(err)
	}
}

// newBot builds the bot in webhook mode without a listener of its own: the
// application mounts bot.WebhookHandler() where it likes.
func newBot(token, publicURL string, opts ...herald.Option) (*herald.Bot, error) {
	bot, err := herald.New(token, append([]herald.Option{herald.WithWebhook(herald.WebhookConfig{URL: publicURL})}, opts...)...)
	if err != nil {
		return nil, err
	}
	bot.Router().Command("start", func(c *herald.Context) error {
		_, err := c.Reply("Hello from a webhook!")
		return err
	})
	return bot, nil
}

// mux mounts the webhook next to the application's own routes.
func mux(bot *herald.Bot) *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("/telegram", bot.WebhookHandler())
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	return m
}

// run serves the bot's webhook and the application's routes on listen
// until ctx ends. Whichever of the bot and the server stops first stops
// the other, so run never returns with either still running.
func run(ctx context.Context, token, publicURL, listen string, opts ...herald.Option) error {
	bot, err := newBot(token, publicURL, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	botErr := make(chan error, 1)
	go func() { // sets the webhook, schedules updates, drains on shutdown
		defer cancel()
		botErr <- bot.Run(ctx)
	}()
	srv := &http.Server{Addr: listen, Handler: mux(bot), ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() {
		defer cancel()
		serveErr <- srv.ListenAndServe()
	}()
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	err = srv.Shutdown(sctx)
	if serr := <-serveErr; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(serr, err)
	}
	return errors.Join(err, <-botErr)
}
