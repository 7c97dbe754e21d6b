package limit

import (
	"time"

	"github.com/heraldbot/herald/backend"
	"github.com/heraldbot/herald/backend/memory"
)

// The defaults of Config: Telegram's published limits less a safety
// margin, so that a call that lands a little early or late (network,
// scheduling, clocks of a fleet) is still within them. docs/LIMITS.md
// gives the reasoning.
var (
	// DefaultGlobal is 25 messages/s per bot, evenly spaced (one every
	// 40 ms): Telegram allows about 30/s, so no one-second window holds
	// more than 25 and a message may arrive up to 200 ms off its slot
	// before any window could hold 31.
	DefaultGlobal = Rate{Count: 25, Per: time.Second, Burst: 1}
	// DefaultChat is one message every 1.1 s per chat, with bursts of 2
	// (Telegram: 1/s, short bursts allowed; the emulator allows 3). A
	// reply and its follow-up go out at once, and every message has a
	// full second of margin against Telegram's chat bucket.
	DefaultChat = Rate{Count: 1, Per: 1100 * time.Millisecond, Burst: 2}
	// DefaultGroup is 18 messages/min per group, supergroup or channel,
	// evenly spaced (one every 3.33 s): Telegram allows 20/min.
	DefaultGroup = Rate{Count: 18, Per: time.Minute, Burst: 1}
	// DefaultPaid is the global rate of calls with allow_paid_broadcast
	// when Config.PaidBroadcast is set: up to 1000 messages/s.
	DefaultPaid = Rate{Count: 1000, Per: time.Second, Burst: 1}
)

// Config configures a Limiter. The zero value is ready to use: Telegram's
// limits, state in this process, the wall clock.
type Config struct {
	// Global limits one bot's counted calls over all chats (default
	// DefaultGlobal). It is a window limit: no window of length Per holds
	// more than Count messages, whatever the Burst (see Rate.Windowed).
	Global Rate
	// Chat limits the counted calls into one chat (default DefaultChat).
	// It is a plain GCRA: Count per Per sustained, Burst back to back
	// after a rest, as Telegram's chat limit allows short bursts.
	Chat Rate
	// Group limits the counted calls into one group, supergroup or
	// channel, in addition to Chat (default DefaultGroup). A chat is a
	// group when its id is negative or given as an @username. Like
	// Global, it is a window limit.
	Group Rate

	// PaidBroadcast makes calls with allow_paid_broadcast set count
	// against Paid instead of Global (chat and group limits still apply).
	// Off by default: such calls then count against Global like any other,
	// which is always safe.
	PaidBroadcast bool
	// Paid is the global rate of paid broadcasts (default DefaultPaid),
	// a window limit like Global.
	Paid Rate

	// Methods says which methods count and how; nil means DefaultMethods().
	// Methods missing from the map are not counted.
	Methods map[string]Counting

	// Store holds the buckets and the 429 pause. nil means a new
	// in-process store (memory.NewLimitStore); a shared store, such as the Redis
	// one of package backend/redis, keeps the limits for a whole fleet.
	Store backend.LimitStore

	// MaxRetries is how many times a call answered with 429 is repeated
	// after the pause it asked for (default 3; negative means never). A
	// 429 to a call that names a chat pauses that chat only; one to a
	// call without a chat pauses the whole bot.
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
	c.Global = orDefault(c.Global, DefaultGlobal).Windowed()
	c.Chat = orDefault(c.Chat, DefaultChat)
	c.Group = orDefault(c.Group, DefaultGroup).Windowed()
	c.Paid = orDefault(c.Paid, DefaultPaid).Windowed()
	if c.Methods == nil {
		c.Methods = DefaultMethods()
	}
	if c.Store == nil {
		c.Store = memory.NewLimitStore()
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
