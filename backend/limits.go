package backend

import (
	"context"
	"strconv"
	"time"

	"github.com/heraldbot/herald/tg"
)

// LimitScope names a bucket of the limiter, or the 429 pause.
type LimitScope uint8

const (
	// ScopeNone is the zero Scope.
	ScopeNone LimitScope = iota
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
func (s LimitScope) Shared() bool { return s == ScopePause || s == ScopeGlobal || s == ScopePaid }

// String returns the scope's name as used in keys: "pause", "global",
// "paid", "chat", "group", "chatpause" (or "none").
func (s LimitScope) String() string {
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

// LimitBucket is one limit a call must fit in.
type LimitBucket struct {
	// Scope is ScopeGlobal, ScopePaid, ScopeChat or ScopeGroup.
	Scope LimitScope
	// Chat is the chat of a ScopeChat or ScopeGroup bucket (usernames are
	// lower-case), the zero ChatID otherwise.
	Chat tg.ChatID
	// Rate is the limit; never off.
	Rate Rate
}

// LimitRequest is one call's claim on the limiter's buckets.
type LimitRequest struct {
	// N is the number of messages the call posts, at least 1.
	N int
	// Chat is the chat the call names (usernames in lower case), whose
	// pause it must respect as well as the bot's; the zero ChatID when it
	// names none. It is set even when the chat's buckets are off.
	Chat tg.ChatID
	// Buckets are the limits it must fit in: one global (ScopeGlobal or
	// ScopePaid), then its chat and group buckets, when limited.
	Buckets []LimitBucket
}

// LimitVerdict is a LimitStore's answer to a LimitRequest.
type LimitVerdict struct {
	// Wait is zero when the request was taken, else how long to wait
	// before it may fit: the longest wait of its buckets and the pauses
	// (the bot's and its chat's).
	Wait time.Duration
	// Scope is the bucket that needs the longest wait (ScopeNone when
	// taken).
	Scope LimitScope
}

// LimitStore keeps one bot's outbound-limit buckets and its 429 pauses: one for the whole bot
// and one per chat. The Limiter calls it once per attempt; an
// implementation must be safe for concurrent use and, to be shared by
// several processes, must decide each Take atomically and on one clock.
type LimitStore interface {
	// Take takes r.N messages from every bucket of r if all of them, the
	// bot's pause and the pause of r.Chat allow it now; else it takes
	// nothing and says how long to wait. A cost above a bucket's burst
	// fits when that bucket is idle.
	Take(ctx context.Context, r *LimitRequest) (LimitVerdict, error)
	// Pause makes the Takes of chat (usernames in lower case) wait until
	// d from now has passed; the zero ChatID pauses every Take of the
	// bot. It never shortens a pause already in force.
	Pause(ctx context.Context, chat tg.ChatID, d time.Duration) error
}

// Rate is a limit of Count messages per Per, with bursts of up to Burst
// messages at once (Burst ≤ 0 means 1: evenly spaced). It is enforced as a
// GCRA: one message every Per/Count, and up to Burst of them may be sent
// back to back when the bucket has been idle.
//
// In limit.Config, the zero Rate stands for the default of that limit and a
// Rate with a negative Count (see Unlimited) turns the limit off.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// IsZero reports whether r is the zero Rate.
func (r Rate) IsZero() bool { return r == Rate{} }

// Off reports whether r imposes no limit.
func (r Rate) Off() bool { return r.Count <= 0 || r.Per <= 0 }

// Interval is the time between two messages at the sustained rate:
// Per/Count, rounded up to the nanosecond so that Count messages never
// fit in less than Per; zero when r is off.
func (r Rate) Interval() time.Duration {
	if r.Off() {
		return 0
	}
	n := time.Duration(r.Count)
	return (r.Per + n - 1) / n
}

// Windowed returns the GCRA that keeps r as a window limit: no window of
// length Per holds more than Count messages, and up to Burst of them (at
// most Count) may go back to back. A plain GCRA of Count/Per with bursts
// of B lets Count+B-1 into one window (a burst, then the sustained rate);
// the windowed one spaces the rest by Per/(Count-B+1) instead, which gives
// up sustained speed for the burst. A Rate with Burst ≤ 1, or off, is
// returned as it is. Config applies it to Global, Group and Paid.
func (r Rate) Windowed() Rate {
	if r.Off() || r.Burst <= 1 {
		return r
	}
	b := min(r.Burst, r.Count)
	return Rate{Count: r.Count - b + 1, Per: r.Per, Burst: b}
}

// BurstSize is the number of messages that may be sent at once, at least 1.
func (r Rate) BurstSize() int { return max(r.Burst, 1) }

// String formats r as "30/1s", "1/1s:3" or "off".
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	s := strconv.Itoa(r.Count) + "/" + r.Per.String()
	if r.Burst > 1 {
		s += ":" + strconv.Itoa(r.Burst)
	}
	return s
}

// Wait returns how long n more messages must wait to fit r in a bucket
// whose theoretical arrival time (the moment it is empty again) is tat,
// at now; 0 when they fit. A cost above the burst is admitted when the
// bucket is idle, so that an album larger than the burst can still be
// sent; it then holds the bucket for its whole cost. Every LimitStore
// decides with this rule (GCRA); the Redis and SQL engines compute the
// same in their scripts.
func (r Rate) Wait(tat, now time.Time, n int) time.Duration {
	if tat.Before(now) {
		tat = now
	}
	need := min(n, r.BurstSize())
	allowAt := tat.Add(r.Interval() * time.Duration(need-r.BurstSize()))
	if allowAt.After(now) {
		return allowAt.Sub(now)
	}
	return 0
}

// Take returns the bucket's theoretical arrival time after n messages
// were taken at now. Call it only after Wait returned 0.
func (r Rate) Take(tat, now time.Time, n int) time.Time {
	if tat.Before(now) {
		tat = now
	}
	return tat.Add(r.Interval() * time.Duration(n))
}
