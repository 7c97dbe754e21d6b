package main

// The demo: the emulator (a fake Telegram with a web chat page) and the
// flagship shop bot talking to it, in one process, with the bot's state
// and the shop's data in one SQLite file. "herald demo" (demo.go) is a
// thin command around runDemo.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/backend/sqlite"
	"github.com/heraldbot/herald/emulator"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/examples/shop/shopbot"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/source"
	"github.com/heraldbot/herald/tg"
	"github.com/heraldbot/herald/tracing"
)

// demoToken is the demo bot's token in the emulator (not a secret: the
// emulator is local).
const demoToken = "100001:herald-demo"

// demoBotName is the shop bot's name in the emulator (getMe, the page).
const demoBotName = "Herald Shop"

// demoUser is the demo customer, created in the emulator at start and made
// an admin of the shop so that /stats and /broadcast work on the page.
var demoUser = tg.User{ID: 1001, FirstName: "Ada", Username: "ada"}

// demoConfig configures runDemo.
type demoConfig struct {
	// Listener serves the emulator (Bot API, control API, page); it must
	// be on a loopback address. runDemo closes it.
	Listener net.Listener
	// DBPath is the SQLite file for the shop's data and conversations
	// (default defaultDemoDBPath()).
	DBPath string
	// Webhook makes the bot receive updates by webhook, on a loopback
	// listener of its own, instead of long polling.
	Webhook bool
	// Limits are the emulator's rate limits (nil: Telegram's).
	Limits *emulator.Limits
	// Out receives the instructions (default os.Stdout).
	Out io.Writer
	// Logger receives logs (default slog.Default()).
	Logger *slog.Logger
	// Ready, if set, is called once the emulator serves and the bot runs.
	Ready func(emu *emulator.Emulator, baseURL string)
}

// defaultDemoDBPath is herald-demo/shop.db in the user's cache directory, or
// in the temporary directory when there is none.
func defaultDemoDBPath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "herald-demo", "shop.db")
}

// runDemo serves the demo until ctx ends, then stops the bot, the emulator
// and the storage cleanly.
func runDemo(ctx context.Context, cfg demoConfig) error {
	if cfg.Listener == nil {
		return errors.New("demo: no listener")
	}
	defer cfg.Listener.Close()
	if tcp, ok := cfg.Listener.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		return fmt.Errorf("demo: %s is not a loopback address; the emulator's control API shows every token", cfg.Listener.Addr())
	}
	if cfg.DBPath == "" {
		cfg.DBPath = defaultDemoDBPath()
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DBPath), 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// One SQLite file: the bot's engine first (it refuses a fresh file
	// that has other tables already), then the shop's data joins it.
	engine, err := sqlite.Open(ctx, cfg.DBPath, sqlite.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer engine.Close()
	db, err := service.Open(ctx, cfg.DBPath)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer db.Close()

	// Prometheus metrics of the bot and the process, on the same port.
	reg := prometheus.NewRegistry()
	if err := metrics.RegisterProcess(reg); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	met, err := metrics.New(reg)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	// Update ids start at random (the emulator's default), so the shop,
	// which remembers handled update ids in its database, does not take a
	// restarted demo's first updates for its previous run's.
	emu := emulator.New(emulator.Options{Limits: cfg.Limits, Logger: log.With("component", "emulator")})
	base := "http://" + cfg.Listener.Addr().String()
	emuCtx, stopEmu := context.WithCancel(context.WithoutCancel(ctx))
	emuDone := make(chan error, 1)
	// The bot's probes share the emulator's port (503 until the bot exists).
	var probes atomic.Pointer[http.Handler]
	probe := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := probes.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	})
	mux := http.NewServeMux()
	mux.Handle("/", emu.Handler())
	mux.Handle("GET /healthz", probe)
	mux.Handle("GET /readyz", probe)
	mux.Handle("GET /metrics", metrics.Handler(reg))
	go func() { emuDone <- emu.ServeHandler(emuCtx, cfg.Listener, mux) }()
	defer func() {
		stopEmu()
		if err := <-emuDone; err != nil {
			log.Warn("emulator stopped with an error", "err", err)
		}
	}()
	if _, err := emu.RegisterBot(emulator.BotSpec{Token: demoToken, FirstName: demoBotName, Username: "herald_shop_bot"}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	mode, err := demoReceiveMode(cfg.Webhook)
	if err != nil {
		return err
	}
	// Traces when the OTEL_* variables ask for them (an OTLP endpoint).
	tp, err := tracing.FromEnv(ctx, "herald-demo")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if tp != nil {
		log.Info("demo: exporting traces over OTLP")
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("demo: flushing traces", "err", err)
			}
		}()
	}
	bot, shop, err := shopbot.NewBot(demoToken, shopbot.Config{
		DB: db, Admins: []int64{demoUser.ID}, Logger: log.With("component", "shop"),
		RunBroadcast: met.RunBroadcast, // herald_broadcast_* on /metrics
		// The emulator enforces Telegram's limits, so the bot keeps them.
		Limits: limit.Config{},
	}, herald.WithBackend(engine), herald.WithClientOptions(tg.WithBaseURL(base)), mode,
		// Updates, Bot API calls, scheduler, limiter, journal, webhook
		// answers; /metrics is on the emulator's port (above).
		met.Option(nil), tracing.Option(tp))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := shop.Close(cctx); err != nil {
			log.Warn("closing the shop (jobs cut short run again at the next start)", "err", err)
		}
	}()
	health := bot.HealthHandler()
	probes.Store(&health)
	if err := shopbot.SetCommands(ctx, bot.Client()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	runCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	runDone := make(chan error, 1)
	go func() { runDone <- bot.Run(runCtx) }()

	// The demo customer says hello, so that the page offers them.
	if _, err := emu.SendMessage(ctx, emulator.UserMessage{Token: demoToken, From: demoUser, Text: "/start"}); err != nil {
		// Stop the bot and wait for it before the deferred calls close
		// the shop and the storage it uses.
		stopBot()
		return errors.Join(fmt.Errorf("demo: %w", err), <-runDone)
	}
	how := "long polling"
	if cfg.Webhook {
		how = "webhook"
	}
	fmt.Fprintf(cfg.Out, `Herald demo: the shop bot runs against the emulator (%s).

  Open %s/ in your browser, pick the user %q (a shop admin), and write /start.
  Try: /catalog, add a few products, /cart → Checkout (give a bad phone number
  first), confirm, then /orders, and the admin commands /stats and /broadcast hi.

  Shop and conversation state: %s
  Bot API: %s/bot<token>/…   Control API: %s/control/
  The bot's probes: %s/healthz and %s/readyz; Prometheus metrics: %s/metrics
  Press Ctrl-C to stop.
`, how, base, demoUser.FirstName, cfg.DBPath, base, base, base, base, base)
	if cfg.Ready != nil {
		cfg.Ready(emu, base)
	}
	err = <-runDone
	log.Info("demo stopped")
	return err
}

// demoReceiveMode is polling (short timeouts so Ctrl-C is quick) or a
// webhook on a loopback listener of its own.
func demoReceiveMode(webhook bool) (herald.Option, error) {
	if !webhook {
		return herald.WithPolling(source.PollerConfig{Timeout: 10 * time.Second, DeleteWebhook: true}), nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: webhook listener: %w", err)
	}
	return herald.WithWebhook(herald.WebhookConfig{
		URL:      "http://" + ln.Addr().String() + "/webhook",
		Listener: ln,
		Path:     "/webhook",
	}), nil
}
