package limit

import (
	"context"
	"time"

	"github.com/heraldbot/herald/tg"
)

// Scope names a bucket of the limiter, or the 429 pause.
type Scope uint8

const (
	// ScopeNone is the zero Scope.
	ScopeNone Scope = iota
	// ScopePause is the pause after a 429; it stops every sender.
	ScopePause
	// ScopeGlobal is the bot's budget over all chats.
	ScopeGlobal
	// ScopePaid is the bot's budget for paid broadcasts.
	ScopePaid
	// ScopeChat is the budget of one chat.
	ScopeChat
	// ScopeGroup is the budget of one group, supergroup or channel.
	ScopeGroup
)

// Shared reports whether the scope is shared by every chat of the bot
// (the pause and the global budgets), as opposed to one chat's budget.
func (s Scope) Shared() bool { return s == ScopePause || s == ScopeGlobal || s == ScopePaid }

// String returns the scope's name as used in keys: "pause", "global",
// "paid", "chat", "group" (or "none").
func (s Scope) String() string {
	switch s {
	case ScopePause:
		return "pause"
	case ScopeGlobal:
		return "global"
	case ScopePaid:
		return "paid"
	case ScopeChat:
		return "chat"
	case ScopeGroup:
		return "group"
	default:
		return "none"
	}
}

// Bucket is one limit a call must fit in.
type Bucket struct {
	// Scope is ScopeGlobal, ScopePaid, ScopeChat or ScopeGroup.
	Scope Scope
	// Chat is the chat of a ScopeChat or ScopeGroup bucket (usernames are
	// lower-case), the zero ChatID otherwise.
	Chat tg.ChatID
	// Rate is the limit; never off.
	Rate Rate
}

// Request is one call's claim on the buckets.
type Request struct {
	// N is the number of messages the call posts, at least 1.
	N int
	// Buckets are the limits it must fit in: one global (ScopeGlobal or
	// ScopePaid), then its chat and group buckets, when limited.
	Buckets []Bucket
}

// Verdict is a Store's answer to a Request.
type Verdict struct {
	// Wait is zero when the request was taken, else how long to wait
	// before it may fit: the longest wait of its buckets and the pause.
	Wait time.Duration
	// Scope is the bucket that needs the longest wait (ScopeNone when
	// taken).
	Scope Scope
}

// Store keeps one bot's buckets and its 429 pause. The Limiter calls it
// once per attempt; an implementation must be safe for concurrent use and,
// to be shared by several processes, must decide each Take atomically and
// on one clock.
type Store interface {
	// Take takes r.N messages from every bucket of r if all of them, and
	// the pause, allow it now; else it takes nothing and says how long
	// to wait. A cost above a bucket's burst fits when that bucket is idle.
	Take(ctx context.Context, r *Request) (Verdict, error)
	// Pause makes every Take wait until d from now has passed. It never
	// shortens a pause already in force.
	Pause(ctx context.Context, d time.Duration) error
}
