// Command shop is Herald's flagship example: a small shop with a catalog,
// a cart, a checkout form, order history, PNG receipts and admin commands.
//
// Against Telegram (talk to your bot from the Telegram app):
//
//	BOT_TOKEN=123:abc SHOP_ADMINS=<your user id> go run ./examples/shop
//
// Against the emulator, or any Bot API server:
//
//	go run ./cmd/herald emulator &
//	HERALD_API_URL=http://127.0.0.1:8081 BOT_TOKEN=1234:test go run ./examples/shop
//
// or simply `go run ./cmd/herald demo`, which runs this bot with the
// emulator in one process.
//
// As a fleet (docs/SCALING.md, "The shop as a fleet"): the business data
// in PostgreSQL, everything the bot itself keeps in Redis (or
// PostgreSQL), and as many instances as you like behind a load balancer:
//
//	DATABASE_URL=postgres://… SHOP_BACKEND=redis://127.0.0.1:6379/0 \
//	HERALD_MODE=webhook HERALD_WEBHOOK_URL=https://shop.example/tg \
//	HERALD_WEBHOOK_LISTEN=:8443 HERALD_WEBHOOK_SECRET=… BOT_TOKEN=… shop
//
// or as one receiver and any number of workers sharing a journal
// (docs/SCALING.md, "The shop as receiver + workers"):
//
//	export DATABASE_URL=postgres://… SHOP_BACKEND=postgres://… SHOP_JOURNAL=redis://… BOT_TOKEN=…
//	HERALD_ROLE=receiver shop &
//	HERALD_ROLE=worker shop & HERALD_ROLE=worker shop & HERALD_ROLE=worker shop &
//
// Environment:
//
//	BOT_TOKEN       the bot's token (required), as for every Herald
//	                command and example; TELEGRAM_TOKEN, the shop's name
//	                for it before, is still read when BOT_TOKEN is unset,
//	                with a warning, and will be removed
//	SHOP_ADMINS     comma-separated user ids allowed /stats and /broadcast
//	SHOP_BACKEND    where the bot keeps conversations, update claims, chat
//	                locks, limiter buckets and broadcasts: redis://… or
//	                postgres://… for a fleet; unset: the SQLite file SHOP_DB
//	SHOP_JOURNAL    redis://… puts the update journal on Redis Streams
//	                whatever SHOP_BACKEND is (a PostgreSQL engine has no
//	                journal of its own); unset: SHOP_BACKEND's journal (the
//	                SQLite file's, or Redis's), if any
//	SHOP_NAMESPACE  keeps deployments sharing one Redis or PostgreSQL
//	                apart: the Redis key prefix or the PostgreSQL schema of
//	                SHOP_BACKEND (default: the engine's, "herald")
//	SHOP_DB         SQLite file for the bot's state (without SHOP_BACKEND)
//	                and the shop's data (without DATABASE_URL); default shop.db
//	DATABASE_URL    postgres://… keeps the shop's data (catalog, carts,
//	                customers, orders) in PostgreSQL
//	SHOP_CART_REMINDER  how long after a cart is filled its customer is
//	                reminded of it (Go duration, default 1h; "off": never)
//	SHOP_RECEIPT_DELAY  extra time each receipt takes to print (default 0;
//	                for demos and the crash test)
//	SHOP_JOB_TIMEOUT, SHOP_JOB_RESCUE_AFTER  bound one run of a job
//	                (default 1m) and rerun a job left running by a
//	                crashed process (default the timeout + 1m)
//	HERALD_*        receiving mode, webhook, API URL and HERALD_ROLE
//	                (all, receiver or worker; herald.ConfigFromEnv)
//	OTEL_*          traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is
//	                set (package tracing; docs/OBSERVABILITY.md)
//
// Receipts and cart reminders are durable jobs (package jobs, River) in
// the shop's database: the SQLite file, or DATABASE_URL's PostgreSQL.
// `herald jobs --db <SHOP_DB or DATABASE_URL>` lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/postgres"
	"github.com/heraldbot/herald/backend/redis"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/tracing"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// run starts the shop and blocks until ctx ends or SIGINT/SIGTERM.
func run(ctx context.Context) error {
	token, err := tokenFromEnv(slog.Default())
	if err != nil {
		return err
	}
	admins, err := shopbot.ParseAdmins(os.Getenv("SHOP_ADMINS"))
	if err != nil {
		return err
	}
	cfg := shopbot.Config{Admins: admins}
	if err := jobsFromEnv(&cfg); err != nil {
		return err
	}
	path := os.Getenv("SHOP_DB")
	if path == "" {
		path = "shop.db"
	}

	// The bot's engine first: SQLite refuses a fresh file that already
	// has other tables in it, and the shop's tables are happy to join it.
	engine, err := openEngine(ctx, os.Getenv("SHOP_BACKEND"), os.Getenv("SHOP_NAMESPACE"), path)
	if err != nil {
		return err
	}
	defer engine.Close()

	// The shop's business data: its own database, its own package.
	dsn := path
	if u := os.Getenv("DATABASE_URL"); u != "" {
		dsn = u
	}
	db, err := service.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	slog.Info("shop storage", "engine", engine.Name(), "data", db.Engine())

	opts := []herald.Option{herald.WithBackend(engine)}
	if url := os.Getenv("SHOP_JOURNAL"); url != "" {
		js, err := openJournal(ctx, url, os.Getenv("SHOP_NAMESPACE"))
		if err != nil {
			return err
		}
		defer js.Close()
		opts = append(opts, herald.WithJournal(js.Journal(), herald.JournalConfig{}))
	}
	// Traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or
	// OTEL_TRACES_EXPORTER=otlp) asks for them; nothing otherwise.
	tp, err := tracing.FromEnv(ctx, "herald-shop")
	if err != nil {
		return err
	}
	if tp != nil {
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = tp.Shutdown(sctx)
		}()
		opts = append(opts, tracing.Option(tp))
	}
	cfg.DB = db
	bot, shop, err := shopbot.NewBot(token, cfg,
		append(opts, herald.ConfigFromEnv())...)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := shop.Close(cctx); err != nil {
			slog.Warn("closing the shop (jobs cut short run again at the next start)", "err", err)
		}
	}()
	if err := shopbot.SetCommands(ctx, bot.Client()); err != nil {
		slog.Warn("could not set the command menu", "err", err)
	}
	return bot.RunWithSignals(ctx)
}

// tokenFromEnv returns BOT_TOKEN, or the deprecated TELEGRAM_TOKEN (with
// a warning naming the variable, never its value) when BOT_TOKEN is unset.
func tokenFromEnv(log *slog.Logger) (string, error) {
	if token := os.Getenv("BOT_TOKEN"); token != "" {
		return token, nil
	}
	if token := os.Getenv("TELEGRAM_TOKEN"); token != "" {
		log.Warn("TELEGRAM_TOKEN is deprecated and will be removed; set BOT_TOKEN instead")
		return token, nil
	}
	return "", errors.New("set BOT_TOKEN to your bot's token (from @BotFather)")
}

// jobsFromEnv reads the jobs' settings: SHOP_CART_REMINDER,
// SHOP_RECEIPT_DELAY, SHOP_JOB_TIMEOUT and SHOP_JOB_RESCUE_AFTER.
func jobsFromEnv(cfg *shopbot.Config) error {
	for _, v := range []struct {
		name string
		to   *time.Duration
	}{
		{"SHOP_CART_REMINDER", &cfg.CartReminder},
		{"SHOP_RECEIPT_DELAY", &cfg.ReceiptDelay},
		{"SHOP_JOB_TIMEOUT", &cfg.JobTimeout},
		{"SHOP_JOB_RESCUE_AFTER", &cfg.JobRescueAfter},
	} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		if s == "off" && v.name == "SHOP_CART_REMINDER" {
			*v.to = -1
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s=%q: want a positive Go duration such as 90s or 1h", v.name, s)
		}
		*v.to = d
	}
	return nil
}

// openJournal opens the Redis engine of SHOP_JOURNAL, for its journal.
func openJournal(ctx context.Context, url, namespace string) (backend.Backend, error) {
	if !strings.HasPrefix(url, "redis://") && !strings.HasPrefix(url, "rediss://") && !strings.HasPrefix(url, "unix://") {
		return nil, fmt.Errorf("SHOP_JOURNAL=%q: want a redis:// URL", url)
	}
	e, err := redis.Open(ctx, url, redis.Options{Prefix: namespace})
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	return e, nil
}

// openEngine opens the engine named by SHOP_BACKEND: one line per engine.
func openEngine(ctx context.Context, url, namespace, sqlitePath string) (backend.Backend, error) {
	var (
		e   backend.Backend
		err error
	)
	switch {
	case url == "":
		e, err = sqlite.Open(ctx, sqlitePath, sqlite.Options{})
	case strings.HasPrefix(url, "redis://"), strings.HasPrefix(url, "rediss://"), strings.HasPrefix(url, "unix://"):
		e, err = redis.Open(ctx, url, redis.Options{Prefix: namespace})
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		e, err = postgres.Open(ctx, url, postgres.Options{Schema: namespace})
	default:
		return nil, fmt.Errorf("SHOP_BACKEND=%q: want a redis:// or postgres:// URL, or nothing for the SQLite file SHOP_DB", url)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the bot's engine: %w", err)
	}
	return e, nil
}
