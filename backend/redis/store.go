package redis

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/heraldbot/herald/backend"
)

// DefaultPrefix is the first element of every key a Store writes, unless
// Options.Prefix says otherwise.
const DefaultPrefix = "herald"

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Prefix is the first element of every key (default "herald"). Change it
	// only to keep two deployments apart on one Redis database. It must not
	// contain '{' or '}', which would move the Redis Cluster hash tag.
	Prefix string

	// LockRetryMin and LockRetryMax bound the jittered exponential back-off
	// between attempts to take a lock that someone else holds (defaults 2 ms
	// and 64 ms). Lock waits at most LockRetryMax between attempts.
	LockRetryMin time.Duration
	LockRetryMax time.Duration

	// LockTTL is the lease used when Lock is called with a ttl <= 0
	// (default 30 s).
	LockTTL time.Duration

	// JournalPartitions is the number of partitions of the journal
	// (Store.Journal), default backend.DefaultPartitions. It is recorded
	// in Redis when the journal is first used; a Store with another
	// count then fails with backend.ErrPartitions.
	JournalPartitions int

	// Logger, if set, receives go-redis's own log lines (a pool that
	// cannot dial, a connection closed with an error), which otherwise go
	// to stderr. go-redis has one logger per process: see SetLogger, which
	// New calls with it; the last Store made with a Logger wins.
	Logger *slog.Logger
}

const (
	defaultLockRetryMin = 2 * time.Millisecond
	defaultLockRetryMax = 64 * time.Millisecond
	defaultLockTTL      = 30 * time.Second
)

// Store keeps conversation records, locks, claims, the outbound limiter's
// buckets and broadcast campaigns in Redis. It implements backend.Backend
// (State, Locker and Claims are the Store itself; Limits and Broadcasts
// are stores on the same client), is safe for concurrent use, and holds
// no connection state of its own: the go-redis client owns the
// connections and reconnects by itself, so a Store keeps working after
// Redis comes back.
type Store struct {
	client goredis.UniversalClient
	bot    int64
	opts   Options
	prefix string // "<prefix>:"
	base   string // "<prefix>:{<bot>}:"
	fence  string // "<prefix>:{<bot>}:fence"

	owned      bool // Close closes client (Open)
	closeOnce  sync.Once
	closeErr   error
	broadcasts *Broadcasts
	journal    *Journal

	mu     sync.Mutex
	limits map[int64]*LimiterStore // by bot id (Limits)
}

var (
	_ backend.Backend = (*Store)(nil)
	_ backend.State   = (*Store)(nil)
	_ backend.Locker  = (*Store)(nil)
	_ backend.Claims  = (*Store)(nil)
)

// New returns a Store for the bot botID on client (a *goredis.Client,
// *goredis.ClusterClient, *goredis.Ring or failover client). The Store does
// not own the client: its Close leaves the client open, closing it is the
// caller's business.
//
// botID is the bot whose hash tag the Store's own keys carry (see the
// package documentation): records keyed with backend.Key.BotID 0, locks,
// claims and broadcast campaigns. botID 0 makes a Store for any number of
// bots (Open makes one): records are still filed under the bot of their
// key, and the runtime's update claims name their bot; see "One Store
// for several bots" in the package documentation for what they share.
//
// Bound every operation with the ctx passed to it and the client's dial,
// read and write timeouts; set ContextTimeoutEnabled on the client's options
// to make ctx deadlines reach the socket, too.
func New(client goredis.UniversalClient, botID int64, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.LockRetryMin <= 0 {
		opts.LockRetryMin = defaultLockRetryMin
	}
	if opts.LockRetryMax <= 0 {
		opts.LockRetryMax = defaultLockRetryMax
	}
	if opts.LockRetryMax < opts.LockRetryMin {
		opts.LockRetryMax = opts.LockRetryMin
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = defaultLockTTL
	}
	if opts.Logger != nil {
		SetLogger(opts.Logger)
	}
	s := &Store{client: client, bot: botID, opts: opts, prefix: opts.Prefix + ":"}
	s.base = string(appendBotBase(nil, s.prefix, botID))
	s.fence = s.base + "fence"
	s.journal = newJournal(client, s.base, opts.JournalPartitions)
	s.broadcasts = &Broadcasts{client: client, base: s.base + "bc:", tag: s.prefix + "{" + strconv.FormatInt(botID, 10) + ":bc:"}
	return s
}

// BotID returns the bot the Store was made for.
func (s *Store) BotID() int64 { return s.bot }

// appendBotBase appends "<prefix>{<bot>}:" to b; prefix ends with ':'.
func appendBotBase(b []byte, prefix string, bot int64) []byte {
	b = append(b, prefix...)
	b = append(b, '{')
	b = strconv.AppendInt(b, bot, 10)
	return append(b, '}', ':')
}

// recordKey returns "<prefix>:{<bot>}:fsm:<chat>:<user>:<thread>", and
// ":<business connection>" after it when the key has one. The bot is
// key.BotID, or the Store's bot when key.BotID is 0.
func (s *Store) recordKey(k backend.Key) string {
	b := make([]byte, 0, len(s.base)+4+3*21+len(k.BusinessConnectionID)+1)
	if k.BotID == 0 || k.BotID == s.bot {
		b = append(b, s.base...)
	} else {
		b = appendBotBase(b, s.prefix, k.BotID)
	}
	b = append(b, "fsm:"...)
	b = strconv.AppendInt(b, k.ChatID, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, k.UserID, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, k.ThreadID, 10)
	if k.BusinessConnectionID != "" {
		b = append(b, ':')
		b = append(b, k.BusinessConnectionID...)
	}
	return string(b)
}

// nameKey returns "<prefix>:{<bot>}:<kind>:<name>".
func (s *Store) nameKey(kind, name string) string {
	return s.base + kind + ":" + name
}

// opError wraps err from operation op on key: "backend/redis: op key: err".
// Context errors and the fsm sentinels stay reachable through errors.Is.
func opError(op, key string, err error) error {
	return fmt.Errorf("backend/redis: %s %s: %w", op, key, err)
}

// isWrongType reports whether err is Redis' WRONGTYPE error (the key holds
// another kind of value), also when raised inside a script.
func isWrongType(err error) bool {
	rerr, ok := errors.AsType[goredis.Error](err)
	return ok && strings.Contains(rerr.Error(), "WRONGTYPE")
}

// millis converts a positive duration to whole milliseconds, rounding up so
// that a sub-millisecond ttl does not become "no expiry".
func millis(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// checkTTL rejects negative durations.
func checkTTL(op, key string, ttl time.Duration) error {
	if ttl < 0 {
		return opError(op, key, fmt.Errorf("negative ttl %s", ttl))
	}
	return nil
}
