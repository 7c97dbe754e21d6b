package shopbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcast"
	"github.com/heraldbot/herald/examples/shop/service"
	"github.com/heraldbot/herald/fsm/form"
	"github.com/heraldbot/herald/i18n"
	"github.com/heraldbot/herald/jobs"
	"github.com/heraldbot/herald/limit"
	"github.com/heraldbot/herald/middleware"
	"github.com/heraldbot/herald/tg"
	"github.com/jackc/pgx/v5/pgxpool"
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
	// Jobs is the durable job queue of receipts and reminders. Nil: one
	// on DB's database (the same SQLite file, or a pgx pool on the same
	// PostgreSQL URL), owned by the shop, with ReceiptWorkers,
	// JobTimeout and JobRescueAfter.
	Jobs *jobs.Client
	// ReceiptWorkers bounds the receipts rendered at once (default
	// GOMAXPROCS: the jobs' CPU queue).
	ReceiptWorkers int
	// ReceiptDelay makes each receipt take that much longer to print,
	// standing for a slow printer (demos, and tests that kill the shop
	// while receipts print). Default 0.
	ReceiptDelay time.Duration
	// JobTimeout bounds one run of a job (default 1 minute); JobRescueAfter
	// is when a job left running by a crashed process runs again (default
	// JobTimeout + 1 minute).
	JobTimeout, JobRescueAfter time.Duration
	// CartReminder is how long after an item is put in a cart its
	// customer is reminded of it, if it still has items then (default
	// 1 hour; < 0: never).
	CartReminder time.Duration
	// BroadcastResume is how often each instance looks for broadcasts
	// that nobody runs any more (their instance stopped or died) and
	// resumes them (default 5 s; < 0: never).
	BroadcastResume time.Duration
	// RunBroadcast sends a campaign (default broadcast.Run); give
	// metrics.Metrics.RunBroadcast to count the sends.
	RunBroadcast func(ctx context.Context, client *tg.Client, store broadcast.Store, id int64, opts broadcast.Options) (broadcast.Progress, error)
	// Logger receives the shop's logs (default slog.Default()).
	Logger *slog.Logger
}

// ErrorReply is what a customer is told when a handler fails.
const ErrorReply = "Sorry, something went wrong on our side. Please try again in a moment — your cart is safe."

// Shop is the shop bot's handlers and background workers.
type Shop struct {
	cfg        Config
	log        *slog.Logger
	jobs       *jobs.Client
	ownJobs    func() // closes the jobs' pool New opened, if any
	receipts   *Receipts
	reminders  *Reminders
	broadcasts *broadcaster
	checkouts  map[string]*form.Form[Checkout] // by language
	texts      *i18n.Catalog
	closeOnce  sync.Once
}

// New checks cfg and prepares the job queue (running its migrations);
// Attach starts it, Close stops it.
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
	if cfg.CartReminder == 0 {
		cfg.CartReminder = time.Hour
	}
	texts, err := loadTexts()
	if err != nil {
		return nil, fmt.Errorf("shopbot: %w", err)
	}
	s := &Shop{cfg: cfg, log: cfg.Logger, jobs: cfg.Jobs, ownJobs: func() {}, texts: texts}
	if s.jobs == nil {
		if err := s.openJobs(); err != nil {
			return nil, err
		}
	}
	if s.receipts, err = newReceipts(s.jobs, cfg.DB.Orders(), cfg.Logger, cfg.ReceiptDelay); err != nil {
		s.ownJobs()
		return nil, err
	}
	if s.reminders, err = newReminders(texts, s.jobs, cfg.DB.Carts(), cfg.CartReminder, cfg.Logger); err != nil {
		s.ownJobs()
		return nil, err
	}
	s.broadcasts = newBroadcaster(cfg.Logger, cfg.BroadcastResume, cfg.RunBroadcast)
	return s, nil
}

// openJobs opens the job queue on the shop's database.
func (s *Shop) openJobs() error {
	cfg := s.cfg
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	jc := jobs.Config{
		CPUWorkers: cfg.ReceiptWorkers, JobTimeout: cfg.JobTimeout, RescueAfter: cfg.JobRescueAfter,
		Logger: cfg.Logger,
	}
	if cfg.DB.Engine() == service.Postgres {
		pool, err := pgxpool.New(ctx, cfg.DB.DSN())
		if err != nil {
			return fmt.Errorf("shopbot: the jobs' pool: %w", err)
		}
		jc.Postgres, s.ownJobs = pool, pool.Close
	} else {
		jc.SQLite = cfg.DB.SQL()
	}
	q, err := jobs.New(ctx, jc)
	if err != nil {
		s.ownJobs()
		return fmt.Errorf("shopbot: %w", err)
	}
	s.jobs = q
	return nil
}

// Jobs returns the shop's job queue.
func (s *Shop) Jobs() *jobs.Client { return s.jobs }

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
		herald.Provide(s.reminders),
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
	// Each customer's language: their /language choice, else Telegram's.
	r.Use(s.texts.Middleware())

	h := newHandlers(r, s)
	s.registerCheckout(r, h)
	h.register(r)

	admin := herald.NewRouter("shop admin")
	admin.UseInner(middleware.AdminOnly(middleware.AdminConfig{
		Users: s.cfg.Admins,
		Deny:  "Sorry, that command is for the shop's staff.",
	}))
	registerAdmin(admin, h)
	r.Include(admin)

	r.Message(h.fallback)
	r.CallbackQuery(func(c *herald.Context) error { return c.Answer(s.texts.For(c).T("stale", nil)) })
}

// Attach starts what the shop does in the background for bot: its jobs
// (receipts and reminders, sent with bot.Client()) and resuming
// broadcasts that no instance runs any more. NewBot calls it; call it
// yourself after herald.New when you use New, Options and Register.
func (s *Shop) Attach(ctx context.Context, bot *herald.Bot) error {
	if err := s.jobs.Start(ctx, bot.Client()); err != nil {
		return fmt.Errorf("shopbot: %w", err)
	}
	s.broadcasts.attach(bot)
	return nil
}

// Close stops the jobs (waiting for those running until ctx ends; any
// cut short runs again after a restart) and the broadcasts this instance
// runs (they are kept in the engine, and another instance, or this one
// restarted, resumes them).
func (s *Shop) Close(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		s.broadcasts.stop()
		err = s.jobs.Stop(ctx)
		s.ownJobs()
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
	if err := s.Attach(context.Background(), bot); err != nil {
		_ = s.Close(context.Background())
		return nil, nil, err
	}
	return bot, s, nil
}

// Commands are the shop's commands in the default language, as
// Telegram's menu shows them to customers whose language the shop does
// not speak.
var Commands = defaultCommands()

func defaultCommands() []tg.BotCommand {
	texts, err := loadTexts()
	if err != nil {
		panic(err) // the embedded catalogs are part of the program
	}
	return texts.CommandParams(menus...)[0].Commands
}

// SetCommands publishes the command menu in every language of the shop
// (setMyCommands with language_code), and in the default language for
// everyone else.
func SetCommands(ctx context.Context, client *tg.Client) error {
	texts, err := loadTexts()
	if err != nil {
		return fmt.Errorf("shopbot: %w", err)
	}
	return texts.SyncCommands(ctx, client, menus...)
}
