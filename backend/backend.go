package backend

import "context"

// Backend is one storage engine, opened once and handed to the bot as a
// whole (herald.WithBackend): it keeps conversation state, chat locks,
// update claims and once-marks, the outbound limiter's buckets and
// broadcast campaigns. Each backend/<engine> package returns one from its
// Open or New function. The stores it returns are safe for concurrent
// use and stay valid until Close.
type Backend interface {
	// Name is the engine's name: "memory", "sqlite", "redis", "postgres".
	Name() string
	// State keeps conversation state (the FSM).
	State() State
	// Locker hands out per-chat locks with fencing tokens.
	Locker() Locker
	// Claims de-duplicates updates and backs Context.Once.
	Claims() Claims
	// Limits keeps the outbound limiter's buckets and 429 pauses of the
	// bot botID (one store per bot; calls for the same bot share buckets).
	// An engine shared by several processes decides on one clock, so all
	// of them together keep Telegram's limits.
	Limits(botID int64) LimitStore
	// Broadcasts keeps campaigns and their recipients.
	Broadcasts() BroadcastStore
	// Journal is the engine's durable update journal, the same one on
	// every call, or nil when the engine has none that outlives the
	// process (memory) or none yet (postgres). A bot given the backend
	// puts its updates through it (see herald.WithJournal).
	Journal() Journal
	// Close releases the engine's connections and background work. The
	// bot never closes a backend it was given: its opener does.
	Close() error
}

// Pinger is implemented by the engines whose state lives in a server or a
// file (sqlite, redis, postgres): Ping makes one round trip and returns
// nil when the engine answers. A bot's readiness probe uses it.
type Pinger interface {
	Ping(ctx context.Context) error
}
