package emulator

import (
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Options configure an Emulator. The zero value is ready to use:
// Telegram's limits and the default caps below.
type Options struct {
	// Limits are the outbound message limits; nil means TelegramLimits().
	// Use &emulator.Limits{} (or NoLimits) to turn them off.
	Limits *Limits
	// Logger receives the emulator's logs; nil discards them. Tokens
	// never appear in them, only bot ids.
	Logger *slog.Logger
	// MaxMessagesPerChat caps each chat's transcript; older messages are
	// forgotten (default 1000).
	MaxMessagesPerChat int
	// MaxFilesPerChat caps the files kept per chat; older files are
	// forgotten and their file_id becomes invalid (default 100).
	MaxFilesPerChat int
	// MaxFileSize caps one upload in bytes (default 20 MiB).
	MaxFileSize int64
	// MaxPendingUpdates caps each bot's queue of unconfirmed updates; the
	// oldest are dropped beyond it (default 100000).
	MaxPendingUpdates int
	// WebhookTimeout bounds one webhook delivery (default 10 s).
	WebhookTimeout time.Duration
	// WebhookMaxBackoff caps the delay between webhook retries (default 60 s).
	WebhookMaxBackoff time.Duration
	// WebhookConcurrentPerChat delivers a chat's updates to a webhook
	// concurrently, as many at once as setWebhook's max_connections
	// allows, instead of one at a time in order (the default). It lets a
	// test exercise what a bot does with a double tap whose updates
	// arrive together; the updates of a chat may then reach the bot out
	// of order, and a method in a webhook answer no longer runs before
	// the chat's next update is delivered.
	WebhookConcurrentPerChat bool
	// FirstUpdateID is the update_id of each bot's first update. Zero
	// (the default) picks a random start for each bot, as Telegram does:
	// a number in [2^20, 2^30), so ids stay increasing, fit in 32 bits
	// and, with a bot that remembers handled update ids (a persistent
	// dedup store), a restarted emulator's first updates are not taken
	// for re-deliveries of the previous run's. Tests that want fixed ids
	// set it (1, say).
	FirstUpdateID int64
	// OnEvent, when set, is called for every event of every bot (the same
	// events Subscribe delivers), synchronously and in order per chat,
	// before subscribers get them. token is the bot's token, as given to
	// the Bot API, AddBot or Subscribe. It must be fast and must not call
	// the emulator: it runs while the emulator holds the bot's lock, so a
	// call back into the emulator for that bot deadlocks, and a slow
	// OnEvent holds up every request of the bot. ev.Message and
	// ev.CallbackAnswer are shared with the subscribers and must not be
	// modified. Unlike a subscriber, OnEvent never misses an event, which
	// suits a benchmark timing every reply under load.
	OnEvent func(token string, ev Event)
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxMessagesPerChat <= 0 {
		o.MaxMessagesPerChat = 1000
	}
	if o.MaxFilesPerChat <= 0 {
		o.MaxFilesPerChat = 100
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = 20 << 20
	}
	if o.MaxPendingUpdates <= 0 {
		o.MaxPendingUpdates = 100000
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.WebhookMaxBackoff <= 0 {
		o.WebhookMaxBackoff = time.Minute
	}
}

// Emulator is a stateful fake Telegram Bot API server. Create it with New,
// serve Handler over HTTP, drive users through its control methods, and
// Close it when done. All methods are safe for concurrent use.
type Emulator struct {
	opts    Options
	log     *slog.Logger
	methods *methodTable
	limits  atomic.Pointer[Limits]
	hooks   *http.Client // webhook deliveries

	mu    sync.RWMutex
	bots  map[int64]*bot
	users map[int64]*user

	muxState

	closeOnce sync.Once
	closed    chan struct{}
	wg        sync.WaitGroup // webhook workers and deliveries
}

// New returns an Emulator with opts.
func New(opts Options) *Emulator {
	opts.setDefaults()
	e := &Emulator{
		opts:    opts,
		log:     opts.Logger,
		methods: buildMethodTable(handlers()),
		bots:    make(map[int64]*bot),
		users:   make(map[int64]*user),
		closed:  make(chan struct{}),
		hooks:   newWebhookClient(),
	}
	l := TelegramLimits()
	if opts.Limits != nil {
		l = *opts.Limits
	}
	e.limits.Store(&l)
	return e
}

// Limits returns the limits in force.
func (e *Emulator) Limits() Limits { return *e.limits.Load() }

// SetLimits changes the limits for every bot, from the next message on.
func (e *Emulator) SetLimits(l Limits) {
	e.limits.Store(&l)
	e.log.Info("emulator limits changed", "limits", l.String())
}

// Close stops webhook deliveries and ends pending long polls. The Handler
// keeps answering afterwards, but nothing is delivered any more.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		close(e.closed)
		for _, b := range e.allBots() {
			b.mu.Lock()
			b.stopWebhookLocked()
			b.mu.Unlock()
		}
	})
	e.wg.Wait()
	e.hooks.CloseIdleConnections()
	return nil
}

func (e *Emulator) isClosed() bool {
	select {
	case <-e.closed:
		return true
	default:
		return false
	}
}

var tokenPattern = regexp.MustCompile(`^([1-9][0-9]{0,18}):([A-Za-z0-9_-]{1,128})$`)

// botFor returns the bot of token, creating it on first use. A malformed
// token, or a second secret for a known bot id, is errUnauthorized.
func (e *Emulator) botFor(token string) (*bot, *apiError) {
	if b, aerr := e.knownBot(token); aerr == nil {
		return b, nil
	}
	id, ok := parseBotID(token)
	if !ok {
		return nil, errUnauthorized
	}
	e.mu.Lock()
	b := e.bots[id]
	if b == nil {
		b = newBot(e, id, token)
		e.bots[id] = b
		e.log.Info("emulator bot created", "bot_id", id, "username", b.me().Username)
	}
	e.mu.Unlock()
	if b.token != token {
		return nil, errUnauthorized
	}
	return b, nil
}

// knownBot returns an existing bot of token without creating one. A
// bot's token passed parseBotID when the bot was created, so an exact
// match needs no pattern check.
func (e *Emulator) knownBot(token string) (*bot, *apiError) {
	idText, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, errUnauthorized
	}
	e.mu.RLock()
	b := e.bots[id]
	e.mu.RUnlock()
	if b == nil || b.token != token {
		return nil, errUnauthorized
	}
	return b, nil
}

func parseBotID(token string) (int64, bool) {
	i := strings.IndexByte(token, ':')
	if i <= 0 || !tokenPattern.MatchString(token) {
		return 0, false
	}
	id, err := strconv.ParseInt(token[:i], 10, 64)
	return id, err == nil && id > 0
}

// BotInfo describes a bot the emulator knows.
type BotInfo struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	// Token is the bot's token: the emulator is local and its tokens are
	// not secrets, but they are never logged.
	Token string `json:"token"`
}

// AddBot registers the bot of token (as its first Bot API request would)
// and returns its description. Its name is "Bot <id>" and its username
// emu<id>_bot unless RegisterBot gives others.
func (e *Emulator) AddBot(token string) (BotInfo, error) {
	return e.RegisterBot(BotSpec{Token: token})
}

// BotSpec describes a bot to register (RegisterBot, POST /control/bots).
type BotSpec struct {
	Token string `json:"token"`
	// FirstName is the bot's name, as getMe answers it and the page shows
	// it (1–64 characters); empty keeps the current one ("Bot <id>" for a
	// new bot).
	FirstName string `json:"first_name,omitzero"`
	// Username is the bot's username without @ (5–32 letters, digits and
	// _, starting with a letter and ending in "bot"); empty keeps the
	// current one (emu<id>_bot for a new bot).
	Username string `json:"username,omitzero"`
}

var botUsernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$`)

// RegisterBot registers the bot of s.Token, as AddBot does, with the name
// and username given; a bot that exists already is renamed. Messages the
// bot sent before keep the old name.
func (e *Emulator) RegisterBot(s BotSpec) (BotInfo, error) {
	name := strings.TrimSpace(s.FirstName)
	if n := utf8.RuneCountInString(name); n > 64 || (n == 0 && s.FirstName != "") {
		return BotInfo{}, controlErrorf("first_name must be 1–64 characters")
	}
	if s.Username != "" && !botUsernamePattern.MatchString(s.Username) {
		return BotInfo{}, controlErrorf("username must be 5–32 letters, digits and _, start with a letter and end in \"bot\"")
	}
	b, err := e.botFor(s.Token)
	if err != nil {
		return BotInfo{}, controlErr(err)
	}
	if name != "" || s.Username != "" {
		u := b.me()
		if name != "" {
			u.FirstName = name
		}
		if s.Username != "" {
			u.Username = s.Username
		}
		b.profile.Store(&u)
		e.log.Info("emulator bot named", "bot_id", b.id, "username", u.Username)
	}
	return b.info(), nil
}

// Bots returns every bot the emulator knows, by id.
func (e *Emulator) Bots() []BotInfo {
	e.mu.RLock()
	out := make([]BotInfo, 0, len(e.bots))
	for _, b := range e.bots {
		out = append(out, b.info())
	}
	e.mu.RUnlock()
	sortBy(out, func(b BotInfo) int64 { return b.ID })
	return out
}

// allBots returns the bots in no particular order. e.mu is a leaf lock:
// it is never held while a bot's lock is taken.
func (e *Emulator) allBots() []*bot {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*bot, 0, len(e.bots))
	for _, b := range e.bots {
		out = append(out, b)
	}
	return out
}
