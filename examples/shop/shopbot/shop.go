package shopbot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/fsm/form"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/tg"
)

// Config configures the shop bot.
type Config struct {
	// DB holds the catalog, carts, customers and orders (required): the
	// shop's business data, in its own database.
	DB *service.DB
	// Admins may use /stats and /broadcast.
	Admins []int64
	// Limits are the outbound rate limits; the zero value is Telegram's.
	Limits limit.Config
	// Flood limits how fast one user may send updates; the zero value
	// allows 3 per second with bursts of 10. Rate < 0 turns it off.
	Flood middleware.ThrottleConfig
	// HandlerTimeout bounds each handler (default 15 s; < 0: no bound): its
	// Context is cancelled then, so a slow database or Bot API call fails
	// with a friendly reply instead of holding the chat's queue.
	HandlerTimeout time.Duration
	// ReceiptWorkers render and send receipts (default 2); ReceiptQueue
	// bounds the receipts waiting for a worker (default 64).
	ReceiptWorkers, ReceiptQueue int
	// BroadcastResume is how often each instance looks for broadcasts
	// that nobody runs any more (their instance stopped or died) and
	// resumes them (default 5 s; < 0: never).
	BroadcastResume time.Duration
	// Logger receives the shop's logs (default slog.Default()).
	Logger *slog.Logger
}

// ErrorReply is what a customer is told when a handler fails.
const ErrorReply = "Sorry, something went wrong on our side. Please try again in a moment — your cart is safe."

// Shop is the shop bot's handlers and background workers.
type Shop struct {
	cfg        Config
	log        *slog.Logger
	receipts   *Receipts
	broadcasts *broadcaster
	checkout   *form.Form[Checkout]
	closeOnce  sync.Once
}

// New checks cfg and starts the receipt workers; Close stops them.
func New(cfg Config) (*Shop, error) {
	if cfg.DB == nil {
		return nil, errors.New("shopbot: Config.DB is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HandlerTimeout == 0 {
		cfg.HandlerTimeout = 15 * time.Second
	}
	if cfg.Flood.Rate == 0 {
		cfg.Flood.Rate, cfg.Flood.Burst = 3, 10
	}
	if cfg.BroadcastResume == 0 {
		cfg.BroadcastResume = 5 * time.Second
	}
	s := &Shop{cfg: cfg, log: cfg.Logger}
	s.receipts = NewReceipts(cfg.ReceiptWorkers, cfg.ReceiptQueue, cfg.Logger)
	s.broadcasts = newBroadcaster(cfg.Logger, cfg.BroadcastResume)
	return s, nil
}

// Options returns the bot options the shop needs: its services (for
// herald.Require), how long a checkout is kept, the outbound limits and
// the friendly error reply. Pass them to herald.New together with the
// engine that keeps conversations, claims, locks, limiter buckets and
// broadcasts, herald.WithBackend(engine): the shop needs one (its checkout
// is a conversation) and does not care which.
func (s *Shop) Options() []herald.Option {
	db := s.cfg.DB
	return []herald.Option{
		herald.Provide(db.Catalog()),
		herald.Provide(db.Carts()),
		herald.Provide(db.Customers()),
		herald.Provide(db.Orders()),
		herald.Provide(s.receipts),
		herald.WithFSM(nil, herald.FSMConfig{TTL: 7 * 24 * time.Hour}), // in the engine of WithBackend
		herald.WithLimits(s.cfg.Limits),                                // the engine's limiter store unless Limits.Store is set
		herald.WithErrorReply(ErrorReply),
		herald.WithLogger(s.log),
	}
}

// Register adds the shop's handlers to r: the checkout form first (it
// only takes users in the middle of it), then commands and buttons, the
// admin commands behind middleware.AdminOnly, and a fallback.
func (s *Shop) Register(r *herald.Router) {
	r.Use(middleware.Logging(s.log))
	if s.cfg.Flood.Rate > 0 {
		r.Use(middleware.Throttle(s.cfg.Flood))
	}
	if s.cfg.HandlerTimeout > 0 {
		r.UseInner(middleware.Timeout(s.cfg.HandlerTimeout))
	}

	h := newHandlers(r, s)
	s.checkout = newCheckoutForm(h)
	s.checkout.Register(r)
	h.register(r)

	admin := herald.NewRouter("shop admin")
	admin.UseInner(middleware.AdminOnly(middleware.AdminConfig{
		Users: s.cfg.Admins,
		Deny:  "Sorry, that command is for the shop's staff.",
	}))
	registerAdmin(admin, h)
	r.Include(admin)

	r.Message(h.fallback)
	r.CallbackQuery(func(c *herald.Context) error { return c.Answer("This button is no longer active.") })
}

// Attach starts what the shop does in the background for bot: resuming
// broadcasts that no instance runs any more. NewBot calls it; call it
// yourself after herald.New when you use New, Options and Register.
func (s *Shop) Attach(bot *herald.Bot) { s.broadcasts.attach(bot) }

// Close stops the receipt workers (waiting for the receipts in flight
// until ctx ends) and the broadcasts this instance runs (they are kept
// in the engine, and another instance, or this one restarted, resumes
// them).
func (s *Shop) Close(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		s.broadcasts.stop()
		err = s.receipts.Close(ctx)
	})
	return err
}

// NewBot is New, herald.New with the shop's Options (then opts), and
// Register on the bot's root router.
func NewBot(token string, cfg Config, opts ...herald.Option) (*herald.Bot, *Shop, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	bot, err := herald.New(token, append(s.Options(), opts...)...)
	if err != nil {
		_ = s.Close(context.Background())
		return nil, nil, err
	}
	s.Register(bot.Router())
	s.Attach(bot)
	return bot, s, nil
}

// Commands are the shop's commands as shown in Telegram's menu.
var Commands = []tg.BotCommand{
	{Command: "start", Description: "Welcome and main menu"},
	{Command: "catalog", Description: "Browse the catalog"},
	{Command: "cart", Description: "Your cart"},
	{Command: "orders", Description: "Your orders"},
	{Command: "cancel", Description: "Leave the checkout"},
	{Command: "help", Description: "What this bot does"},
}

// SetCommands publishes Commands to Telegram's command menu.
func SetCommands(ctx context.Context, client *tg.Client) error {
	_, err := client.SetMyCommands(ctx, tg.SetMyCommandsParams{Commands: Commands})
	return err
}
