// Command shop is Herald's flagship example: a small shop with a catalog,
// a cart, a checkout form, order history, PNG receipts and admin commands.
//
// Against Telegram (talk to your bot from the Telegram app):
//
//	TELEGRAM_TOKEN=123:abc SHOP_ADMINS=<your user id> go run ./examples/shop
//
// Against the emulator, or any Bot API server:
//
//	go run ./cmd/herald emulator &
//	HERALD_API_URL=http://127.0.0.1:8081 TELEGRAM_TOKEN=1234:test go run ./examples/shop
//
// or simply `go run ./cmd/herald demo`, which runs this bot with the
// emulator in one process.
//
// Environment:
//
//	TELEGRAM_TOKEN  the bot's token (required)
//	SHOP_ADMINS     comma-separated user ids allowed /stats and /broadcast
//	SHOP_DB         SQLite file for conversation state and, without
//	                DATABASE_URL, the shop's data (default shop.db)
//	DATABASE_URL    postgres://… keeps the shop's data in PostgreSQL
//	HERALD_*        receiving mode, webhook and API URL (see package herald)
package main

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/heraldbot/herald/examples/shop/shopbot"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// run starts the shop and blocks until ctx ends or SIGINT/SIGTERM.
func run(ctx context.Context) error {
	token := os.Getenv("TELEGRAM_TOKEN")
	if token == "" {
		return errors.New("set TELEGRAM_TOKEN to your bot's token (from @BotFather)")
	}
	admins, err := shopbot.ParseAdmins(os.Getenv("SHOP_ADMINS"))
	if err != nil {
		return err
	}
	path := os.Getenv("SHOP_DB")
	if path == "" {
		path = "shop.db"
	}
	st, err := shopbot.OpenStorage(ctx, path, os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	defer st.Close()
	slog.Info("shop storage", "state", path, "data", st.DB.Engine())

	bot, shop, err := shopbot.NewBot(token, shopbot.Config{DB: st.DB, State: st.State, Admins: admins})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := shop.Close(cctx); err != nil {
			slog.Warn("closing the shop (receipts in flight may be lost)", "err", err)
		}
	}()
	if err := shopbot.SetCommands(ctx, bot.Client()); err != nil {
		slog.Warn("could not set the command menu", "err", err)
	}
	return bot.RunWithSignals(ctx)
}
