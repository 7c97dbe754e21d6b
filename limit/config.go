package limit

import "time"

// Telegram's published limits, the defaults of Config.
var (
	// DefaultGlobal is about 30 messages/s per bot, evenly spaced, so
	// that no one-second window holds more than 30.
	DefaultGlobal = Rate{Count: 30, Per: time.Second, Burst: 1}
	// DefaultChat is 1 message/s per chat, with short bursts of 3.
	DefaultChat = Rate{Count: 1, Per: time.Second, Burst: 3}
	// DefaultGroup is 20 messages/min per group, supergroup or channel,
	// evenly spaced, so that no one-minute window holds more than 20.
	DefaultGroup = Rate{Count: 20, Per: time.Minute, Burst: 1}
	// DefaultPaid is the global rate of calls with allow_paid_broadcast
	// when Config.PaidBroadcast is set: up to 1000 messages/s.
	DefaultPaid = Rate{Count: 1000, Per: time.Second, Burst: 1}
)

// Config configures a Limiter. The zero value is ready to use: Telegram's
// limits, state in this process, the wall clock.
type Config struct {
	// Global limits one bot's counted calls over all chats (default
	// DefaultGlobal).
	Global Rate
	// Chat limits the counted calls into one chat (default DefaultChat).
	Chat Rate
	// Group limits the counted calls into one group, supergroup or
	// channel, in addition to Chat (default DefaultGroup). A chat is a
	// group when its id is negative or given as an @username.
	Group Rate

	// PaidBroadcast makes calls with allow_paid_broadcast set count
	// against Paid instead of Global (chat and group limits still apply).
	// Off by default: such calls then count against Global like any other,
	// which is always safe.
	PaidBroadcast bool
	// Paid is the global rate of paid broadcasts (default DefaultPaid).
	Paid Rate

	// Methods says which methods count and how; nil means DefaultMethods().
	// Methods missing from the map are not counted.
	Methods map[string]Counting

	// Store holds the buckets and the 429 pause. nil means a new
	// in-process store (NewMemoryStore); a shared store, such as the Redis
	// one of package backend/redis, keeps the limits for a whole fleet.
	Store Store
	// Clock is the time source for waiting and for the default Store;
	// nil means RealClock().
	Clock Clock

	// MaxRetries is how many times a call answered with 429 is repeated
	// after the pause it asked for (default 3; negative means never).
	MaxRetries int
	// MaxRetryAfter is the longest pause after which a 429 is still
	// retried (default 1 minute). A longer retry_after still pauses every
	// sender, but the call returns the 429 at once.
	MaxRetryAfter time.Duration
}

const (
	defaultMaxRetries    = 3
	defaultMaxRetryAfter = time.Minute
	// defaultRetryAfter is the pause after a 429 that did not say how long.
	defaultRetryAfter = time.Second
)

func (c *Config) setDefaults() {
	c.Global = orDefault(c.Global, DefaultGlobal)
	c.Chat = orDefault(c.Chat, DefaultChat)
	c.Group = orDefault(c.Group, DefaultGroup)
	c.Paid = orDefault(c.Paid, DefaultPaid)
	if c.Methods == nil {
		c.Methods = DefaultMethods()
	}
	if c.Clock == nil {
		c.Clock = RealClock()
	}
	if c.Store == nil {
		c.Store = NewMemoryStore(c.Clock)
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = defaultMaxRetries
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = defaultMaxRetryAfter
	}
}

func orDefault(r, def Rate) Rate {
	if r.IsZero() {
		return def
	}
	return r
}
