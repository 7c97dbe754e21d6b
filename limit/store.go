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
	// ScopePause is the pause after a 429 to a call that named no chat;
	// it stops every sender of the bot.
	ScopePause
	// ScopeGlobal is the bot's budget over all chats.
	ScopeGlobal
	// ScopePaid is the bot's budget for paid broadcasts.
	ScopePaid
	// ScopeChat is the budget of one chat.
	ScopeChat
	// ScopeGroup is the budget of one group, supergroup or channel.
	ScopeGroup
	// ScopeChatPause is the pause of one chat after a 429 to a call into
	// it; it stops the calls into that chat only.
	ScopeChatPause
)

// Shared reports whether the scope is shared by every chat of the bot
// (the bot's pause and the global budgets), as opposed to one chat's
// budget or pause.
func (s Scope) Shared() bool { return s == ScopePause || s == ScopeGlobal || s == ScopePaid }

// String returns the scope's name as used in keys: "pause", "global",
// "paid", "chat", "group", "chatpause" (or "none").
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
	case ScopeChatPause:
		return "chatpause"
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
	// Chat is the chat the call names (usernames in lower case), whose
	// pause it must respect as well as the bot's; the zero ChatID when it
	// names none. It is set even when the chat's buckets are off.
	Chat tg.ChatID
	// Buckets are the limits it must fit in: one global (ScopeGlobal or
	// ScopePaid), then its chat and group buckets, when limited.
	Buckets []Bucket
}

// Verdict is a Store's answer to a Request.
type Verdict struct {
	// Wait is zero when the request was taken, else how long to wait
	// before it may fit: the longest wait of its buckets and the pauses
	// (the bot's and its chat's).
	Wait time.Duration
	// Scope is the bucket that needs the longest wait (ScopeNone when
	// taken).
	Scope Scope
}

// Store keeps one bot's buckets and its 429 pauses: one for the whole bot
// and one per chat. The Limiter calls it once per attempt; an
// implementation must be safe for concurrent use and, to be shared by
// several processes, must decide each Take atomically and on one clock.
type Store interface {
	// Take takes r.N messages from every bucket of r if all of them, the
	// bot's pause and the pause of r.Chat allow it now; else it takes
	// nothing and says how long to wait. A cost above a bucket's burst
	// fits when that bucket is idle.
	Take(ctx context.Context, r *Request) (Verdict, error)
	// Pause makes the Takes of chat (usernames in lower case) wait until
	// d from now has passed; the zero ChatID pauses every Take of the
	// bot. It never shortens a pause already in force.
	Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error
}
